/**
 * Poison tasks at the node (issue 15, item 5): the issue's `scoreResolution: 2e-7` is refused by the
 * parameter bounds before any data is read; a grid the bounds allow but this node cannot afford is refused
 * by the run estimate (FH_ERR_RUN_TOO_LARGE) naming the parameter, never the row count; a normal run
 * still completes under the same limits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FederatedAlgorithm, getAlgorithm, type ModelSource } from '@fedhub/algorithms';
import { sha256Hex } from '@fedhub/crypto';
import { onnxParameterCount } from '@fedhub/inference';
import { buildOnnxModel } from '@fedhub/inference/test-support';
import { DisclosurePolicySchema, type RunAssignment } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { executeRun } from './executor.js';
import { openStudy } from './governance/study-gate.js';
import { estimateRun, RunLimitsSchema, runBudgetRefusal } from './run-budget.js';

const NODE = crypto.randomUUID();
const ROWS = 400;
const dir = mkdtempSync(join(tmpdir(), 'fedhub-run-budget-'));
let store: DatasetStore;
beforeAll(async () => {
  const file = join(dir, 'cohort.csv');
  writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, ROWS, 7)));
  store = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
  ]);
});
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const limits = RunLimitsSchema.parse({ maxRunMemoryMb: 64, maxRunSeconds: 60 });

function run(name: string, params: unknown, opts: { limits?: typeof limits; models?: ModelSource } = {}) {
  const algorithm = getAlgorithm(name) as FederatedAlgorithm<unknown>;
  const assignment = {
    runId: crypto.randomUUID(),
    taskId: crypto.randomUUID(),
    ...openStudy(crypto.randomUUID(), [NODE]),
    algorithm: algorithm.name,
    version: algorithm.version,
    digest: algorithm.digest,
    params: params as never,
    round: 1,
    attempt: 1,
    input: null,
    leaseExpiresAt: new Date().toISOString(),
    leaseMs: 30000,
    peers: [],
  } as unknown as RunAssignment;
  return executeRun(assignment, {
    node: { id: NODE, name: 'Hospital A' },
    policy: DisclosurePolicySchema.parse({ minCellCount: 1, minSubsetSize: 1 }),
    floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of the run limits */,
    datasets: store,
    limits: opts.limits ?? limits,
    ...(opts.models ? { models: opts.models } : {}),
  });
}

describe('poison tasks at the node', () => {
  it("refuses the issue's scoreResolution 2e-7 by its bounds, before reading data", async () => {
    const out = await run('validate', {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: { formula: '~ dose_gy', coefficients: { '(Intercept)': -3, dose_gy: 0.04 } },
      scoreResolution: 2e-7,
    });
    expect(out.outcome).toBe('refused');
    expect(out.error?.code).toBe('FH_ERR_BAD_PARAMS');
    expect(out.error?.message).toMatch(/scoreResolution/);
  });

  it('refuses a grid within bounds that exceeds the node limits, naming the parameter and not the rows', async () => {
    const out = await run('validate-survival', {
      dataset: 'cohort',
      model: { formula: 'Surv(months, dead) ~ age', coefficients: { age: 0.02 } },
      scoreResolution: 1e-4,
    });
    expect(out.outcome).toBe('refused');
    expect(out.error?.code).toBe('FH_ERR_RUN_TOO_LARGE');
    expect(out.error?.message).toMatch(/scoreResolution 0\.0001/);
    expect(out.error?.message).not.toContain(String(ROWS));
    expect(JSON.stringify(out.error?.details)).not.toContain(String(ROWS));
  });

  it('runs a normal task under the same limits', async () => {
    const out = await run('summary', { dataset: 'cohort', columns: ['age'] });
    expect(out.error).toBeNull();
    expect(out.outcome).toBe('completed');
  });

  it("counts a registered ONNX model's weights: a large model is refused before any data is read", async () => {
    // x [N, 3] x W [3, 700000]: 2.1 M weights, about 2 x 2.1 M x 400 operations and 16 MiB held
    const width = 700_000;
    const bytes = buildOnnxModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 3] }],
      outputs: [{ name: 'p', type: 'float32', shape: ['N', width] }],
      initializers: [{ name: 'W', type: 'float32', dims: [3, width], values: new Array(3 * width).fill(0) }],
      nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['p'] }],
    });
    expect(onnxParameterCount(bytes)).toBe(3 * width);
    const models: ModelSource = {
      async onnx() {
        return bytes;
      },
    };
    const params = {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: {
        onnx: `sha256:${sha256Hex(bytes)}`,
        inputs: { x: ['age', 'dose_gy', 'bmi'] },
        output: 'p',
      },
    };
    const tight = RunLimitsSchema.parse({ maxRunMemoryMb: 16, maxRunSeconds: 1 });
    const out = await run('validate', params, { limits: tight, models });
    expect(out.outcome).toBe('refused');
    expect(out.error?.code).toBe('FH_ERR_RUN_TOO_LARGE');
    expect(out.error?.message).toContain(`a model of ${3 * width} weights`);
    // the same estimate without the model stays within the limits
    expect(runBudgetRefusal(estimateRun('validate', params, ROWS, 4), tight)).toBeNull();
    const withModel = estimateRun('validate', params, ROWS, 4, { parameters: 3 * width });
    expect(withModel.seconds).toBeGreaterThan(1.6);
  });

  it('estimates grow with the size-driving parameters and the rows', () => {
    const coarse = estimateRun('validate-survival', { scoreResolution: 0.01 }, 1000, 3);
    const fine = estimateRun('validate-survival', { scoreResolution: 0.0001 }, 1000, 3);
    expect(fine.memoryBytes).toBeGreaterThan(50 * coarse.memoryBytes);
    expect(runBudgetRefusal(coarse, limits)).toBeNull();
    const big = estimateRun('summary', {}, 1e9, 10);
    expect(runBudgetRefusal(big, limits)?.code).toBe('FH_ERR_RUN_TOO_LARGE');
  });
});
