/**
 * `validate` with an ONNX model over three DuckDB-backed nodes (secure aggregation), against the pooled
 * computation on the same predictions by numpy/statsmodels (packages/algorithms/scripts/
 * make-onnx-validate-fixture.py; the model file there is built by the `onnx` python package). Each node
 * fetches the model by digest, checks the bytes, inspects and runs it in onnxruntime under limits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKeys, sha256Hex } from '@fedhub/crypto';
import { onnxLimits } from '@fedhub/inference';
import { buildOnnxModel, logisticRegressionModel } from '@fedhub/inference/test-support';
import { type ColumnSpec, DisclosurePolicySchema, FedhubError } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const fixtures = fileURLToPath(new URL('../../algorithms/fixtures/onnx-validate/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fedhub-onnx-'));
const nodes: LocalNode[] = [];
const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8'));
const pythonModel = new Uint8Array(readFileSync(join(fixtures, 'logistic.onnx')));

type Metrics = Record<
  | 'n'
  | 'events'
  | 'auc'
  | 'aucVariance'
  | 'brier'
  | 'calibrationSlope'
  | 'calibrationSlopeIntercept'
  | 'calibrationInLarge',
  number
>;

const DICTIONARY: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C', 'X'] },
  { name: 'age', type: 'numeric' },
  { name: 'dose_gy', type: 'numeric' },
  { name: 'male', type: 'integer', min: 0, max: 1 },
  { name: 'y', type: 'integer', min: 0, max: 1 },
];

/** The registry as the nodes see it: files by sha256. */
const registry = new Map<string, Uint8Array>();
function register(bytes: Uint8Array): string {
  const hex = sha256Hex(bytes);
  registry.set(hex, bytes);
  return `sha256:${hex}`;
}
const models = {
  async onnx(hex: string) {
    const b = registry.get(hex);
    if (!b) throw new FedhubError('FH_ERR_NOT_FOUND', 'no such model');
    return b;
  },
};

beforeAll(async () => {
  const lines = readFileSync(join(fixtures, 'cohort.csv'), 'utf8').trim().split('\n');
  for (const c of ['A', 'B', 'C']) {
    const file = join(dir, `${c}.csv`);
    writeFileSync(file, `${lines[0]}\n${lines.filter((l) => l.startsWith(`${c},`)).join('\n')}\n`);
    const datasets = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: DICTIONARY, onInvalid: 'reject' },
    ]);
    nodes.push({
      id: crypto.randomUUID(),
      name: `Centre ${c}`,
      datasets,
      keys: generateNodeKeys(),
      policy: DisclosurePolicySchema.parse({}),
      models,
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

const params = (
  onnx: string,
  inputs: Record<string, string[]> = { features: ['age', 'dose_gy', 'male'] },
  output = 'probability',
) => ({
  dataset: 'cohort',
  outcome: 'y',
  model: { onnx, inputs, output },
});

async function refusalCode(p: unknown, on = nodes): Promise<string> {
  try {
    await runLocalFederation('validate', p, on);
  } catch (e) {
    const details = (e as FedhubError).details as { code?: string; message?: string } | undefined;
    // what the hub would get: the rule's code and the catalogue text, no values
    expect(details?.message ?? '').not.toMatch(/\d+\.\d{3,}/);
    return details?.code ?? (e as FedhubError).code;
  }
  return 'no refusal';
}

/**
 * Cells of one record allowed: the 0.001 score grid leaves bins of one or two patients at each centre,
 * which the default policy refuses (as for formula models); here the numbers are compared.
 */
const permissive = () => nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } }));

