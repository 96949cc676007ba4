import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AggregateOutcome, crosstab, summary } from '@fedhub/algorithms';
import { type DisclosurePolicy, DisclosurePolicySchema, FedhubError, type Json } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedDataset } from '../config.js';
import { executeRun } from '../executor.js';
import { openStudy } from '../governance/study-gate.js';
import { DatasetStore } from './duckdb-store.js';
import { inferDictionary } from './infer-dictionary.js';

/** The result of an aggregate that must be done, in the shape the test reads. */
function doneResult<T>(outcome: AggregateOutcome): T {
  if (outcome.kind !== 'done') throw new Error('expected a result, the aggregate asked for another round');
  return outcome.result as unknown as T;
}

const dir = mkdtempSync(join(tmpdir(), 'fedhub-duckdb-test-'));
const policy: DisclosurePolicy = DisclosurePolicySchema.parse({});
const cohorts = DEMO_CENTRES.map((c, i) => generateCohort(c, 300 + 50 * i, 1000 + i, `C${i}`));
const stores: DatasetStore[] = [];

function dataset(
  file: string,
  columns = COHORT_DICTIONARY,
  onInvalid: 'reject' | 'exclude' = 'reject',
): ResolvedDataset {
  return { name: 'cohort', file, format: 'csv', columns, onInvalid };
}

