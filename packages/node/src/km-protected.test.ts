/**
 * Kaplan–Meier under the default disclosure policy, through three DuckDB-backed nodes with secure
 * aggregation: 1,200 seeded patients (400 per centre) grouped by stage, against R's survfit on the pooled
 * raw times (packages/stats/scripts/make-km-stage-fixture.R). Protection may coarsen the curves, never move
 * them: every released S(t) within 0.03 of R's pooled curve at t, each median within 3 months of R's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateNodeKeys } from '@fedhub/crypto';
import { type ColumnSpec, DisclosurePolicySchema } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from './datasets/duckdb-store.js';
import { type LocalNode, runLocalFederation } from './local-federation.js';

const fixtures = fileURLToPath(new URL('../../stats/fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fedhub-km-'));
const nodes: LocalNode[] = [];
const ref = JSON.parse(readFileSync(join(fixtures, 'km-stage.json'), 'utf8')) as {
  strata: string[];
  time: number[];
  surv: number[];
  levels: string[];
  median: Array<number | null>;
  logrankCoarsened: { chisq: number; observed: number[]; expected: number[] };
};
const DICTIONARY: ColumnSpec[] = [
  { name: 'centre', type: 'categorical', levels: ['A', 'B', 'C'] },
  { name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
  // the time axis comes from the declared range, never from the data
  { name: 'months', type: 'numeric', unit: 'mo', min: 0, max: 120 },
  { name: 'dead', type: 'integer', min: 0, max: 1 },
];

beforeAll(async () => {
  const lines = readFileSync(join(fixtures, 'km-stage-cohort.csv'), 'utf8').trim().split('\n');
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
    });
  }
});
afterAll(() => {
  for (const n of nodes) n.datasets.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Curve {
  group: string;
  start: number[];
  time: number[];
  coarsened: boolean[];
  nEvent: number[];
  surv: number[];
  median: number | null;
  medianInterval: [number, number] | null;
  censorings: { count: number[] };
}

function rSurvAt(stage: string, t: number): number {
  let s = 1;
  ref.strata.forEach((st, i) => {
    if (st === stage && ref.time[i]! <= t) s = ref.surv[i]!;
  });
  return s;
}

describe('Kaplan–Meier by stage under the default policy (5/10), 3 centres, secure aggregation', () => {
  it('coarsens, never moves: S(t) within 0.03 of pooled R, medians within 3 months, coarsening said', async () => {
    const { result } = await runLocalFederation(
      'km',
      // the reference's coarsening (R on month-coarsened rows); the dictionary's default for months is 0.1
      { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage', timeResolution: 1 },
      nodes,
      { secureAggregation: true },
    );
    const r = result as unknown as {
      curves: Curve[];
      coarsening: {
        minCellCount: number;
        mergedTimes: number;
        curvesCoarsened: string[];
        timeResolution: number;
      };
      logRank: { chisq: number; observed: number[]; expected: number[] };
    };
    expect(r.coarsening.minCellCount).toBe(5);
    expect(r.coarsening.timeResolution).toBe(1);
    expect(r.coarsening.mergedTimes).toBeGreaterThan(0);
    expect(r.coarsening.curvesCoarsened).toEqual(['I', 'II', 'III', 'IV']);
    let worst = 0;
    for (const c of r.curves) {
      const g = ref.levels.indexOf(c.group);
      expect(g).toBeGreaterThanOrEqual(0);
      expect(c.coarsened.some((b) => b)).toBe(true);
      c.time.forEach((t, j) => {
        expect(c.nEvent[j]! >= 5).toBe(true);
        worst = Math.max(worst, Math.abs(c.surv[j]! - rSurvAt(c.group, t)));
      });
      for (const n of c.censorings.count) expect(n).toBeGreaterThanOrEqual(5);
      const rMedian = ref.median[g]!;
      if (rMedian === null) expect(c.median).toBeNull();
      else {
        expect(Math.abs(c.median! - rMedian)).toBeLessThan(3);
        if (c.medianInterval) {
          expect(rMedian).toBeGreaterThan(c.medianInterval[0] - 1);
          expect(rMedian).toBeLessThanOrEqual(c.medianInterval[1]);
        }
      }
    }
    expect(worst).toBeLessThan(0.03);
    // the log-rank test is survdiff on the month-coarsened pooled rows
    expect(Math.abs(r.logRank.chisq - ref.logrankCoarsened.chisq) / ref.logrankCoarsened.chisq).toBeLessThan(
      1e-9,
    );
    expect(r.logRank.observed).toEqual(ref.logrankCoarsened.observed);
  });

  it("at the dictionary's default resolution for months (0.1): the same bounds against R on the exact times", async () => {
    const { result } = await runLocalFederation(
      'km',
      { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage' },
      nodes,
      { secureAggregation: true },
    );
    const r = result as unknown as {
      curves: Curve[];
      timeResolution: number;
      timeResolutionBasis: string;
    };
    expect(r.timeResolution).toBe(0.1);
    expect(r.timeResolutionBasis).toMatch(/default/);
    let worst = 0;
    for (const c of r.curves) {
      const g = ref.levels.indexOf(c.group);
      c.time.forEach((t, j) => {
        worst = Math.max(worst, Math.abs(c.surv[j]! - rSurvAt(c.group, t)));
      });
      const rMedian = ref.median[g]!;
      if (rMedian !== null) expect(Math.abs(c.median! - rMedian)).toBeLessThan(3);
    }
    expect(worst).toBeLessThan(0.03);
  });
});
