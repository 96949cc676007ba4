/**
 * Federated quantiles, t-tests and chi-squared tests against R on the pooled rows.
 * Over the reference federation (three DuckDB-backed nodes, the node's executor, secure aggregation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import {
  STATS_FIXTURES as fixtures,
  rel,
  useReferenceFederation,
} from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const { nodes } = fed;

const desc = JSON.parse(readFileSync(join(fixtures, 'descriptive.json'), 'utf8')) as {
  probs: number[];
  ageQuantiles: number[];
  doseQuantiles: number[];
  welch: { statistic: number; df: number; p: number; ciLower: number; ciUpper: number };
  pooled: { statistic: number; df: number; p: number; ciLower: number; ciUpper: number };
  chisq2x2: { statistic: number; p: number };
  chisq2x2NoCorrect: { statistic: number; p: number };
  chisq4x2: { statistic: number; df: number; p: number };
};

describe('federated quantiles and tests equal R on the pooled data', () => {
  it('type-7 quantiles of age and dose by bisection on masked counts', async () => {
    for (const [column, ref] of [
      ['age', desc.ageQuantiles],
      ['dose_gy', desc.doseQuantiles],
    ] as const) {
      // R's probs include 0 and 1 (min and max), which the federation never releases: compare the inner ones
      const inner = desc.probs.map((p, i) => [p, ref[i]!] as const).filter(([p]) => p > 0 && p < 1);
      // released on the dictionary's resolution (0.001 here); with a minimum cell count of 1 none is withheld
      const { result } = await runLocalFederation(
        'quantiles',
        { dataset: 'cohort', column, probs: inner.map(([p]) => p) },
        nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } })),
      );
      const r = result as {
        quantiles: Array<{ prob: number; value: number }>;
        tolerance: number;
        resolution: number;
      };
      expect(r.resolution).toBe(0.001);
      expect(r.quantiles).toHaveLength(5);
      for (const [i, q] of r.quantiles.entries())
        expect(Math.abs(q.value - inner[i]![1])).toBeLessThanOrEqual(0.0005 + r.tolerance * 2);
    }
    await expect(
      runLocalFederation('quantiles', { dataset: 'cohort', column: 'age', probs: [0.001] }, nodes),
    ).rejects.toThrow(/single patients' values/);
  });
  it("order-statistic confidence intervals of the quantiles, released by the quantiles' rule", async () => {
    const ref = JSON.parse(readFileSync(join(fixtures, 'quantile-ci.json'), 'utf8')) as Record<
      string,
      { probs: number[]; lower: number[]; upper: number[]; coverage: number[] }
    >;
    for (const column of ['age', 'dose_gy'] as const) {
      const want = ref[column]!;
      const params = { dataset: 'cohort', column, probs: want.probs, ci: true };
      const { result } = await runLocalFederation(
        'quantiles',
        params,
        nodes.map((n) => ({ ...n, policy: { ...n.policy, minCellCount: 1 } })),
      );
      const r = result as {
        quantiles: Array<{ ciLower: number; ciUpper: number; ciCoverage: number }>;
        tolerance: number;
        ci: { level: number };
      };
      expect(r.ci.level).toBe(0.95);
      r.quantiles.forEach((q, i) => {
        // released on the dictionary's resolution (0.001)
        expect(Math.abs(q.ciLower - want.lower[i]!)).toBeLessThanOrEqual(0.0005 + r.tolerance * 2);
        expect(Math.abs(q.ciUpper - want.upper[i]!)).toBeLessThanOrEqual(0.0005 + r.tolerance * 2);
        expect(Math.abs(q.ciCoverage - want.coverage[i]!)).toBeLessThan(1e-12);
      });
      // under the default policy an end is one record's value on a 0.001 grid: withheld unless enough
      // records share its rounding interval, as a quantile is
      const protectedRun = (await runLocalFederation('quantiles', params, nodes)).result as {
        quantiles: Array<{ ciLower: number | null; ciLowerWithheld?: string }>;
      };
      for (const q of protectedRun.quantiles)
        if (q.ciLower === null) expect(q.ciLowerWithheld).toBe('FH_ERR_SMALL_CELL');
    }
  });
  it('Welch and pooled t-tests of age by sex (R t.test)', async () => {
    for (const [pooled, ref] of [
      [false, desc.welch],
      [true, desc.pooled],
    ] as const) {
      const { result } = await runLocalFederation(
        'ttest',
        { dataset: 'cohort', column: 'age', group: 'sex', levels: ['F', 'M'], pooled },
        nodes,
      );
      const r = result as {
        statistic: number;
        df: number;
        pValue: number;
        ciLower: number;
        ciUpper: number;
        groups: Array<{ level: string }>;
      };
      expect(r.groups.map((g) => g.level)).toEqual(['F', 'M']);
      expect(rel(r.statistic, ref.statistic)).toBeLessThan(1e-9);
      expect(rel(r.df, ref.df)).toBeLessThan(1e-9);
      expect(rel(r.pValue, ref.p)).toBeLessThan(1e-7);
      expect(rel(r.ciLower, ref.ciLower)).toBeLessThan(1e-8);
    }
  });
  it('chi-square tests of sex x toxicity (Yates and not) and stage x toxicity (R chisq.test)', async () => {
    const yates = (
      await runLocalFederation('chisq', { dataset: 'cohort', rows: 'sex', cols: 'toxicity' }, nodes)
    ).result as { test: { statistic: number; pValue: number } };
    expect(rel(yates.test.statistic, desc.chisq2x2.statistic)).toBeLessThan(1e-10);
    const plain = (
      await runLocalFederation(
        'chisq',
        { dataset: 'cohort', rows: 'sex', cols: 'toxicity', correct: false },
        nodes,
      )
    ).result as { test: { statistic: number } };
    expect(rel(plain.test.statistic, desc.chisq2x2NoCorrect.statistic)).toBeLessThan(1e-10);
    const big = (
      await runLocalFederation('chisq', { dataset: 'cohort', rows: 'stage', cols: 'toxicity' }, nodes)
    ).result as { test: { statistic: number; df: number; pValue: number } };
    expect(rel(big.test.statistic, desc.chisq4x2.statistic)).toBeLessThan(1e-10);
    expect(big.test.df).toBe(3);
  });
});
