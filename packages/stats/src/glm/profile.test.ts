import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { type CohortColumns, readCohortNodes, readFixtureJson } from '../test-support.js';
import type { GlmFamilySpec } from './family.js';
import { fitGlmFederated } from './fit.js';
import { fitGlmNegBinFederated } from './negbin.js';
import type { GlmNodeData } from './partial.js';
import { glmProfileFederated, glmProfileSetup, rApprox, rSpline } from './profile.js';

interface Case {
  name: string;
  formula: string;
  family: string;
  weights: string;
  data: 'cohort' | 'negbin';
  names: string[];
  lower: number[];
  upper: number[];
  wald: number[];
  points: Array<{ b: number[]; z: number[] }>;
}
const fx = readFixtureJson<{ rVersion: string; mass: string; cases: Case[] }>('glm-profile.json');

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

function design(cohort: CohortColumns[], formula: string, weights: string) {
  const f = parseFormula(formula);
  const levels = Object.fromEntries(
    Object.keys(cohort[0]!.text).map((k) => [k, mergeLevels(cohort.map((c) => c.text[k]!))]),
  );
  let names: readonly string[] = [];
  const nodes: GlmNodeData[] = cohort.map((c) => {
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
  return { nodes, names };
}

const data = { cohort: readCohortNodes(), negbin: readNegBinNodes() };

describe(`profile-likelihood intervals equal R confint(glm) (${fx.rVersion}, MASS ${fx.mass})`, () => {
  for (const ref of fx.cases) {
    it(`${ref.name}: ${ref.formula}, over three centres`, () => {
      const { nodes, names } = design(data[ref.data], ref.formula, ref.weights);
      expect(names).toEqual(ref.names);
      const nb = ref.family === 'negative.binomial';
      const fit = nb
        ? fitGlmNegBinFederated(nodes, names)
        : fitGlmFederated(nodes, ref.family as GlmFamilySpec, names);
      const family: GlmFamilySpec = nb
        ? { name: 'negative.binomial', theta: fit.theta }
        : (ref.family as GlmFamilySpec);
      const ci = glmProfileFederated(nodes, family, fit);
      names.forEach((_, j) => {
        const scale = ref.upper[j]! - ref.lower[j]!;
        // 1e-4 of the interval's width; measured: 4e-10 (binomial, poisson, gaussian), 5e-7 (quasipoisson, negbin)
        expect(Math.abs(ci.lower[j]! - ref.lower[j]!)).toBeLessThan(1e-4 * scale);
        expect(Math.abs(ci.upper[j]! - ref.upper[j]!)).toBeLessThan(1e-4 * scale);
        // and the intervals are not the Wald ones where R's are not
        if (Math.abs(ref.lower[j]! - ref.wald[j]!) > 1e-3 * scale)
          expect(Math.abs(ci.lower[j]! - ref.wald[j]!)).toBeGreaterThan(1e-3 * scale);
      });
    });
  }

  it('uses R grid: the binomial profile visits the same points (b, z) as profile.glm', () => {
    const ref = fx.cases.find((c) => c.name === 'binomial')!;
    const { nodes, names } = design(data.cohort, ref.formula, ref.weights);
    const fit = fitGlmFederated(nodes, 'binomial', names);
    const setup = glmProfileSetup(fit);
    // R's grid step: zmax / 5 standard errors, zmax = qnorm(1 - 0.0125 / 2)
    expect(setup.zmax).toBeCloseTo(2.4977054, 6);
    const pts = ref.points[1]!;
    const k = pts.z.indexOf(0);
    expect(Math.abs(pts.b[k + 1]! - pts.b[k]! - setup.del * fit.stdError[1]!)).toBeLessThan(
      1e-5 * fit.stdError[1]!,
    );
    // (not closer: R's standard errors are one IRLS iteration behind its coefficients, fedhub's are at them)
  });
});

describe("R's spline() and approx()", () => {
  it('interpolate like R (fmm end conditions; values from R 4.2: spline(1:5, c(0, 1, 4, 2, 3)))', () => {
    const sp = rSpline([1, 2, 3, 4, 5], [0, 1, 4, 2, 3]);
    expect(sp.x).toHaveLength(15);
    // R: spline(1:5, c(0,1,4,2,3))$y[c(2, 8, 14)]
    expect(sp.y[1]).toBeCloseTo(-0.41156462585034015, 12);
    expect(sp.y[7]).toBeCloseTo(4, 12);
    expect(sp.y[13]).toBeCloseTo(1.8566569484936815, 12);
    expect(rApprox([0, 1, 2], [10, 20, 40], 1.5)).toBe(30);
    expect(rApprox([0, 1, 2], [10, 20, 40], 2.5)).toBeNaN();
  });
});