describe('validate with an ONNX model equals the pooled computation on the same predictions', () => {
  it('a model file made by the onnx python package', async () => {
    const { result } = await runLocalFederation('validate', params(register(pythonModel)), permissive());
    const pooled = (
      result as {
        pooled: Metrics & {
          netBenefit: { threshold: number; netBenefit: number | null; treatAll: number }[];
          excluded: Metrics;
        };
      }
    ).pooled;
    expect(pooled.n).toBe(ref.n);
    expect(pooled.events).toBe(ref.events);
    expect(Math.abs(pooled.auc - ref.auc)).toBeLessThan(1e-9);
    expect(Math.abs(pooled.aucVariance - ref.aucVariance)).toBeLessThan(1e-9);
    expect(Math.abs(pooled.brier - ref.brier)).toBeLessThan(1e-10);
    expect(Math.abs(pooled.calibrationSlope - ref.calibrationSlope)).toBeLessThan(1e-6);
    expect(Math.abs(pooled.calibrationSlopeIntercept - ref.calibrationSlopeIntercept)).toBeLessThan(1e-6);
    expect(Math.abs(pooled.calibrationInLarge - ref.calibrationInLarge)).toBeLessThan(1e-6);
    const reported = pooled.netBenefit.filter((x) => x.netBenefit !== null);
    expect(reported.length).toBeGreaterThanOrEqual(5);
    for (const x of pooled.netBenefit) {
      const r = ref.netBenefit.find((q: { threshold: number }) => q.threshold === x.threshold);
      expect(Math.abs(x.treatAll - r.treatAll)).toBeLessThan(1e-12);
      if (x.netBenefit !== null) expect(Math.abs(x.netBenefit - r.netBenefit)).toBeLessThan(1e-12);
    }
    // every cell of one record allowed: both centres' left-out counts are released
    expect(pooled.excluded).toEqual({
      missingValues: ref.excluded.A + ref.excluded.B,
      centresWithFewerMissingThanMinimum: 0,
    });
  });

  it('subgroups by a declared column: each level equals the validation of that level alone', async () => {
    const onnx = register(pythonModel);
    const { result } = await runLocalFederation(
      'validate',
      { ...params(onnx), subgroup: 'male' },
      permissive(),
    );
    const sub = (
      result as {
        subgroups: { column: string; levels: Array<Metrics & { level: string; brier: number }> };
      }
    ).subgroups;
    expect(sub.levels.map((l) => l.level)).toEqual(['0', '1']);
    for (const l of sub.levels) {
      const alone = (
        await runLocalFederation(
          'validate',
          { ...params(onnx), filter: { column: 'male', op: 'eq', value: Number(l.level) } },
          permissive(),
        )
      ).result as { pooled: Metrics };
      expect(l.n).toBe(alone.pooled.n);
      expect(l.events).toBe(alone.pooled.events);
      expect(l.auc).toBe(alone.pooled.auc);
      expect(l.aucVariance).toBe(alone.pooled.aucVariance);
      expect(Math.abs(l.brier - alone.pooled.brier)).toBeLessThan(1e-14);
    }
    expect(sub.levels[0]!.n + sub.levels[1]!.n).toBe(ref.n);
  });

  it('records left out for missing values: a count under the minimum cell count is not released', async () => {
    // two patient profiles, 10 records per profile and outcome at each centre (every cell >= 5); centre A
    // also has 7 records without age, centre B 2 without dose
    const profiles = ['50,40,0', '70,60,1'];
    const csv = (extra: string[]) =>
      `centre,age,dose_gy,male,y\n${profiles
        .flatMap((pr) => [0, 1].flatMap((y) => Array(10).fill(`X,${pr},${y}`)))
        .concat(extra)
        .join('\n')}\n`;
    const small: LocalNode[] = [];
    for (const [c, extra] of [
      ['A', Array(7).fill('X,,40,0,1')],
      ['B', Array(2).fill('X,60,,1,0')],
      ['C', []],
    ] as const) {
      const file = join(dir, `small-${c}.csv`);
      writeFileSync(file, csv([...extra]));
      const datasets = await DatasetStore.open([
        { name: 'cohort', file, format: 'csv', columns: DICTIONARY, onInvalid: 'reject' },
      ]);
      small.push({
        id: crypto.randomUUID(),
        name: `Small ${c}`,
        datasets,
        keys: generateNodeKeys(),
        policy: DisclosurePolicySchema.parse({}),
        models,
      });
    }
    try {
      const { result } = await runLocalFederation(
        'validate',
        { ...params(register(pythonModel)), groups: 3 },
        small,
      );
      expect((result as { pooled: { excluded: unknown; n: number } }).pooled).toMatchObject({
        n: 120,
        excluded: { missingValues: 7, centresWithFewerMissingThanMinimum: 1 },
      });
    } finally {
      for (const n of small) n.datasets.close();
    }
  });

  it("the same model from fedhub's TypeScript builder gives the same numbers", async () => {
    const ts = logisticRegressionModel({
      coefficients: ref.coefficients,
      intercept: ref.intercept,
      input: 'features',
      output: 'probability',
      type: 'float64',
    });
    const { result } = await runLocalFederation('validate', params(register(ts)), permissive());
    const pooled = (result as { pooled: Metrics }).pooled;
    expect(Math.abs(pooled.auc - ref.auc)).toBeLessThan(1e-9);
    expect(Math.abs(pooled.brier - ref.brier)).toBeLessThan(1e-10);
    expect(Math.abs(pooled.calibrationSlope - ref.calibrationSlope)).toBeLessThan(1e-6);
  });
});

