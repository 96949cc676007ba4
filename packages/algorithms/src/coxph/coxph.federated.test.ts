/**
 * Federated coxph with secure aggregation against R coxph() on the pooled, coarsened rows.
 * Over the reference federation (three DuckDB-backed nodes, the node's executor, secure aggregation).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalFederation } from '@fedhub/node';
import { describe, expect, it } from 'vitest';
import {
  STATS_FIXTURES as fixtures,
  rel,
  useReferenceFederation,
} from '../test-support/reference-federation.js';

const fed = useReferenceFederation();
const { nodes } = fed;

interface RCox {
  name: string;
  formula: string;
  ties: 'efron' | 'breslow';
  names: string[];
  coef: number[];
  se: number[];
  loglik: number[];
  concordance: number;
}
const cox = JSON.parse(readFileSync(join(fixtures, 'cox.json'), 'utf8')) as {
  resolution: number;
  fits: RCox[];
};

describe('federated coxph with secure aggregation equals R coxph on the pooled, coarsened data', () => {
  for (const fit of cox.fits) {
    it(`${fit.name}: ${fit.formula}`, async () => {
      const formula = fit.formula.replace('Surv(tc,', 'Surv(months,');
      const params = { dataset: 'cohort', formula, ties: fit.ties, timeResolution: cox.resolution };
      const { result } = await runLocalFederation('coxph', params, nodes);
      const r = result as {
        coefficients: Array<{ term: string; estimate: number; stdError: number }>;
        loglik: number[];
        concordance: { value: number };
      };
      expect(r.coefficients.map((c) => c.term)).toEqual(fit.names);
      // each factor's levels, the reference first: the terms are the other levels, after the factor's name
      const levels = (result as { levels?: Record<string, string[]> }).levels ?? {};
      for (const [factor, ls] of Object.entries(levels))
        if (formula.includes(factor))
          for (const l of ls.slice(1))
            expect(fit.names.some((n) => n === `${factor}${l}` || n === `factor(${factor})${l}`)).toBe(true);
      expect(levels.sex).toEqual(['F', 'M']);
      // strata are no terms: their levels are not released with the model's
      expect(levels.centre).toBeUndefined();
      if (/\bstage\b/.test(formula)) expect(levels.stage?.[0]).toBe('I');
      r.coefficients.forEach((c, j) => {
        expect(rel(c.estimate, fit.coef[j]!)).toBeLessThan(1e-6);
        expect(rel(c.stdError, fit.se[j]!)).toBeLessThan(1e-6);
      });
      expect(rel(r.loglik[1]!, fit.loglik[1]!)).toBeLessThan(1e-10);
      // Harrell's C from linear predictors binned at 200 levels
      expect(Math.abs(r.concordance.value - fit.concordance)).toBeLessThan(5e-3);
    });
  }
});
