/**
 * glm with adjustForCentre (each node adds its centre's indicator; no centre column is read) over the reference
 * federation, against R's glm with the centre column of the pooled file (make-cox-robust-fixture.R).
 */
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import { rel, statsFixture, useReferenceFederation } from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const fx = statsFixture<{
  centre: { glm: { formula: string; names: string[]; estimate: number[]; se: number[]; deviance: number } };
}>('cox-robust.json').centre.glm;

describe('glm adjustForCentre equals R glm(... + centre) on the pooled file', () => {
  it(fx.formula, async () => {
    const { result } = await runLocalFederation(
      'glm',
      { dataset: 'cohort', formula: fx.formula, family: 'binomial', adjustForCentre: true },
      fed.nodes,
    );
    const r = result as {
      coefficients: Array<{ term: string; estimate: number; stdError: number }>;
      deviance: number;
    };
    // the nodes are "Centre A" .. "Centre C": R's centreB is centreCentre B
    expect(r.coefficients.map((c) => c.term)).toEqual(
      fx.names.map((n) => n.replace(/^centre([A-Z])$/, 'centreCentre $1')),
    );
    r.coefficients.forEach((c, j) => {
      expect(rel(c.estimate, fx.estimate[j]!)).toBeLessThan(1e-6);
      expect(rel(c.stdError, fx.se[j]!)).toBeLessThan(1e-6);
    });
    expect(rel(r.deviance, fx.deviance)).toBeLessThan(1e-9);
  });

  it('refuses adjustForCentre with anova', async () => {
    await expect(
      runLocalFederation(
        'glm',
        { dataset: 'cohort', formula: fx.formula, family: 'binomial', adjustForCentre: true, anova: true },
        fed.nodes,
      ),
    ).rejects.toThrow(/adjustForCentre/);
  });
});
