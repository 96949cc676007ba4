/**
 * coxph's robust and cluster-robust standard errors, predicted survival curves and the centre as strata,
 * over the reference federation (three nodes, secure aggregation), against R on the pooled, coarsened rows
 * (packages/stats/scripts/make-cox-robust-fixture.R).
 */
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import { rel, statsFixture, useReferenceFederation } from '../test-support/reference-federation.js';

const fed = useReferenceFederation();

interface RobustRef {
  name: string;
  formula: string;
  ties: 'efron' | 'breslow';
  names: string[];
  robustSe: number[];
  robustScore: number;
}
interface CurveRef {
  name: string;
  formula: string;
  time: number[];
  strata: string[];
  nEvent: number[];
  curves: Array<{ surv: number[]; stdErr: number[]; lower: number[]; upper: number[] }>;
}
const fx = statsFixture<{
  resolution: number;
  robust: RobustRef[];
  curves: CurveRef[];
  centre: { cox: { formula: string; names: string[]; coef: number[]; se: number[]; loglik: number[] } };
}>('cox-robust.json');

interface Curve {
  label: string;
  stratum: string | null;
  start: number[];
  time: number[];
  coarsened: boolean[];
  nEvent: number[];
  surv: number[];
  stdErr: number[];
  lower: number[];
  upper: number[];
}
interface Result {
  coefficients: Array<{ term: string; estimate: number; stdError: number }>;
  loglik: number[];
  robust?: {
    cluster: string;
    clusters: number;
    coefficients: Array<{ term: string; robustSe: number }>;
    score: { statistic: number | null; df: number };
  };
  survivalCurves?: { minCellCount: number; mergedTimes: number; curves: Curve[] };
}
const run = async (params: Record<string, unknown>, nodes = fed.nodes) =>
  (await runLocalFederation('coxph', { dataset: 'cohort', timeResolution: fx.resolution, ...params }, nodes))
    .result as unknown as Result;
const months = (f: string) => f.replace('Surv(tc,', 'Surv(months,');
const ref = (name: string) => fx.robust.find((r) => r.name === name)!;

