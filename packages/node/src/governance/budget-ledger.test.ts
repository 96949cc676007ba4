/**
 * The differential-privacy budget and the per-study quota, through the node's executor on a real dataset:
 * noisy releases carry their noise description, the budget is charged before release and refused when
 * spent (also after the node restarts), and exact releases of other algorithms are refused.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AggregateOutcome, crosstab, getAlgorithm, summary } from '@fedhub/algorithms';
import { DisclosurePolicySchema, type Json } from '@fedhub/protocol';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../datasets/duckdb-store.js';
import { executeRun } from '../executor.js';
import { BudgetLedger } from './budget-ledger.js';
import { PrivacyConfigSchema } from './dp-config.js';
import type { PrivacyControls } from './dp-gate.js';
import { QuotaLedger } from './quota-ledger.js';
import { openStudy } from './study-gate.js';

/** The result of an aggregate that must be done, in the shape the test reads. */
function doneResult<T>(outcome: AggregateOutcome): T {
  if (outcome.kind !== 'done') throw new Error('expected a result, the aggregate asked for another round');
  return outcome.result as unknown as T;
}

const dir = mkdtempSync(join(tmpdir(), 'fedhub-budget-'));
const policy = DisclosurePolicySchema.parse({});
const rows = generateCohort(DEMO_CENTRES[0]!, 300, 11);
const file = join(dir, 'cohort.csv');
writeFileSync(file, toCsv(rows));
let store: DatasetStore;
beforeAll(async () => {
  store = await DatasetStore.open([
    { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
  ]);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function controls(dataDir: string, raw: unknown): PrivacyControls {
  return {
    config: PrivacyConfigSchema.parse(raw),
    budget: new BudgetLedger(dataDir),
    quota: new QuotaLedger(dataDir),
  };
}

function close(c: PrivacyControls) {
  c.budget.close();
  c.quota.close();
}

async function run(
  privacy: PrivacyControls,
  studyId: string,
  algorithm: string,
  params: Json,
  taskId: string = crypto.randomUUID(),
  next?: { round: number; input: Json },
) {
  const a = getAlgorithm(algorithm)!;
  return executeRun(
    {
      runId: crypto.randomUUID(),
      taskId,
      ...openStudy(studyId, ['n']),
      algorithm: a.name,
      version: a.version,
      digest: a.digest,
      params,
      round: next?.round ?? 1,
      attempt: 1,
      input: next ? next.input : a.firstInput(params as never),
      leaseExpiresAt: new Date().toISOString(),
      leaseMs: 30000,
      peers: [],
    },
    {
      node: { id: 'n', name: 'Hospital A' },
      policy,
      datasets: store,
      privacy,
      floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
    },
  );
}

const SUMMARY = { dataset: 'cohort', columns: ['age'], bins: { age: { breaks: [18, 50, 65, 75, 100] } } };
const DP = {
  dataset: 'cohort',
  mechanism: 'laplace',
  budget: { epsilon: 1 },
  perRelease: { epsilon: 0.5 },
};

describe('differential-privacy budget at the node', () => {
  it('noises a binned summary in both its rounds, describes the noise, and refuses the next release once epsilon 1 is spent, across a node restart', async () => {
    const dataDir = join(dir, 'restart');
    let c = controls(dataDir, { differential: [DP] });
    const study = crypto.randomUUID();
    // round 1 (bins merged at the node): the cell counts noised before the merge, a release of 0.5
    const merge = await run(c, study, 'summary', SUMMARY);
    expect(merge.outcome).toBe('completed');
    const m = merge.payload as { privacy: { epsilon: number; components: unknown[] } };
    expect(m.privacy.epsilon).toBe(0.5);
    expect(m.privacy.components).toHaveLength(1);
    const next = summary.aggregate({
      params: summary.paramsSchema.parse(SUMMARY),
      round: 1,
      state: null,
      parts: [{ nodeId: 'n', nodeName: 'Hospital A', payload: merge.payload as Json }],
    });
    if (next.kind !== 'next-round') throw new Error('expected the counts round');
    // round 2: the counts on the merged bins and the moments, noised, a release of 0.5
    const first = await run(c, study, 'summary', SUMMARY, undefined, { round: 2, input: next.input });
    expect(first.outcome).toBe('completed');
    const payload = first.payload as {
      privacy: {
        mechanism: string;
        epsilon: number;
        delta: number;
        components: Array<{ sensitivity: number; epsilon: number }>;
      };
    };
    expect(payload.privacy.mechanism).toBe('laplace');
    expect(payload.privacy.epsilon).toBe(0.5);
    expect(payload.privacy.delta).toBe(0);
    // n+missing, sum, sum of squares, histogram: four statistics sharing epsilon 0.5
    expect(payload.privacy.components.map((x) => x.epsilon)).toEqual([0.125, 0.125, 0.125, 0.125]);
    expect(payload.privacy.components.map((x) => x.sensitivity)).toEqual([1, 1001, 1001, 1]);
    // the node sends its numbers in the additive vector: read them as the aggregator does
    const pooled = summary.aggregate({
      params: summary.paramsSchema.parse(SUMMARY),
      round: 2,
      state: next.state,
      parts: [{ nodeId: 'n', nodeName: 'Hospital A', payload: first.payload as Json }],
    });
    const col = doneResult<{ columns: Array<{ n: number; mean: number }> }>(pooled).columns[0]!;
    expect(Number.isInteger(col.n)).toBe(true);
    // Laplace scale 8 on n: 6 standard deviations is ~ 68
    expect(Math.abs(col.n - 300)).toBeLessThan(70);
    expect(col.mean).toBeGreaterThanOrEqual(18);
    expect(col.mean).toBeLessThanOrEqual(100);
    expect(c.budget.spent('cohort').epsilon).toBeCloseTo(1, 12);
    close(c);
    c = controls(dataDir, { differential: [DP] });
    const third = await run(c, study, 'summary', SUMMARY);
    expect(third.outcome).toBe('refused');
    expect(third.error?.code).toBe('FH_ERR_BUDGET_EXHAUSTED');
    // the hub learns the rule, not the dataset's spent budget
    expect(third.error?.message).toBe(
      'Hospital A: The differential-privacy budget of this dataset is spent (over every study) (parameter dataset)',
    );
    // the budget is the dataset's: another study brings no new one
    expect((await run(c, crypto.randomUUID(), 'summary', SUMMARY)).error?.code).toBe(
      'FH_ERR_BUDGET_EXHAUSTED',
    );
    close(c);
  });

  it('releases every declared cell of a crosstab with noise, and refuses exact algorithms unless listed', async () => {
    const c = controls(join(dir, 'crosstab'), {
      differential: [{ ...DP, budget: { epsilon: 10 }, exactAlgorithms: ['ttest'] }],
    });
    const study = crypto.randomUUID();
    const r = await run(c, study, 'crosstab', { dataset: 'cohort', rows: 'sex', cols: 'stage' });
    expect(r.outcome).toBe('completed');
    const p = r.payload as {
      additive: number[];
      privacy: { components: unknown[] };
    };
    expect(p.privacy.components).toHaveLength(1);
    // the counts on the dictionary's grid, in the additive vector
    const total = p.additive.reduce((s, x) => s + x, 0);
    // 2 x 4 declared cells plus missing levels: 15 cells of Laplace scale 2 (sd 2.8)
    expect(Math.abs(total - 300)).toBeLessThan(6 * 2.9 * Math.sqrt(15));
    const glm = await run(c, study, 'glm', {
      dataset: 'cohort',
      formula: 'toxicity ~ age',
      family: 'binomial',
    });
    expect(glm.error?.code).toBe('FH_ERR_DP_REQUIRED');
    expect(crosstab.version).toBe('1.2.0');
    close(c);
  });

  it('refuses a DP sum over a column without declared bounds', async () => {
    const noBounds = COHORT_DICTIONARY.map((col) =>
      col.name === 'age' ? { ...col, min: undefined, max: undefined } : col,
    );
    const s2 = await DatasetStore.open([
      { name: 'cohort', file, format: 'csv', columns: noBounds as never, onInvalid: 'reject' },
    ]);
    const c = controls(join(dir, 'bounds'), { differential: [DP], quota: { maxResultsPerStudy: 5 } });
    const a = summary;
    const studyId = crypto.randomUUID();
    const r = await executeRun(
      {
        runId: crypto.randomUUID(),
        taskId: crypto.randomUUID(),
        ...openStudy(studyId, ['n']),
        algorithm: a.name,
        version: a.version,
        digest: a.digest,
        params: SUMMARY,
        round: 1,
        attempt: 1,
        input: null,
        leaseExpiresAt: new Date().toISOString(),
        leaseMs: 30000,
        peers: [],
      },
      {
        node: { id: 'n', name: 'Hospital A' },
        policy,
        datasets: s2,
        privacy: c,
        floors: { minNodes: 1, minOrganisations: 1 } /* a one-node test of another rule */,
      },
    );
    expect(r.error?.code).toBe('FH_ERR_DP_REQUIRED');
    // the parameter that names the column without bounds
    expect(r.error?.message).toMatch(/\(parameter columns\.\d\)$/);
    // budget and quota are taken before the data is read: a refused run has paid like a release
    expect(c.budget.spent('cohort')).toEqual({ epsilon: 0.5, delta: 0 });
    expect(c.quota.used(studyId)).toBe(1);
    s2.close();
    close(c);
  });
});

describe('per-study query quota at the node', () => {
  it('counts each task once and refuses the study past its quota; a per-study override wins', async () => {
    const study = crypto.randomUUID();
    const small = crypto.randomUUID();
    const c = controls(join(dir, 'quota'), { quota: { maxResultsPerStudy: 2, perStudy: { [small]: 0 } } });
    const task = crypto.randomUUID();
    const params = { dataset: 'cohort', columns: ['age'] };
    expect((await run(c, study, 'summary', params, task)).outcome).toBe('completed');
    // a second round or attempt of the same task is the same result
    expect((await run(c, study, 'summary', params, task)).outcome).toBe('completed');
    expect((await run(c, study, 'summary', params)).outcome).toBe('completed');
    const over = await run(c, study, 'summary', params);
    expect(over.error?.code).toBe('FH_ERR_QUOTA_EXCEEDED');
    expect(over.error?.message).toBe("Hospital A: The study's quota of released results is used up");
    expect((await run(c, small, 'summary', params)).error?.code).toBe('FH_ERR_QUOTA_EXCEEDED');
    // a ping reads no records and is not counted
    expect((await run(c, study, 'ping', {})).outcome).toBe('completed');
    expect(c.quota.used(study)).toBe(2);
    close(c);
  });

  it('does not count a release refused for its spent budget against the quota', async () => {
    const c = controls(join(dir, 'quota-budget'), { differential: [DP], quota: { maxResultsPerStudy: 5 } });
    const study = crypto.randomUUID();
    const params = { dataset: 'cohort', columns: ['age'] };
    expect((await run(c, study, 'summary', params)).outcome).toBe('completed');
    expect((await run(c, study, 'summary', params)).outcome).toBe('completed');
    expect((await run(c, study, 'summary', params)).error?.code).toBe('FH_ERR_BUDGET_EXHAUSTED');
    expect(c.quota.used(study)).toBe(2);
    close(c);
  });
});
