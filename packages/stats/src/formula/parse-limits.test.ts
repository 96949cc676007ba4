import { describe, expect, it } from 'vitest';
import { StatsErrorCode } from '../errors.js';
import { FORMULA_LIMITS, FormulaLimitError, formulaColumnNames, parseFormula } from './parse.js';

function caught(f: () => unknown): FormulaLimitError {
  try {
    f();
  } catch (err) {
    if (err instanceof FormulaLimitError) return err;
    throw err;
  }
  throw new Error('expected a FormulaLimitError');
}

describe('formula limits, checked before expansion', () => {
  it('refuses y ~ v0*v1*...*v18 in milliseconds, naming the limit', () => {
    const src = `y ~ ${Array.from({ length: 19 }, (_, i) => `v${i}`).join('*')}`;
    const t0 = performance.now();
    const err = caught(() => parseFormula(src));
    const ms = performance.now() - t0;
    expect(err.code).toBe(StatsErrorCode.FormulaTooLarge);
    expect(['maxTerms', 'maxInteractionOrder']).toContain(err.limit);
    expect(err.message).toMatch(/limit (maxTerms|maxInteractionOrder) = /);
    expect(ms).toBeLessThan(50);
  });

  it('refuses an interaction of more variables than maxInteractionOrder', () => {
    const n = FORMULA_LIMITS.maxInteractionOrder + 1;
    const err = caught(() => parseFormula(`y ~ ${Array.from({ length: n }, (_, i) => `v${i}`).join(':')}`));
    expect(err.limit).toBe('maxInteractionOrder');
  });

  it('refuses a product of two sums whose expansion passes maxTerms before enumerating it', () => {
    const a = Array.from({ length: 40 }, (_, i) => `a${i}`).join('+');
    const b = Array.from({ length: 40 }, (_, i) => `b${i}`).join('+');
    const err = caught(() => parseFormula(`y ~ (${a})*(${b})`));
    expect(err.limit).toBe('maxTerms');
  });

  it('refuses too many variables and too long a text', () => {
    const many = Array.from({ length: FORMULA_LIMITS.maxVariables + 1 }, (_, i) => `v${i}`).join('+');
    expect(caught(() => parseFormula(`y ~ ${many}`)).limit).toBe('maxVariables');
    expect(caught(() => parseFormula(`y ~ ${'a+'.repeat(3000)}a`)).limit).toBe('maxLength');
  });

  it('still parses what stays within the limits (order 8, 255 terms)', () => {
    const src = `y ~ ${Array.from({ length: 8 }, (_, i) => `v${i}`).join('*')}`;
    expect(parseFormula(src).terms).toHaveLength(255);
  });

  it('lists the columns a formula reads without parsing it', () => {
    expect(formulaColumnNames('Surv(t, e) ~ factor(a)*log(b) + strata(c) + offset(log(n))')).toEqual([
      't',
      'e',
      'a',
      'b',
      'c',
      'n',
    ]);
    const huge = `y ~ ${Array.from({ length: 19 }, (_, i) => `v${i}`).join('*')}`;
    expect(formulaColumnNames(huge)).toHaveLength(20);
  });
});