beforeAll(async () => {
  for (const [i, rows] of cohorts.entries()) {
    const file = join(dir, `centre-${i}.csv`);
    writeFileSync(file, toCsv(rows));
    stores.push(await DatasetStore.open([dataset(file)]));
  }
});
afterAll(() => {
  for (const s of stores) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Exact pooled mean and variance of values with one decimal, by integer arithmetic on 10x. */
function exactMoments(values: number[]): { mean: number; variance: number } {
  const ints = values.map((v) => BigInt(Math.round(v * 10)));
  const n = BigInt(ints.length);
  const s = ints.reduce((a, b) => a + b, 0n);
  const ss = ints.reduce((a, b) => a + b * b, 0n);
  // mean = s / (10 n); variance = (n ss - s^2) / (100 n (n - 1)); divide in high precision via scaled BigInt.
  const scale = 10n ** 30n;
  const mean = Number((s * scale) / (10n * n)) / 1e30;
  const variance = Number(((n * ss - s * s) * scale) / (100n * n * (n - 1n))) / 1e30;
  return { mean, variance };
}

function run(
  store: DatasetStore,
  i: number,
  algorithm: typeof summary | typeof crosstab,
  params: unknown,
  round = 1,
  input: Json = null,
) {
  return executeRun(
    {
      runId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      ...openStudy(crypto.randomUUID(), [`n${i}`]),
      algorithm: algorithm.name,
      version: algorithm.version,
      digest: algorithm.digest,
      params: params as never,
      round,
      attempt: 1,
      input,
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [],
    },
    // each node's run alone: a test of the dataset store, not of the floors
    {
      node: { id: `n${i}`, name: `node-${i}` },
      policy,
      datasets: store,
      floors: { minNodes: 1, minOrganisations: 1 },
    },
  );
}

describe('summary over three DuckDB-backed nodes', () => {
  it('pools mean and sd equal to the concatenated data to 1e-12 relative', async () => {
    const params = {
      dataset: 'cohort',
      columns: ['age', 'dose_gy', 'bmi'],
      bins: { age: { breaks: [18, 50, 60, 70, 100.5] } },
    };
    // round 1: the boundaries each node's merge crosses; round 2: the counts on the common bins
    const partsOf = (outcomes: Awaited<ReturnType<typeof run>>[]) =>
      outcomes.map((o, i) => {
        expect(o.error).toBeNull();
        return { nodeId: `n${i}`, nodeName: `node-${i}`, payload: o.payload! };
      });
    const parsed = summary.paramsSchema.parse(params);
    const merge = summary.aggregate({
      params: parsed,
      round: 1,
      state: null,
      parts: partsOf(await Promise.all(stores.map((s, i) => run(s, i, summary, params)))),
    });
    if (merge.kind !== 'next-round') throw new Error('expected the counts round');
    const agg = summary.aggregate({
      params: parsed,
      round: 2,
      state: merge.state,
      parts: partsOf(await Promise.all(stores.map((s, i) => run(s, i, summary, params, 2, merge.input)))),
    });
    expect(agg.kind).toBe('done');
    const result = doneResult<{
      columns: Array<{
        column: string;
        n: number;
        missing: number;
        mean: number;
        sd: number;
        histogram: { counts: number[] };
      }>;
    }>(agg);
    for (const col of ['age', 'dose_gy', 'bmi']) {
      const all = cohorts
        .flat()
        .map((r) => r[col])
        .filter((v): v is number => typeof v === 'number');
      const ref = exactMoments(all);
      const got = result.columns.find((c) => c.column === col)!;
      expect(got.n).toBe(all.length);
      expect(Math.abs(got.mean - ref.mean) / Math.abs(ref.mean)).toBeLessThan(1e-12);
      expect(Math.abs(got.sd - Math.sqrt(ref.variance)) / Math.sqrt(ref.variance)).toBeLessThan(1e-12);
    }
    const bmiMissing = cohorts.flat().filter((r) => r.bmi === null).length;
    expect(result.columns.find((c) => c.column === 'bmi')!.missing).toBe(bmiMissing);
    const age = cohorts.flat().map((r) => r.age as number);
    const hist = result.columns.find((c) => c.column === 'age')!.histogram.counts;
    expect(hist[1]).toBe(age.filter((a) => a >= 50 && a < 60).length);
  });

  it('merges a small bin into its neighbour at the node instead of refusing the task', async () => {
    // a top bin holding about the three oldest patients (its break snapped to the age's resolution, 1)
    const ages = cohorts[0]!.map((r) => r.age as number).sort((a, b) => b - a);
    const third = Math.round(ages[2]!);
    expect(ages.filter((a) => a >= third).length).toBeLessThan(5);
    const params = { dataset: 'cohort', columns: ['age'], bins: { age: { breaks: [10, third, 101] } } };
    const parsed = summary.paramsSchema.parse(params);
    const first = await run(stores[0]!, 0, summary, params);
    expect(first.outcome).toBe('completed');
    // no count in the merge round: the crossings only (masked where the round has peers)
    expect(JSON.stringify(first.payload)).not.toMatch(/"counts"/);
    const merge = summary.aggregate({
      params: parsed,
      round: 1,
      state: null,
      parts: [{ nodeId: 'n0', nodeName: 'node-0', payload: first.payload! }],
    });
    if (merge.kind !== 'next-round') throw new Error('expected the counts round');
    const second = await run(stores[0]!, 0, summary, params, 2, merge.input);
    expect(second.outcome).toBe('completed');
    const h = doneResult<{ columns: Array<{ histogram: Record<string, unknown> }> }>(
      summary.aggregate({
        params: parsed,
        round: 2,
        state: merge.state,
        parts: [{ nodeId: 'n0', nodeName: 'node-0', payload: second.payload! }],
      }),
    ).columns[0]!.histogram;
    // the break between the two bins is gone: one bin [10, 101] of every age, bins 1-2 merged
    expect(h.breaks).toEqual([10, 101]);
    expect(h.counts).toEqual([ages.length]);
    expect(h.requestedBreaks).toEqual([10, third, 101]);
    expect(h.mergedBins).toEqual([{ bins: [1, 2], from: 10, to: 101 }]);
  });

  it('refuses a filter that selects fewer records than the minimum subset', async () => {
    const o = await run(stores[0]!, 0, summary, {
      dataset: 'cohort',
      columns: ['age'],
      filter: { column: 'age', op: 'gt', value: 99.5 },
    });
    expect(o.error?.code).toBe('FH_ERR_SMALL_SUBSET');
  });

  it('refuses an unknown column, naming the parameter that holds it', async () => {
    const o = await run(stores[0]!, 0, summary, { dataset: 'cohort', columns: ['weight'] });
    expect(o.error?.code).toBe('FH_ERR_UNKNOWN_COLUMN');
    expect(o.error?.message).toContain('(parameter columns.0)');
  });

  it('counts a crosstab equal to counting the concatenated rows', async () => {
    const params = { dataset: 'cohort', rows: 'stage', cols: 'toxicity' };
    const outcomes = await Promise.all(stores.map((s, i) => run(s, i, crosstab, params)));
    const agg = {
      result: doneResult<{ rows: string[]; cols: string[]; counts: number[][] }>(
        crosstab.aggregate({
          params: crosstab.paramsSchema.parse(params),
          round: 1,
          state: null,
          parts: outcomes.map((o, i) => ({ nodeId: `n${i}`, nodeName: `node-${i}`, payload: o.payload! })),
        }),
      ),
    };
    expect(agg.result.rows).toEqual(['I', 'II', 'III', 'IV']);
    const all = cohorts.flat();
    for (const [i, stage] of agg.result.rows.entries())
      for (const [j, tox] of agg.result.cols.entries())
        expect(agg.result.counts[i]![j]).toBe(
          all.filter((r) => r.stage === stage && String(r.toxicity) === tox).length,
        );
  });
});

describe('loading a dataset', () => {
  it('rejects values outside the dictionary, naming column, count and first row', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'age,stage\n50,II\n150,III\n40,V\n');
    const columns = [
      { name: 'age', type: 'numeric' as const, min: 0, max: 120 },
      { name: 'stage', type: 'categorical' as const, levels: ['I', 'II', 'III', 'IV'] },
    ];
    await expect(DatasetStore.open([dataset(file, columns)])).rejects.toThrow(
      /column "age": 1 value\(s\) break the dictionary \(type numeric, min 0, max 120\); first at data row 2/,
    );
    const store = await DatasetStore.open([dataset(file, columns, 'exclude')]);
    expect(store.reports[0]).toMatchObject({ rows: 1, excluded: 2 });
    store.close();
  });

  it('names the first value that is not of its declared type (text in a number, a fraction in an integer)', async () => {
    const file = join(dir, 'types.csv');
    writeFileSync(file, 'age,fractions,sex\n50,30,F\n61,30,M\nold,30,F\n70,29.5,M\n55,NA,\n');
    const columns = [
      { name: 'age', type: 'numeric' as const },
      { name: 'fractions', type: 'integer' as const },
      { name: 'sex', type: 'categorical' as const, levels: ['F', 'M'] },
    ];
    await expect(DatasetStore.open([dataset(file, columns)])).rejects.toThrow(
      /column "age": 1 value\(s\) break the dictionary \(type numeric\); first at data row 3\n\s*column "fractions": 1 value\(s\) break the dictionary \(type integer\); first at data row 4/,
    );
    const store = await DatasetStore.open([dataset(file, columns, 'exclude')]);
    expect(store.reports[0]).toMatchObject({ rows: 3, excluded: 2 });
    const { data } = await store.get('cohort').readColumns(['age', 'fractions', 'sex'], undefined, {
      allowMissing: ['fractions', 'sex'],
    });
    expect(Array.from(data.age as Float64Array)).toEqual([50, 61, 55]);
    expect(Array.from(data.fractions as Float64Array)).toEqual([30, 30, Number.NaN]);
    expect(data.sex).toEqual(['F', 'M', null]);
    store.close();
  });

  it('names a column the file lacks', async () => {
    const file = join(dir, 'short.csv');
    writeFileSync(file, 'age\n50\n');
    await expect(
      DatasetStore.open([
        dataset(file, [
          { name: 'age', type: 'numeric' },
          { name: 'sex', type: 'categorical' },
        ]),
      ]),
    ).rejects.toThrow(/no column "sex"/);
    const cased = join(dir, 'cased.csv');
    writeFileSync(cased, 'Age\n50\n');
    await expect(DatasetStore.open([dataset(cased, [{ name: 'age', type: 'numeric' }])])).rejects.toThrow(
      /no column "age"/,
    );
  });

  it('gives a FedhubError for a missing file', async () => {
    await expect(DatasetStore.open([dataset(join(dir, 'nope.csv'))])).rejects.toBeInstanceOf(FedhubError);
    await expect(
      DatasetStore.open([{ ...dataset(join(dir, 'nope.csv')), columns: 'infer' }]),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('loading a dataset whose dictionary is inferred as it loads', () => {
  it('proposes what inferDictionary proposes for the file, and serves the same rows as the declared load', async () => {
    const file = join(dir, 'centre-0.csv');
    const inferred = await DatasetStore.open([{ ...dataset(file), columns: 'infer' }]);
    try {
      const columns = inferred.get('cohort').dictionary.columns;
      expect(columns).toEqual(await inferDictionary(file));
      // the identifier is never listed as levels; the few-valued text columns are, sorted
      expect(columns.find((c) => c.name === 'patient_id')).toEqual({
        name: 'patient_id',
        type: 'categorical',
        identifier: true,
      });
      expect(columns.find((c) => c.name === 'stage')).toMatchObject({ levels: ['I', 'II', 'III', 'IV'] });
      expect(inferred.reports[0]).toMatchObject({ rows: cohorts[0]!.length, excluded: 0 });
      const read = (s: DatasetStore) => s.get('cohort').readColumns(['age', 'stage', 'toxicity']);
      expect(await read(inferred)).toEqual(await read(stores[0]!));
    } finally {
      inferred.close();
    }
  });

  it('reads text columns the same with their values given as a superset (no lookup)', async () => {
    const ds = stores[0]!.get('cohort');
    const plain = await ds.readColumns(['stage', 'sex', 'age']);
    const known = await ds.readColumns(['stage', 'sex', 'age'], undefined, {
      knownValues: { stage: ['IV', 'III', 'II', 'I', 'V'], sex: ['M', 'F'] },
    });
    expect(known).toEqual(plain);
  });

  it("types a column from every row when the sniffer's sample missed a value of another type", async () => {
    const file = join(dir, 'late-fraction.csv');
    // the sniffer samples the start of the file: a fraction far down a column of whole numbers
    const rows = ['n,x', ...Array.from({ length: 30000 }, (_, i) => `${i},1`), '30000,2.5'];
    writeFileSync(file, `${rows.join('\n')}\n`);
    const store = await DatasetStore.open([
      { name: 'd', file, format: 'csv', columns: 'infer', onInvalid: 'reject' },
    ]);
    try {
      expect(store.get('d').dictionary.columns).toEqual([
        { name: 'n', type: 'integer' },
        { name: 'x', type: 'numeric' },
      ]);
      expect(store.reports[0]).toMatchObject({ rows: 30001, excluded: 0 });
      const { data } = await store.get('d').readColumns(['x']);
      expect((data.x as Float64Array)[30000]).toBe(2.5);
    } finally {
      store.close();
    }
  });
});
