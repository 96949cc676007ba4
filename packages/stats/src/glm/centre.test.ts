import { describe, expect, it } from 'vitest';
import { appendCentreColumns, buildDesignMatrix } from '../formula/design.js';
import { mergeLevels } from '../formula/levels.js';
import { parseFormula } from '../formula/parse.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import { fitGlmFederated } from './fit.js';

interface CentreRef {
  glm: { formula: string; names: string[]; estimate: number[]; se: number[]; deviance: number };
}
const fx = readFixtureJson<{ centre: CentreRef }>('cox-robust.json');

describe('the centre as a variable without a centre column equals R with one (glm + centre)', () => {
  it(fx.centre.glm.formula, () => {
    const cohort = readCohortNodes();
    const levels = { sex: mergeLevels(cohort.map((c) => c.text['sex']!)) };
    const centres = cohort.map((c) => c.text['centre']![0]!).sort();
    const f = parseFormula(fx.centre.glm.formula);
    let names: readonly string[] = [];
    const nodes = cohort.map((c) => {
      // the centre column is not read: each node adds its own indicator
      const dm = appendCentreColumns(
        buildDesignMatrix(f, { numeric: c.numeric, categorical: { sex: c.text['sex']! } }, { levels }),
        centres,
        c.text['centre']![0]!,
      );
      names = dm.columnNames;
      return { x: dm.x, n: dm.n, p: dm.p, y: dm.y!, weights: null, offset: null };
    });
    expect([...names]).toEqual(fx.centre.glm.names);
    const fit = fitGlmFederated(nodes, 'binomial', names);
    fx.centre.glm.estimate.forEach((b, j) => {
      expect(relDiff(fit.estimate[j]!, b)).toBeLessThan(1e-8);
      expect(relDiff(fit.stdError[j]!, fx.centre.glm.se[j]!)).toBeLessThan(1e-8);
    });
    expect(relDiff(fit.deviance, fx.centre.glm.deviance)).toBeLessThan(1e-10);
  });

  it('adds nothing for one centre and refuses a centre outside the list', () => {
    const f = parseFormula('y ~ x');
    const dm = buildDesignMatrix(
      f,
      { numeric: { y: Float64Array.of(1, 0), x: Float64Array.of(2, 3) } },
      { levels: {} },
    );
    expect(appendCentreColumns(dm, ['A'], 'A')).toBe(dm);
    const two = appendCentreColumns(dm, ['A', 'B'], 'B');
    expect(two.columnNames).toEqual(['(Intercept)', 'x', 'centreB']);
    expect(Array.from(two.x)).toEqual([1, 2, 1, 1, 3, 1]);
    expect(two.assign).toEqual([0, 1, 2]);
    expect(() => appendCentreColumns(dm, ['A', 'B'], 'C')).toThrow(/not one of/);
  });
});
