import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { type CohortColumns, readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import { glmSequentialAnovaFederated } from './anova.js';
import type { GlmFamilyName, GlmFamilySpec } from './family.js';
import { fitGlmFederated } from './fit.js';
import { fitGlmNegBinFederated } from './negbin.js';
import { type GlmNodeData, glmLocalPartial } from './partial.js';
import { glmRobustCovariance, glmRobustPartial } from './robust.js';

interface FitRef {
  name: string;
  formula: string;
  family: GlmFamilyName;
  weights: string;
  names: string[];
  estimate: number[];
  se: number[];
  stat: number[];
  p: number[];
  deviance: number;
  nullDeviance: number;
  aic: number | null;
  dfResidual: number;
  dispersion: number;
}
interface Fixture {
  families: FitRef[];
  negativeBinomial: FitRef & { theta: number; seTheta: number; twoLogLik: number };
  negativeBinomialNoOffset: {
    formula: string;
    theta: number;
    seTheta: number;
    estimate: number[];
    aic: number;
    nullDeviance: number;
    deviance: number;
  };
  gaussianT: { formula: string; weights: string; ciLower: number[]; ciUpper: number[]; lmLower: number[] };
  anova: Array<{
    name: string;
    formula: string;
    family: GlmFamilyName;
    weights: string;
    terms: string[];
    df: number[];
    deviance: number[];
    residDf: number[];
    residDeviance: number[];
    p: number[];
  }>;
  robust: Array<{
    name: string;
    formula: string;
    family: GlmFamilyName;
    weights: string;
    hc0: number[];
    cluster: number[];
  }>;
}
const fx = readFixtureJson<Fixture>('glm-expect.json');

/** negbin.csv split by centre (A 900, B 400, C 150 rows). */
function readNegBinNodes(): CohortColumns[] {
  const lines = readFileSync(new URL('../../fixtures/negbin.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const by = new Map<string, string[][]>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    by.set(c[0]!, [...(by.get(c[0]!) ?? []), c]);
  }
  return [...by.values()].map((rows) => {
    const numeric: Record<string, Float64Array> = {};
    const text: Record<string, string[]> = {};
    header.forEach((h, j) => {
      if (h === 'centre' || h === 'grp') text[h] = rows.map((r) => r[j]!);
      else numeric[h] = Float64Array.from(rows, (r) => Number(r[j]));
    });
    return { numeric, text, n: rows.length };
  });
}

function design(cohort: CohortColumns[], formula: string, weights = '') {
  const f = parseFormula(formula);
  const levels = Object.fromEntries(
    Object.keys(cohort[0]!.text).map((k) => [k, mergeLevels(cohort.map((c) => c.text[k]!))]),
  );
  let names: readonly string[] = [];
  let assign: readonly number[] = [];
  const nodes: GlmNodeData[] = cohort.map((c) => {
    const dm = buildDesignMatrix(f, { numeric: c.numeric, categorical: c.text }, { levels });
    names = dm.columnNames;
    assign = dm.assign!;
    return {
      x: dm.x,
      n: dm.n,
      p: dm.p,
      y: dm.y!,
      offset: dm.offset,
      weights: weights ? c.numeric[weights]! : null,
    };
  });
  return { nodes, names, assign, terms: f.terms.map((t) => t.label) };
}
const add = (parts: Float64Array[]) => parts.reduce((a, b) => a.map((v, k) => v + b[k]!));
const worst = (got: ArrayLike<number>, want: number[]) =>
  Math.max(...want.map((w, i) => relDiff(got[i]!, w)));
const cohort = readCohortNodes();

describe('quasi families equal R glm(family = quasibinomial / quasipoisson)', () => {
  for (const ref of fx.families) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names } = design(cohort, ref.formula, ref.weights);
      const fit = fitGlmFederated(nodes, ref.family as GlmFamilySpec, names);
      expect(fit.names).toEqual(ref.names);
      expect(fit.statisticKind).toBe('t');
      expect(worst(fit.estimate, ref.estimate)).toBeLessThan(1e-9);
      expect(worst(fit.stdError, ref.se)).toBeLessThan(1e-9);
      expect(worst(fit.statistic, ref.stat)).toBeLessThan(1e-9);
      expect(worst(fit.pValue, ref.p)).toBeLessThan(1e-7);
      expect(relDiff(fit.dispersion, ref.dispersion)).toBeLessThan(1e-10);
      expect(relDiff(fit.deviance, ref.deviance)).toBeLessThan(1e-10);
      expect(relDiff(fit.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-10);
      expect(ref.aic).toBeNull();
      expect(fit.aic).toBeNaN();
      expect(fit.dfResidual).toBe(ref.dfResidual);
    });
  }
});

