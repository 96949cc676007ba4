import { describe, expect, it } from 'vitest';
import { StatsError } from '../errors.js';
import { buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { flattenPartial, layoutSize, unflattenPartial } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import type { GlmFamilyName } from './family.js';
import { fitGlmFederated } from './fit.js';
import type { GlmNodeData } from './partial.js';
import { glmLocalPartial, glmPartialLayout } from './partial.js';

interface GlmRef {
  name: string;
  formula: string;
  // the fixtures' fits use the families without a parameter (negative binomial has its own test)
  family: Exclude<GlmFamilyName, 'negative.binomial'>;
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
      expect(worst(fit.estimate, ref.estimate)).toBeLessThan(1e-8);
      expect(worst(fit.stdError, ref.se)).toBeLessThan(1e-8);
      expect(worst(fit.statistic, ref.stat)).toBeLessThan(1e-7);
      expect(worst(fit.pValue, ref.p)).toBeLessThan(1e-6);
      // the fixture's intervals are confint.default (z); a gaussian GLM's are t-based (see expect.test.ts)
      if (fit.statisticKind === 'z') {
        expect(worst(fit.ciLower, ref.ciLower)).toBeLessThan(1e-7);
        expect(worst(fit.ciUpper, ref.ciUpper)).toBeLessThan(1e-7);
      }
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

describe('GLM partial layout and input errors', () => {
  it('the flat partial matches its declared layout', () => {
    const { nodes } = nodeData('toxicity ~ age + sex', '');
    const part = glmLocalPartial(nodes[0]!, 'binomial', null);
    const layout = glmPartialLayout(3);
    expect(part.length).toBe(layoutSize(layout));
    const fields = unflattenPartial(layout, part);
    expect(fields['nObs']![0]).toBe(nodes[0]!.n);
    expect([...flattenPartial(layout, fields)]).toEqual([...part]);
  });
  it('rejects aliased columns and invalid responses with coded errors', () => {
    const { nodes, names } = nodeData('toxicity ~ age + sex', '');
    const aliased = nodes.map((d) => {
      const x = new Float64Array(d.n * 4);
      for (let i = 0; i < d.n; i++) {
        for (let j = 0; j < 3; j++) x[i * 4 + j] = d.x[i * 3 + j]!;
        x[i * 4 + 3] = 2 * d.x[i * 3 + 1]!;
      }
      return { ...d, x, p: 4 };
    });
    const err = (() => {
      try {
        fitGlmFederated(aliased, 'binomial', [...names, 'age2']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StatsError);
    expect((err as StatsError).code).toBe('FH_ERR_STATS_NOT_PD');
    const bad = { ...nodes[0]!, y: nodes[0]!.y.map((v, i) => (i === 7 ? 2 : v)) };
    expect(() => glmLocalPartial(bad, 'binomial', null)).toThrow(/y\[7\] = 2 must be in \[0, 1\]/);
  });
});
