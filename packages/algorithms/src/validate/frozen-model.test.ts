import { parseFormula } from '@fedhub/stats';
import { describe, expect, it } from 'vitest';
import { frozenCoefficients, frozenModelLevels } from './frozen-model.js';

const f = parseFormula('y ~ age + stage');
const levels = frozenModelLevels([['stage', ['IV', 'I', 'III', 'II']]]);
const names = ['(Intercept)', 'age', 'stageII', 'stageIII', 'stageIV'];

describe('frozen formula models', () => {
  it('take every declared level, sorted as R sorts them', () => {
    expect(levels).toEqual({ stage: ['I', 'II', 'III', 'IV'] });
    expect(
      frozenModelLevels(
        [
          ['stage', ['I', 'II']],
          ['centre', ['A']],
        ],
        'centre',
      ),
    ).toEqual({
      stage: ['I', 'II'],
    });
  });

  it('give a level without a coefficient 0 (the model’s reference), whichever the design’s reference is', () => {
    const coef = { '(Intercept)': -3.8, age: 0.02, stageI: -0.4, stageIII: 0.5, stageIV: 0.9 };
    expect(frozenCoefficients(f, levels, coef, names, { stage: ['II', 'III'] })).toEqual([
      -3.8, 0.02, 0, 0.5, 0.9,
    ]);
  });

  it('refuse a numeric term without a coefficient, naming it', () => {
    expect(() =>
      frozenCoefficients(f, levels, { '(Intercept)': 1, stageII: 1 }, names, { stage: [] }),
    ).toThrow(/no value for "age"/);
  });

  it('refuse records at two levels without a coefficient (reference and unseen level confused), naming none', () => {
    const coef = { '(Intercept)': -3.8, age: 0.02, stageIII: 0.5, stageIV: 0.9 };
    // records at I and II: one of them is the model's reference, the other a level it never saw
    let err: Error | null = null;
    try {
      frozenCoefficients(f, levels, coef, names, { stage: ['I', 'II', 'III'] });
    } catch (e) {
      err = e as Error;
    }
    expect(err).toMatchObject({ code: 'FH_ERR_BAD_PARAMS' });
    expect(err!.message).not.toMatch(/\bI\b|\bII\b/);
    // records at one of them only: applied (that level taken as the reference)
    expect(frozenCoefficients(f, levels, coef, names, { stage: ['II', 'III'] })).toEqual([
      -3.8, 0.02, 0, 0.5, 0.9,
    ]);
  });
});