describe('negative binomial equals MASS::glm.nb (theta by maximum likelihood)', () => {
  const nb = readNegBinNodes();
  it(`${fx.negativeBinomial.formula} over three uneven centres`, () => {
    const ref = fx.negativeBinomial;
    const { nodes, names } = design(nb, ref.formula);
    const fit = fitGlmNegBinFederated(nodes, names);
    expect(fit.names).toEqual(ref.names);
    expect(fit.family).toBe('negative.binomial');
    // glm.nb's theta.ml stops when its Newton step is below eps^0.25, so R's theta is itself good to ~1e-8
    expect(relDiff(fit.theta, ref.theta)).toBeLessThan(1e-7);
    expect(relDiff(fit.seTheta, ref.seTheta)).toBeLessThan(1e-5);
    expect(worst(fit.estimate, ref.estimate)).toBeLessThan(1e-7);
    expect(worst(fit.stdError, ref.se)).toBeLessThan(1e-7);
    expect(worst(fit.pValue, ref.p)).toBeLessThan(1e-5);
    expect(fit.dispersion).toBe(1);
    expect(relDiff(fit.deviance, ref.deviance)).toBeLessThan(1e-7);
    expect(relDiff(fit.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-7);
    expect(relDiff(fit.aic, ref.aic ?? Number.NaN)).toBeLessThan(1e-9);
    expect(relDiff(fit.twoLogLik, ref.twoLogLik)).toBeLessThan(1e-9);
    expect(fit.converged).toBe(true);
  });
  it(`${fx.negativeBinomialNoOffset.formula} (null deviance at the weighted mean)`, () => {
    const ref = fx.negativeBinomialNoOffset;
    const { nodes, names } = design(nb, ref.formula);
    const fit = fitGlmNegBinFederated(nodes, names);
    expect(relDiff(fit.theta, ref.theta)).toBeLessThan(1e-7);
    expect(worst(fit.estimate, ref.estimate)).toBeLessThan(1e-7);
    expect(relDiff(fit.aic, ref.aic)).toBeLessThan(1e-9);
    expect(relDiff(fit.deviance, ref.deviance)).toBeLessThan(1e-7);
    expect(relDiff(fit.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-7);
  });
});

describe('gaussian GLM intervals are t-based (confint.lm, the profile interval of a gaussian GLM)', () => {
  it(fx.gaussianT.formula, () => {
    const ref = fx.gaussianT;
    const { nodes, names } = design(cohort, ref.formula, ref.weights);
    const fit = fitGlmFederated(nodes, 'gaussian', names);
    expect(worst(fit.ciLower, ref.ciLower)).toBeLessThan(1e-9);
    expect(worst(fit.ciUpper, ref.ciUpper)).toBeLessThan(1e-9);
    expect(worst(fit.ciLower, ref.lmLower)).toBeLessThan(1e-6);
  });
});

describe('sequential likelihood-ratio tests equal anova(fit, test = "Chisq")', () => {
  for (const ref of fx.anova) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names, assign, terms } = design(cohort, ref.formula, ref.weights);
      expect(terms).toEqual(ref.terms);
      const full = fitGlmFederated(nodes, ref.family as GlmFamilySpec, names);
      const a = glmSequentialAnovaFederated(
        nodes,
        ref.family as GlmFamilySpec,
        assign,
        terms,
        full.dispersion,
      );
      expect(a.rows.map((r) => r.df)).toEqual(ref.df);
      expect(relDiff(a.nullDeviance, ref.residDeviance[0]!)).toBeLessThan(1e-9);
      expect(a.nullDf).toBe(ref.residDf[0]);
      a.rows.forEach((r, k) => {
        expect(Math.abs(r.deviance - ref.deviance[k]!)).toBeLessThan(
          1e-7 * Math.max(1, ref.residDeviance[0]!),
        );
        expect(relDiff(r.residDeviance, ref.residDeviance[k + 1]!)).toBeLessThan(1e-9);
        expect(relDiff(r.pValue, ref.p[k]!)).toBeLessThan(1e-5);
      });
    });
  }
});

describe('robust covariances equal sandwich::vcovHC(type = "HC0") and vcovCL(cluster = ~centre)', () => {
  for (const ref of fx.robust) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names } = design(cohort, ref.formula, ref.weights);
      const fit = fitGlmFederated(nodes, ref.family as GlmFamilySpec, names, {
        control: { epsilon: 1e-12, maxit: 100 },
      });
      const p = names.length;
      // X'WX at the final coefficients
      const sum = add(nodes.map((d) => glmLocalPartial(d, ref.family as GlmFamilySpec, fit.estimate)));
      const hc0 = glmRobustCovariance(
        sum,
        add(nodes.map((d) => glmRobustPartial(d, ref.family as GlmFamilySpec, fit.estimate, null))),
        p,
        false,
      );
      const cl = glmRobustCovariance(
        sum,
        add(nodes.map((d) => glmRobustPartial(d, ref.family as GlmFamilySpec, fit.estimate, 'node'))),
        p,
        true,
      );
      expect(worst(hc0, ref.hc0)).toBeLessThan(1e-7);
      expect(worst(cl, ref.cluster)).toBeLessThan(1e-7);
    });
  }
});