describe('coxph robust standard errors, survival curves and the centre as strata equal R', () => {
  it.each([
    ['efron', { robust: true }, 'individual', 1800],
    ['efronCentre', { cluster: 'centre' }, 'centre', 3],
    ['efronStrata', { robust: true }, 'individual', 1800],
  ] as const)('%s: robust SEs to 1e-6', async (name, extra, cluster, clusters) => {
    const want = ref(name);
    const r = await run({ formula: months(want.formula), ties: want.ties, ...extra });
    expect(r.robust!.cluster).toBe(cluster);
    expect(r.robust!.clusters).toBe(clusters);
    expect(r.robust!.coefficients.map((c) => c.term)).toEqual(want.names);
    r.robust!.coefficients.forEach((c, j) => {
      expect(rel(c.robustSe, want.robustSe[j]!)).toBeLessThan(1e-6);
    });
    // R's robust score test; with 3 clusters for 6 coefficients it has no meaning (R prints the rank)
    if (cluster === 'centre') expect(r.robust!.score.statistic).toBeNull();
    else expect(rel(r.robust!.score.statistic!, want.robustScore)).toBeLessThan(1e-6);
  });

  it('a cluster column counts its values within each centre as clusters (R: cluster(centre:stage))', async () => {
    const want = ref('efronWard');
    const r = await run({ formula: months(want.formula), ties: want.ties, cluster: 'stage' });
    expect(r.robust!.cluster).toBe('stage');
    expect(r.robust!.clusters).toBeGreaterThan(3);
    r.robust!.coefficients.forEach((c, j) => {
      expect(rel(c.robustSe, want.robustSe[j]!)).toBeLessThan(1e-6);
    });
  });

  it('adjustForCentre stratifies by node as R strata(centre) on the pooled file', async () => {
    const want = fx.centre.cox;
    const r = await run({ formula: months(want.formula), adjustForCentre: true });
    expect(r.coefficients.map((c) => c.term)).toEqual(want.names);
    r.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, want.coef[j]!)).toBeLessThan(1e-6);
      expect(rel(c.stdError, want.se[j]!)).toBeLessThan(1e-6);
    });
    expect(rel(r.loglik[1]!, want.loglik[1]!)).toBeLessThan(1e-10);
  });

  it('refuses adjustForCentre with strata() in the formula', async () => {
    await expect(
      run({ formula: 'Surv(months, dead) ~ age + strata(sex)', adjustForCentre: true }),
    ).rejects.toThrow(/adjustForCentre/);
  });

  it('predicted curves equal survfit(fit, newdata) where nothing is merged, and stay on it when merged', async () => {
    const want = fx.curves.find((c) => c.name === 'efronNewdata')!;
    const means = fx.curves.find((c) => c.name === 'efronMeans')!;
    const survivalCurves = ['age=60; sex=M; stage=II; dose_gy=60', 'means'];
    const exact = await run({ formula: months(want.formula), survivalCurves }, fed.permissive());
    const sc = exact.survivalCurves!;
    expect(sc.mergedTimes).toBe(0);
    expect(sc.curves.map((c) => c.label)).toEqual(survivalCurves);
    const pairs: Array<[Curve, CurveRef['curves'][number]]> = [
      [sc.curves[0]!, want.curves[0]!],
      [sc.curves[1]!, means.curves[0]!],
    ];
    pairs.forEach(([c, w]) => {
      expect(c.stratum).toBeNull();
      c.time.forEach((t, j) => {
        const i = want.time.indexOf(t);
        expect(c.nEvent[j]).toBe(want.nEvent[i]);
        expect(rel(c.surv[j]!, w.surv[i]!)).toBeLessThan(1e-8);
        expect(rel(c.stdErr[j]!, w.stdErr[i]!)).toBeLessThan(1e-7);
        expect(rel(c.lower[j]!, w.lower[i]!)).toBeLessThan(1e-7);
        expect(rel(c.upper[j]!, w.upper[i]!)).toBeLessThan(1e-7);
      });
      expect(c.time.length).toBe(want.nEvent.filter((d) => d > 0).length);
    });
    // under the default policy: intervals of at least the minimum count of deaths, the values at their ends R's
    const merged = (await run({ formula: months(want.formula), survivalCurves })).survivalCurves!;
    expect(merged.minCellCount).toBeGreaterThan(1);
    expect(merged.mergedTimes).toBeGreaterThan(0);
    const c = merged.curves[0]!;
    expect(c.coarsened.some(Boolean)).toBe(true);
    expect(c.nEvent.every((d) => d >= merged.minCellCount)).toBe(true);
    c.time.forEach((t, j) => {
      expect(rel(c.surv[j]!, want.curves[0]!.surv[want.time.indexOf(t)]!)).toBeLessThan(1e-8);
      if (j > 0) expect(c.start[j]).toBe(c.time[j - 1]);
    });
  });

  it('gives a curve per centre with adjustForCentre', async () => {
    const want = fx.curves.find((c) => c.name === 'efronStrata')!;
    const r = await run(
      {
        formula: 'Surv(months, dead) ~ age + sex + dose_gy',
        adjustForCentre: true,
        survivalCurves: ['age=60; sex=M; dose_gy=60'],
      },
      fed.permissive(),
    );
    const curves = r.survivalCurves!.curves;
    expect(curves.map((c) => c.stratum)).toEqual(['Centre A', 'Centre B', 'Centre C']);
    curves.forEach((c, s) => {
      const label = ['A', 'B', 'C'][s]!;
      c.time.forEach((t, j) => {
        const i = want.time.findIndex((rt, q) => rt === t && want.strata[q] === label);
        expect(rel(c.surv[j]!, want.curves[0]!.surv[i]!)).toBeLessThan(1e-8);
        expect(rel(c.stdErr[j]!, want.curves[0]!.stdErr[i]!)).toBeLessThan(1e-7);
      });
    });
  });

  it('names what is wrong in a curve', async () => {
    await expect(
      run({ formula: 'Surv(months, dead) ~ age + sex', survivalCurves: ['age=60'] }),
    ).rejects.toThrow(/no value for "sex"/);
    await expect(
      run({ formula: 'Surv(months, dead) ~ age + sex', survivalCurves: ['age=60; sex=X'] }),
    ).rejects.toThrow(/not a level of "sex"/);
  });
});
