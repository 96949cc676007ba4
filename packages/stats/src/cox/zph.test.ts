import { describe, expect, it } from 'vitest';
import { buildDesignMatrix, dropInterceptColumn } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { sumPartials } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { CoxTies } from './aggregate.js';
import { fitCoxFederated } from './fit.js';
import { coarsenTimes } from './grid.js';
import {
  type CoxNodeData,
  coxCenterFromSum,
  coxCenterLocalPartial,
  coxLocalPartial,
  coxOffsets,
  coxStride,
} from './partial.js';
import { type CoxZphTransform, coxZph, termWaldTests } from './zph.js';

interface Ref {
  name: string;
  formula: string;
  ties: CoxTies;
  terms: string[];
  waldChisq: number[];
  waldDf: number[];
  waldP: number[];
  zph: Array<{ transform: CoxZphTransform; terms: string[]; chisq: number[]; df: number[]; p: number[] }>;
}
const fx = readFixtureJson<{ resolution: number; fits: Ref[] }>('cox-expect.json');
const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
  centre: mergeLevels(cohort.map((c) => c.text['centre']!)),
};

function coxNodes(formula: string) {
  const f = parseFormula(formula.replace(/^Surv\(tc, dead\)/, 'Surv(months, dead)'));
  let names: readonly string[] = [];
  let assign: readonly number[] = [];
  const nodes: CoxNodeData[] = cohort.map((c) => {
    const dm = dropInterceptColumn(
      buildDesignMatrix(f, { numeric: c.numeric, categorical: c.text }, { levels }),
    );
    names = dm.columnNames;
    assign = dm.assign!;
    return {
      x: dm.x,
      n: dm.n,
      p: dm.p,
      time: coarsenTimes(dm.y!, fx.resolution),
      event: dm.event!,
      strata: dm.strata,
    };
  });
  return { nodes, names, assign, terms: f.terms.map((t) => t.label) };
}

describe('cox.zph and per-term Wald tests equal R', () => {
  for (const ref of fx.fits) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names, assign, terms } = coxNodes(ref.formula);
      expect(terms).toEqual(ref.terms);
      const fit = fitCoxFederated(nodes, names, { ties: ref.ties });
      const wald = termWaldTests(fit.coef, fit.covariance, assign, terms);
      wald.forEach((w, t) => {
        expect(relDiff(w.chisq, ref.waldChisq[t]!)).toBeLessThan(1e-7);
        expect(w.df).toBe(ref.waldDf[t]);
        expect(relDiff(w.pValue, ref.waldP[t]!)).toBeLessThan(1e-5);
      });
      const p = names.length;
      const center = coxCenterFromSum(sumPartials(nodes.map(coxCenterLocalPartial)));
      const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef, center)));
      const atZero = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, new Float64Array(p), center)));
      const stride = coxStride(p);
      const nRisk = Array.from(
        { length: fit.grid.times.length },
        (_, k) => atZero[k * stride + coxOffsets(p).s0]!,
      );
      for (const z of ref.zph) {
        const rows = coxZph({
          sum,
          p,
          beta: fit.coef,
          ties: ref.ties,
          grid: fit.grid,
          transform: z.transform,
          nRisk,
          assign,
          termLabels: terms,
        });
        expect(rows.map((r) => r.term)).toEqual(z.terms);
        expect(rows.map((r) => r.df)).toEqual(z.df);
        rows.forEach((r, k) => {
          expect(relDiff(r.chisq, z.chisq[k]!)).toBeLessThan(1e-7);
          expect(relDiff(r.pValue, z.p[k]!)).toBeLessThan(1e-5);
        });
      }
    });
  }
  it('refuses the km transform with strata', () => {
    const { nodes, names, assign, terms } = coxNodes('Surv(tc, dead) ~ age + strata(centre)');
    const fit = fitCoxFederated(nodes, names);
    const center = coxCenterFromSum(sumPartials(nodes.map(coxCenterLocalPartial)));
    const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef, center)));
    expect(() =>
      coxZph({
        sum,
        p: 1,
        beta: fit.coef,
        ties: 'efron',
        grid: fit.grid,
        transform: 'km',
        nRisk: null,
        assign,
        termLabels: terms,
      }),
    ).toThrow(/without strata/);
  });
});
