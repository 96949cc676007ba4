import { describe, expect, it } from 'vitest';
import { buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { readCohortNodes } from '../test-support.js';
import { GLM_FAMILIES, type GlmFamilySpec, glmFamily } from './family.js';
import { fitGlmFederated } from './fit.js';
import { type GlmNodeData, glmLocalPartial } from './partial.js';
import { glmReferencePartial } from './partial-reference.js';

const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
};
function nodes(formula: string, weights = ''): { nodes: GlmNodeData[]; names: readonly string[] } {
  const f = parseFormula(formula);
  let names: readonly string[] = [];
  const out = cohort.map((c) => {
    const dm = buildDesignMatrix(f, { numeric: c.numeric, categorical: c.text }, { levels });
    names = dm.columnNames;
    return {
      x: dm.x,
      n: dm.n,
      p: dm.p,
      y: dm.y!,
      offset: dm.offset,
      weights: weights ? c.numeric[weights]! : null,
    };
  });
  return { nodes: out, names };
}

const cases: Array<{ family: GlmFamilySpec; formula: string; weights?: string }> = [
  { family: 'gaussian', formula: 'dose_gy ~ age + sex + factor(stage)', weights: 'w' },
  { family: 'binomial', formula: 'toxicity ~ age + sex + dose_gy' },
  { family: 'binomial', formula: 'toxicity ~ age + sex + dose_gy', weights: 'w' },
  { family: 'quasibinomial', formula: 'toxicity ~ age + sex + dose_gy', weights: 'w' },
  { family: 'poisson', formula: 'events ~ age + factor(stage) + offset(log(exposure))' },
  { family: 'quasipoisson', formula: 'events ~ age + factor(stage) + offset(log(exposure))' },
  {
    family: { name: 'negative.binomial', theta: 2.5 },
    formula: 'events ~ age + sex + offset(log(exposure))',
  },
  { family: { name: 'negative.binomial', theta: 0.4 }, formula: 'events ~ age', weights: 'w' },
];

/** Equal to a relative 1e-12 (the fast loop sums four rows at a time, so the last bits may differ), NaN as NaN. */
function expectClose(got: Float64Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < got.length; k++) {
    if (Number.isNaN(want[k]!)) expect(got[k]).toBeNaN();
    else expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[k]!)));
  }
}

describe('the fast GLM loop equals the reference computed from the family table', () => {
  it('covers every family of the table', () => {
    const covered = new Set(cases.map((c) => glmFamily(c.family).name));
    for (const name of Object.keys(GLM_FAMILIES)) expect(covered).toContain(name);
    expect(covered).toContain('negative.binomial');
  });
  for (const c of cases) {
    const label = `${glmFamily(c.family).name}${typeof c.family === 'string' ? '' : `(${c.family.theta})`}`;
    it(`${label}: ${c.formula}${c.weights ? ` weights ${c.weights}` : ''}`, () => {
      const { nodes: nd, names } = nodes(c.formula, c.weights);
      // at R's starting values, at zero, and at the fitted coefficients
      const fitted = fitGlmFederated(nd, c.family, names).estimate;
      for (const beta of [null, new Float64Array(names.length), fitted]) {
        for (const d of nd)
          expectClose(glmLocalPartial(d, c.family, beta), glmReferencePartial(d, c.family, beta));
      }
    });
  }
  it('checks the response per family, naming the row', () => {
    const { nodes: nd } = nodes('events ~ age');
    const { nodes: nt } = nodes('toxicity ~ age');
    const bad = { ...nd[0]!, y: nd[0]!.y.map((v, i) => (i === 3 ? -1 : v)) };
    for (const f of ['poisson', 'quasipoisson'] as const)
      expect(() => glmLocalPartial(bad, f, null)).toThrow(/y\[3\] = -1 must be >= 0/);
    expect(() => glmLocalPartial(bad, { name: 'negative.binomial', theta: 1 }, null)).toThrow(/y\[3\]/);
    const two = { ...nt[0]!, y: nt[0]!.y.map((v, i) => (i === 5 ? 2 : v)) };
    expect(() => glmLocalPartial(two, 'quasibinomial', null)).toThrow(/y\[5\] = 2 must be in \[0, 1\]/);
    expect(() => glmFamily({ name: 'negative.binomial', theta: 0 })).toThrow(/theta/);
  });
});
