import { describe, expect, it } from 'vitest';
import { mergeLevels } from '../formula/levels.js';
import { sumPartials } from '../partial.js';
import { coxCohortNodes as coxNodes, readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { CoxTies } from './aggregate.js';
import { fitCoxFederated } from './fit.js';
import { coxLocalPartial } from './partial.js';
import {
  coxResidualTerms,
  coxRobustPartial,
  coxRobustPartialSize,
  coxRobustScoreTest,
  coxRobustSummary,
  coxScoreResiduals,
} from './robust.js';

interface RobustRef {
  name: string;
  formula: string;
  ties: CoxTies;
  cluster: '' | 'centre' | 'ward';
  names: string[];
  coef: number[];
  se: number[];
  robustSe: number[];
  robustVar: number[];
  wald: number;
  robustScore: number;
}
const fx = readFixtureJson<{ resolution: number; robust: RobustRef[] }>('cox-robust.json');
const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
};

describe('Cox robust and cluster-robust standard errors equal R', () => {
  for (const ref of fx.robust) {
    it(`${ref.name}: ${ref.formula}${ref.cluster ? ` + cluster(${ref.cluster})` : ', robust = TRUE'}`, () => {
      const { nodes, names } = coxNodes(ref.formula, fx.resolution);
      expect([...names]).toEqual(ref.names);
      const fit = fitCoxFederated(nodes, names, { ties: ref.ties });
      const p = names.length;
      // the nodes' partials at the final coefficients, as the last Newton round sends them (no centre)
      const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef)));
      const terms = coxResidualTerms(sum, p, ref.ties);
      const partials = nodes.map((d, k) => {
        const res = coxScoreResiduals(d, fit.grid, fit.coef, terms);
        const clusters =
          ref.cluster === ''
            ? null
            : ref.cluster === 'centre'
              ? ('node' as const)
              : Int32Array.from(cohort[k]!.text['stage']!, (s) => levels.stage.indexOf(s));
        return coxRobustPartial(res, d.n, p, clusters);
      });
      const robustSum = sumPartials(partials);
      expect(robustSum.length).toBe(coxRobustPartialSize(p));
      const r = coxRobustSummary(fit.coef, fit.covariance, robustSum);
      ref.robustSe.forEach((se, j) => {
        expect(relDiff(fit.stdError[j]!, ref.se[j]!)).toBeLessThan(1e-6);
        expect(relDiff(r.robustSe[j]!, se)).toBeLessThan(1e-6);
      });
      ref.robustVar.forEach((v, j) => {
        expect(Math.abs(r.covariance[j]! - v)).toBeLessThan(1e-6 * Math.abs(ref.robustVar[0]!) + 1e-12);
      });
      // three clusters for six coefficients: the robust covariance is singular, no Wald test (R prints its rank)
      if (ref.cluster === 'centre') expect(r.wald).toBeNaN();
      else expect(relDiff(r.wald, ref.wald)).toBeLessThan(1e-6);
      // R's robust score test: the score residuals at beta = 0, clustered the same way
      const zero = new Float64Array(p);
      const sum0 = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, zero)));
      const terms0 = coxResidualTerms(sum0, p, ref.ties);
      const u0 = new Float64Array(p);
      const parts0 = nodes.map((d, k) => {
        const res = coxScoreResiduals(d, fit.grid, zero, terms0);
        for (let i = 0; i < d.n; i++) for (let j = 0; j < p; j++) u0[j]! += res[i * p + j]!;
        const clusters =
          ref.cluster === ''
            ? null
            : ref.cluster === 'centre'
              ? ('node' as const)
              : Int32Array.from(cohort[k]!.text['stage']!, (s) => levels.stage.indexOf(s));
        return coxRobustPartial(res, d.n, p, clusters);
      });
      const rscore = coxRobustScoreTest(u0, sumPartials(parts0), p);
      if (ref.cluster === 'centre') expect(rscore).toBeNaN();
      else expect(relDiff(rscore, ref.robustScore)).toBeLessThan(1e-6);
      const wards = new Set(
        cohort.flatMap((c) => c.text['stage']!.map((s) => `${c.text['centre']![0]}:${s}`)),
      );
      const expectClusters = ref.cluster === '' ? 1800 : ref.cluster === 'centre' ? 3 : wards.size;
      expect(r.clusters).toBe(expectClusters);
    });
  }

  it('score residuals sum to the score (zero at the fitted coefficients)', () => {
    const { nodes, names } = coxNodes('Surv(tc, dead) ~ age + sex + dose_gy', fx.resolution);
    const fit = fitCoxFederated(nodes, names, { ties: 'efron' });
    const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef)));
    const terms = coxResidualTerms(sum, names.length, 'efron');
    const total = new Float64Array(names.length);
    for (const d of nodes) {
      const res = coxScoreResiduals(d, fit.grid, fit.coef, terms);
      for (let i = 0; i < d.n; i++) for (let j = 0; j < d.p; j++) total[j]! += res[i * d.p + j]!;
    }
    for (const u of total) expect(Math.abs(u)).toBeLessThan(1e-6);
  });

  it('refuses terms of another grid', () => {
    const { nodes, names } = coxNodes('Surv(tc, dead) ~ age', fx.resolution);
    const fit = fitCoxFederated(nodes, names);
    expect(() => coxScoreResiduals(nodes[0]!, fit.grid, fit.coef, new Float64Array(3))).toThrow(/terms/);
  });
});
