import { describe, expect, it } from 'vitest';
import { buildDesignMatrix, dropInterceptColumn } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { sumPartials } from '../partial.js';
import { coxCohortNodes as coxNodes, readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { CoxTies } from './aggregate.js';
import {
  coxCurveIntervalEnds,
  coxHazardTerms,
  coxMeansFromSum,
  coxMeansPartial,
  coxPredictedCurves,
} from './curves.js';
import { fitCoxFederated } from './fit.js';
import { coxLocalPartial } from './partial.js';

interface CurveRef {
  name: string;
  formula: string;
  ties: CoxTies;
  means: number[];
  newdata: Array<Record<string, number | string>>;
  time: number[];
  strata: string[];
  nEvent: number[];
  curves: Array<{ surv: number[]; cumhaz: number[]; stdErr: number[]; lower: number[]; upper: number[] }>;
}
const fx = readFixtureJson<{ resolution: number; curves: CurveRef[] }>('cox-robust.json');
const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
};

/** The design row of a newdata record (R's model.matrix on newdata, without the intercept). */
function designRow(formula: string, row: Record<string, number | string>): Float64Array {
  const rhs = formula.replace(/^Surv\(tc, dead\)/, 'Surv(months, dead)').replace(/ \+ strata\(\w+\)/, '');
  const f = parseFormula(rhs);
  const numeric: Record<string, Float64Array> = { months: Float64Array.of(1), dead: Float64Array.of(0) };
  const categorical: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'number') numeric[k] = Float64Array.of(v);
    else categorical[k] = [v];
  }
  return dropInterceptColumn(buildDesignMatrix(f, { numeric, categorical }, { levels })).x;
}

describe("Cox predicted survival curves equal R's survfit(fit, newdata)", () => {
  for (const ref of fx.curves) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names } = coxNodes(ref.formula, fx.resolution);
      const p = names.length;
      const fit = fitCoxFederated(nodes, names, { ties: ref.ties });
      const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef)));
      const terms = coxHazardTerms(sum, p, ref.ties);
      const means = coxMeansFromSum(sumPartials(nodes.map((d) => coxMeansPartial(d.x, d.n, d.p))), p);
      ref.means.forEach((m, j) => {
        expect(Math.abs(means[j]! - m)).toBeLessThan(1e-9 * Math.max(1, Math.abs(m)));
      });
      const xs = ref.newdata.length ? ref.newdata.map((row) => designRow(ref.formula, row)) : [means];
      const strataNames = mergeLevels(cohort.map((c) => c.text['centre']!));
      xs.forEach((x, c) => {
        const curves = coxPredictedCurves({
          terms,
          grid: fit.grid,
          beta: fit.coef,
          covariance: fit.covariance,
          x,
        });
        const want = ref.curves[c]!;
        let compared = 0;
        for (const curve of curves) {
          const label = ref.strata[0] === '' ? '' : strataNames[curve.stratum];
          expect(curve.coarsened.every((b) => b === 0)).toBe(true);
          curve.time.forEach((t, j) => {
            const i = ref.time.findIndex((rt, q) => rt === t && ref.strata[q] === label);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(curve.nEvent[j]).toBe(ref.nEvent[i]);
            expect(relDiff(curve.surv[j]!, want.surv[i]!)).toBeLessThan(1e-8);
            expect(relDiff(curve.cumhaz[j]!, want.cumhaz[i]!)).toBeLessThan(1e-8);
            expect(relDiff(curve.stdErr[j]!, want.stdErr[i]!)).toBeLessThan(1e-7);
            expect(relDiff(curve.lower[j]!, want.lower[i]!)).toBeLessThan(1e-7);
            expect(relDiff(curve.upper[j]!, want.upper[i]!)).toBeLessThan(1e-7);
            compared++;
          });
        }
        expect(compared).toBe(ref.nEvent.filter((d) => d > 0).length);
      });
    });
  }

  it('merges event times under a minimum count without moving the curve', () => {
    const ref = fx.curves[0]!;
    const { nodes, names } = coxNodes(ref.formula, fx.resolution);
    const fit = fitCoxFederated(nodes, names, { ties: ref.ties });
    const sum = sumPartials(nodes.map((d) => coxLocalPartial(d, fit.grid, fit.coef)));
    const terms = coxHazardTerms(sum, names.length, ref.ties);
    const x = designRow(ref.formula, ref.newdata[0]!);
    const base = { terms, grid: fit.grid, beta: fit.coef, covariance: fit.covariance, x };
    const exact = coxPredictedCurves(base)[0]!;
    const merged = coxPredictedCurves({ ...base, minCount: 25 })[0]!;
    expect(merged.coarsened.some((b) => b === 1)).toBe(true);
    expect(merged.nEvent.every((d) => d >= 25)).toBe(true);
    expect(merged.nEvent.reduce((a, b) => a + b, 0)).toBe(exact.nEvent.reduce((a, b) => a + b, 0));
    // every released value is the exact curve's at the same time
    merged.time.forEach((t, j) => {
      const i = exact.time.indexOf(t);
      expect(merged.surv[j]).toBe(exact.surv[i]);
      expect(merged.stdErr[j]).toBe(exact.stdErr[i]);
      if (j > 0) expect(merged.start[j]).toBe(merged.time[j - 1]);
    });
  });

  it('joins a short tail to the interval before it', () => {
    expect(coxCurveIntervalEnds([3, 0, 2, 6, 1], 0, 5, 5)).toEqual([2, 4]);
    expect(coxCurveIntervalEnds([1, 1], 0, 2, 5)).toEqual([1]);
    expect(coxCurveIntervalEnds([5, 5, 5], 0, 3, 1)).toEqual([0, 1, 2]);
  });
});