describe('bad models and mappings are refused at the node with a code', () => {
  it('bytes that do not hash to the digest in the task', async () => {
    const digest = `sha256:${sha256Hex(pythonModel)}`;
    const tampered = new Map([
      [
        digest.slice(7),
        logisticRegressionModel({
          coefficients: [9, 9, 9],
          intercept: 0,
          input: 'features',
          output: 'probability',
          type: 'float64',
        }),
      ],
    ]);
    const liar = nodes.map((n) => ({ ...n, models: { onnx: async (h: string) => tampered.get(h)! } }));
    expect(await refusalCode(params(digest), liar)).toBe('FH_ERR_MODEL_DIGEST');
  });

  it('columns that do not fit the input, an unknown input or output', async () => {
    const d = register(pythonModel);
    expect(await refusalCode(params(d, { features: ['age', 'dose_gy'] }))).toBe(
      'FH_ERR_MODEL_INPUT_MISMATCH',
    );
    expect(await refusalCode(params(d, { x: ['age', 'dose_gy', 'male'] }))).toBe(
      'FH_ERR_MODEL_INPUT_MISMATCH',
    );
    expect(await refusalCode(params(d, undefined, 'logits'))).toBe('FH_ERR_MODEL_INPUT_MISMATCH');
  });

  it('NaN outputs', async () => {
    const nan = buildOnnxModel({
      inputs: [{ name: 'features', type: 'float64', shape: ['N', 3] }],
      outputs: [{ name: 'probability', type: 'float64', shape: ['N', 1] }],
      initializers: [{ name: 'W', type: 'float64', dims: [3, 1], values: [-1, 0, 0] }],
      nodes: [
        { op: 'MatMul', inputs: ['features', 'W'], outputs: ['minus_age'] },
        { op: 'Sqrt', inputs: ['minus_age'], outputs: ['probability'] },
      ],
    });
    expect(await refusalCode(params(register(nan)))).toBe('FH_ERR_MODEL_OUTPUT_NAN');
  });

  it('an operator of a non-standard domain', async () => {
    const custom = buildOnnxModel({
      inputs: [{ name: 'features', type: 'float64', shape: ['N', 3] }],
      outputs: [{ name: 'probability', type: 'float64', shape: ['N', 1] }],
      nodes: [{ op: 'FusedSigmoid', domain: 'com.example', inputs: ['features'], outputs: ['probability'] }],
    });
    expect(await refusalCode(params(register(custom)))).toBe('FH_ERR_MODEL_UNSUPPORTED_OP');
  });

  it("a file over the node's own size limit", async () => {
    const tight = nodes.map((n) => ({
      ...n,
      models: { ...models, onnxLimits: onnxLimits({ maxModelBytes: 100 }) },
    }));
    expect(await refusalCode(params(register(pythonModel)), tight)).toBe('FH_ERR_MODEL_TOO_LARGE');
  });

  it('a digest the registry does not hold', async () => {
    expect(await refusalCode(params(`sha256:${'0'.repeat(64)}`))).toBe('FH_ERR_MODEL_INVALID');
  });

  it('a node without access to the registry', async () => {
    const without = nodes.map(({ models: _, ...n }) => n);
    expect(await refusalCode(params(register(pythonModel)), without)).toBe('FH_ERR_MODEL_INVALID');
  });
});
