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
