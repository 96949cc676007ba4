import { describe, expect, it } from 'vitest';
import { buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { GlmFamilyName } from './family.js';
import { fitGlmFederated } from './fit.js';
import type { GlmNodeData } from './partial.js';

interface GlmRef {
  name: string;
  formula: string;
  family: GlmFamilyName;
  weights: string;
  names: string[];
  estimate: number[];
  se: number[];
  stat: number[];
  p: number[];
  ciLower: number[];
  ciUpper: number[];
  deviance: number;
  nullDeviance: number;
  aic: number;
  dfResidual: number;
  dfNull: number;
  dispersion: number;
  iterDefault: number;
}
const fx = readFixtureJson<{ fits: GlmRef[] }>('glm.json');
const cohort = readCohortNodes();
const levels = {
  sex: mergeLevels(cohort.map((nd) => nd.text['sex']!)),
  stage: mergeLevels(cohort.map((nd) => nd.text['stage']!)),
};

function nodeData(formula: string, weights: string): { nodes: GlmNodeData[]; names: readonly string[] } {
  const f = parseFormula(formula);
  let names: readonly string[] = [];
  const nodes = cohort.map((c) => {
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

function worst(got: ArrayLike<number>, want: number[]): number {
  return Math.max(...want.map((w, i) => relDiff(got[i]!, w)));
}

describe('federated GLM equals R glm() on the pooled rows', () => {
  for (const ref of fx.fits) {
    it(`${ref.name}: ${ref.formula}`, () => {
      const { nodes, names } = nodeData(ref.formula, ref.weights);
      const fit = fitGlmFederated(nodes, ref.family, names);
      expect(fit.names).toEqual(ref.names);
      expect(worst(fit.estimate, ref.estimate)).toBeLessThan(1e-7);
      expect(worst(fit.stdError, ref.se)).toBeLessThan(1e-7);
      expect(worst(fit.statistic, ref.stat)).toBeLessThan(1e-7);
      expect(worst(fit.pValue, ref.p)).toBeLessThan(1e-6);
      expect(worst(fit.ciLower, ref.ciLower)).toBeLessThan(1e-7);
      expect(worst(fit.ciUpper, ref.ciUpper)).toBeLessThan(1e-7);
      expect(relDiff(fit.deviance, ref.deviance)).toBeLessThan(1e-10);
      expect(relDiff(fit.nullDeviance, ref.nullDeviance)).toBeLessThan(1e-10);
      expect(relDiff(fit.aic, ref.aic)).toBeLessThan(1e-10);
      expect(relDiff(fit.dispersion, ref.dispersion)).toBeLessThan(1e-9);
      expect(fit.dfResidual).toBe(ref.dfResidual);
      expect(fit.dfNull).toBe(ref.dfNull);
      expect(fit.iterations).toBe(ref.iterDefault);
      expect(fit.converged).toBe(true);
    });
  }
});
