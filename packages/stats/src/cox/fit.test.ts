import { describe, expect, it } from 'vitest';
import { buildDesignMatrix, dropInterceptColumn } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { layoutSize } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { CoxTies } from './aggregate.js';
import { concordanceFromPartial, concordanceLocalPartial } from './concordance.js';
import { fitCoxFederated } from './fit.js';
import { coarsenTimes, localEventTimes, mergeEventTimes } from './grid.js';
import { type CoxNodeData, coxLocalPartial, coxPartialLayout } from './partial.js';

interface CoxRef {
  name: string;
  formula: string;
  ties: CoxTies;
  names: string[];
  coef: number[];
  se: number[];
  z: number[];
  p: number[];
  hrLower: number[];
  hrUpper: number[];
  loglik: number[];
  lrt: number;
  wald: number;
  score: number;
  df: number;
  lrtP: number;
  waldP: number;
  scoreP: number;
  iter: number;
  concordance: number;
  concordanceCount: number[];
}
const fx = readFixtureJson<{
  resolution: number;
  fits: CoxRef[];
  frozenScoreC: { concordance: number; count: number[] };
}>('cox.json');
const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
};

function coxNodes(formula: string): { nodes: CoxNodeData[]; names: readonly string[] } {
  // R's fixture coarsens months into tc; here the nodes coarsen their own months column.
  const f = parseFormula(formula.replace(/^Surv\(tc, dead\)/, 'Surv(months, dead)'));
  const centres = mergeLevels(cohort.map((c) => c.text['centre']!));
  let names: readonly string[] = [];
  const nodes = cohort.map((c) => {
    const dm = dropInterceptColumn(
      buildDesignMatrix(
        f,
        { numeric: c.numeric, categorical: c.text },
        { levels: { ...levels, centre: centres } },
      ),
    );
    names = dm.columnNames;
    return {
      x: dm.x,
      n: dm.n,
      p: dm.p,
      time: coarsenTimes(dm.y!, fx.resolution),
      event: dm.event!,
      strata: dm.strata,
    };
  });
  return { nodes, names };
}

function worst(got: ArrayLike<number>, want: number[]): number {
  return Math.max(...want.map((w, i) => relDiff(got[i]!, w)));
}

describe('federated Cox equals R coxph() on the pooled, coarsened rows', () => {
  for (const ref of fx.fits) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names } = coxNodes(ref.formula);
      const fit = fitCoxFederated(nodes, names, { ties: ref.ties });
      expect(fit.names).toEqual(ref.names);
      expect(worst(fit.coef, ref.coef)).toBeLessThan(1e-10);
      expect(worst(fit.stdError, ref.se)).toBeLessThan(1e-10);
      expect(worst(fit.z, ref.z)).toBeLessThan(1e-8);
      expect(worst(fit.pValue, ref.p)).toBeLessThan(1e-6);
      expect(worst(fit.hrLower, ref.hrLower)).toBeLessThan(1e-8);
      expect(worst(fit.hrUpper, ref.hrUpper)).toBeLessThan(1e-8);
      expect(worst(fit.loglik, ref.loglik)).toBeLessThan(1e-12);
      expect(relDiff(fit.likelihoodRatio, ref.lrt)).toBeLessThan(1e-9);
      expect(relDiff(fit.wald, ref.wald)).toBeLessThan(1e-8);
      expect(relDiff(fit.score, ref.score)).toBeLessThan(1e-10);
      expect(relDiff(fit.likelihoodRatioP, ref.lrtP)).toBeLessThan(1e-6);
      expect(fit.iterations).toBe(ref.iter);
      // Linear-predictor concordance is binned (2000 bins): approximate.
      expect(Math.abs(fit.concordance.concordance - ref.concordance)).toBeLessThan(2e-3);
    });
  }
  it("Harrell's C of a frozen score on its grid is exact (survival::concordance)", () => {
    const { nodes } = coxNodes('Surv(tc, dead) ~ age');
    const grid = mergeEventTimes(nodes.map((d) => localEventTimes(d.time, d.event, null)));
    const scoreGrid = { min: 0, width: 0.001, bins: 1001 };
    const parts = nodes.map((d, k) =>
      concordanceLocalPartial(d.time, d.event, null, cohort[k]!.numeric['score']!, grid, scoreGrid),
    );
    const sum = parts.reduce((a, b) => a.map((v, i) => v + b[i]!));
    const c = concordanceFromPartial(sum, grid.times.length, scoreGrid);
    expect(c.concordant).toBe(fx.frozenScoreC.count[0]);
    expect(c.discordant).toBe(fx.frozenScoreC.count[1]);
    expect(c.tiedScore).toBe(fx.frozenScoreC.count[2]);
    expect(relDiff(c.concordance, fx.frozenScoreC.concordance)).toBeLessThan(1e-14);
  });
});

describe('Cox partial layout and errors', () => {
  it('partial length matches its layout; an event time missing from the grid is a coded error', () => {
    const { nodes } = coxNodes('Surv(tc, dead) ~ age + sex');
    const d = nodes[0]!;
    const grid = mergeEventTimes(nodes.map((nd) => localEventTimes(nd.time, nd.event, null)));
    const part = coxLocalPartial(d, grid, new Float64Array(2));
    expect(part.length).toBe(layoutSize(coxPartialLayout(2, grid.times.length)));
    const partialGrid = mergeEventTimes([localEventTimes(nodes[1]!.time, nodes[1]!.event, null)]);
    const missing = grid.times.find(
      (t) => !partialGrid.times.includes(t) && d.time.some((u, i) => u === t && d.event[i] === 1),
    );
    expect(missing).toBeDefined();
    expect(() => coxLocalPartial(d, partialGrid, new Float64Array(2))).toThrow(
      /not in the global event-time grid/,
    );
  });
});
