/**
 * Federated validation of a frozen score against pROC and R glm on the pooled rows.
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
const permissive = fed.permissive;

describe('federated validation of a frozen score equals pROC and R glm on the pooled data', () => {
  it('AUC with DeLong CI, Brier, Hosmer–Lemeshow, calibration slope and in-the-large', async () => {
    const v = JSON.parse(readFileSync(join(fixtures, 'validation.json'), 'utf8')) as Record<
      string,
      number | number[]
    >;
    const params = {
      dataset: 'cohort',
      outcome: 'toxicity',
      model: { score: 'score' },
      scoreResolution: 0.001,
    };
    // under the default policy each node merges adjacent score bins until every count passes (score-merge.ts):
    // the validation is released, its AUC within 1e-3 of pROC's on the unmerged scores
    const merged = (await runLocalFederation('validate', params, nodes)).result as {
      pooled: { auc: number; n: number; hosmerLemeshow: { n: number[] } };
    };
    expect(Math.abs(merged.pooled.auc - (v.auc as number))).toBeLessThan(1e-3);
    expect(merged.pooled.n).toBe(1800);
    // below: a policy of one record per cell merges nothing, and every number equals R's
    const { result, transcript } = await runLocalFederation('validate', params, permissive());
    const r = result as {
      pooled: Record<string, number> & {
        hosmerLemeshow: { statistic: number; df: number; observed: number[] };
      };
      perCentre: Array<{
        centre: string;
        auc: number;
        n: number;
        events: number;
        roc: Array<{ tpr: number; fpr: number }>;
        hosmerLemeshow: { n: number[]; observed: number[]; expected: number[] };
      }>;
    };
    expect(rel(r.pooled.auc!, v.auc as number)).toBeLessThan(1e-12);
    expect(rel(r.pooled.aucVariance!, v.delongVar as number)).toBeLessThan(1e-9);
    expect(rel(r.pooled.aucCiLower!, v.ciLower as number)).toBeLessThan(1e-9);
    expect(rel(r.pooled.brier!, v.brier as number)).toBeLessThan(1e-12);
    expect(rel(r.pooled.calibrationSlope!, v.calibrationSlope as number)).toBeLessThan(1e-7);
    expect(rel(r.pooled.calibrationSlopeStdError!, v.calibrationSlopeSe as number)).toBeLessThan(1e-6);
    expect(rel(r.pooled.calibrationInLarge!, v.calibrationInLarge as number)).toBeLessThan(1e-7);
    expect(rel(r.pooled.calibrationInLargeStdError!, v.calibrationInLargeSe as number)).toBeLessThan(1e-6);
    // Wald 95% intervals of both calibration GLMs, as R's confint.default
    const ci = (
      JSON.parse(readFileSync(join(fixtures, 'validation-intervals.json'), 'utf8')) as {
        calibration: Record<string, number>;
      }
    ).calibration;
    expect(rel(r.pooled.calibrationSlopeCiLower!, ci['slopeLower']!)).toBeLessThan(1e-6);
    expect(rel(r.pooled.calibrationSlopeCiUpper!, ci['slopeUpper']!)).toBeLessThan(1e-6);
    expect(rel(r.pooled.calibrationInLargeCiLower!, ci['largeLower']!)).toBeLessThan(1e-6);
    expect(rel(r.pooled.calibrationInLargeCiUpper!, ci['largeUpper']!)).toBeLessThan(1e-6);
    expect(r.pooled.hosmerLemeshow.observed).toEqual(v.hlObserved);
    expect(rel(r.pooled.hosmerLemeshow.statistic, v.hlStatistic as number)).toBeLessThan(1e-9);
    expect(r.perCentre.map((c) => c.centre)).toEqual(nodes.map((n) => n.name));
    // 1.5.0: each centre's ROC curve and risk groups (per-centre curves in the dashboard): the curves run
    // from (0, 0) to (1, 1) without stepping back, and the centres' groups add up to the pooled groups
    const pooledHl = r.pooled.hosmerLemeshow as unknown as {
      n: number[];
      observed: number[];
      expected: number[];
    };
    for (const c of r.perCentre) {
      expect(c.roc[0]).toMatchObject({ tpr: 0, fpr: 0 });
      expect(c.roc.at(-1)).toMatchObject({ tpr: 1, fpr: 1 });
      for (let i = 1; i < c.roc.length; i++) {
        expect(c.roc[i]!.tpr).toBeGreaterThanOrEqual(c.roc[i - 1]!.tpr);
        expect(c.roc[i]!.fpr).toBeGreaterThanOrEqual(c.roc[i - 1]!.fpr);
      }
      expect(c.roc.length).toBeGreaterThan(3);
      expect(c.hosmerLemeshow.n.reduce((a, b) => a + b, 0)).toBe(c.n);
      expect(c.hosmerLemeshow.observed.reduce((a, b) => a + b, 0)).toBe(c.events);
    }
    for (const key of ['n', 'observed', 'expected'] as const)
      pooledHl[key].forEach((v, g) => {
        const sum = r.perCentre.reduce((a, c) => a + c.hosmerLemeshow[key][g]!, 0);
        expect(Math.abs(sum - v)).toBeLessThan(1e-9);
      });
    // every pooled round crossed the hub masked
    for (const round of transcript.slice(1))
      for (const payload of round) expect(payload).not.toHaveProperty('additive');
  });
});

describe('validating a fitted glm on its own training data', () => {
  it('gives calibration slope 1 and calibration-in-the-large 0, as the logistic MLE guarantees', async () => {
    const formula = 'toxicity ~ age + sex + factor(stage) + dose_gy';
    const fit = (
      await runLocalFederation(
        'glm',
        { dataset: 'cohort', formula, family: 'binomial', control: { epsilon: 1e-14, maxit: 50 } },
        nodes,
      )
    ).result as {
      coefficients: Array<{ term: string; estimate: number }>;
    };
    const coefficients = Object.fromEntries(fit.coefficients.map((c) => [c.term, c.estimate]));
    const { result } = await runLocalFederation(
      'validate',
      {
        dataset: 'cohort',
        outcome: 'toxicity',
        model: { formula: '~ age + sex + factor(stage) + dose_gy', coefficients },
      },
      permissive(),
    );
    const r = result as { pooled: { calibrationSlope: number; calibrationInLarge: number; auc: number } };
    expect(Math.abs(r.pooled.calibrationSlope - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.pooled.calibrationInLarge)).toBeLessThan(1e-6);
    expect(r.pooled.auc).toBeGreaterThan(0.5);
  });
});
