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

describe('a frozen formula model under a filter keeps every declared level of its factors', () => {
  type Pooled = {
    pooled: { n: number; auc: number; brier: number; calibrationInLarge: number; calibrationSlope: number };
  };
  const run = async (model: object, value: string) =>
    (
      (
        await runLocalFederation(
          'validate',
          {
            dataset: 'cohort',
            outcome: 'toxicity',
            model,
            filter: { column: 'stage', op: 'eq', value },
          },
          permissive(),
        )
      ).result as Pooled
    ).pooled;
  const expectSame = (got: Pooled['pooled'], want: Pooled['pooled']) => {
    expect(got.n).toBe(want.n);
    expect(got.auc).toBe(want.auc);
    expect(rel(got.brier, want.brier)).toBeLessThan(1e-12);
    expect(rel(got.calibrationInLarge, want.calibrationInLarge)).toBeLessThan(1e-9);
    expect(rel(got.calibrationSlope, want.calibrationSlope)).toBeLessThan(1e-9);
  };

  it('a filter keeping one stage: the predictions are the model’s (stage III’s coefficient counts)', async () => {
    const model = {
      formula: '~ age + stage',
      coefficients: { '(Intercept)': -4.2, age: 0.021, stageII: 0.4, stageIII: 0.9, stageIV: 1.3 },
    };
    // by hand from the coefficients: on stage III records the linear predictor is -4.2 + 0.9 + 0.021 age
    const hand = { formula: '~ age', coefficients: { '(Intercept)': -4.2 + 0.9, age: 0.021 } };
    const got = await run(model, 'III');
    expectSame(got, await run(hand, 'III'));
    // what the design built from the levels the filtered data hold gave: stage III's coefficient dropped out
    const dropped = await run({ formula: '~ age', coefficients: { '(Intercept)': -4.2, age: 0.021 } }, 'III');
    expect(Math.abs(got.calibrationInLarge - dropped.calibrationInLarge)).toBeGreaterThan(0.5);
    // the reference level (no coefficient) under a one-level filter: the intercept alone
    expectSame(
      await run(model, 'I'),
      await run({ formula: '~ age', coefficients: { '(Intercept)': -4.2, age: 0.021 } }, 'I'),
    );
  });

  it('a model whose reference is not the first declared level (relevelled at fitting) predicts the same', async () => {
    // stage II as reference: stage I -0.4, III 0.5, IV 0.9 relative to it, the same predictions as above
    const releveled = {
      formula: '~ age + stage',
      coefficients: { '(Intercept)': -3.8, age: 0.021, stageI: -0.4, stageIII: 0.5, stageIV: 0.9 },
    };
    const hand = (shift: number) => ({
      formula: '~ age',
      coefficients: { '(Intercept)': shift, age: 0.021 },
    });
    expectSame(await run(releveled, 'III'), await run(hand(-3.8 + 0.5), 'III'));
    expectSame(await run(releveled, 'II'), await run(hand(-3.8), 'II'));
  });

  it('refuses a coefficient missing for a numeric term, naming it', async () => {
    await expect(
      run({ formula: '~ age + stage', coefficients: { '(Intercept)': -4.2, stageIII: 0.9 } }, 'III'),
    ).rejects.toMatchObject({ details: { code: 'FH_ERR_BAD_PARAMS' } });
  });
});
