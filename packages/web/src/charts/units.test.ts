import { describe, expect, it } from 'vitest';
import { axisTitle } from '../results/dictionary-context.js';
import { perUnit, unitLabel } from './units.js';

describe('units as a clinician reads them', () => {
  it('writes UCUM time codes in words and leaves other units as declared', () => {
    expect(['a', 'mo', 'd', 'Gy', 'mGy.cm', 'kg/m2'].map(unitLabel)).toEqual([
      'years',
      'months',
      'days',
      'Gy',
      'mGy.cm',
      'kg/m2',
    ]);
    expect(perUnit('a')).toBe('per year');
    expect(perUnit('Gy')).toBe('per Gy');
  });
  it('titles an axis with the unit in words, once', () => {
    expect(axisTitle('age', 'a')).toBe('age (years)');
    expect(axisTitle('dose_gy', 'Gy')).toBe('dose_gy (Gy)');
    // a column named after its unit is not repeated: "months", not "months (months)"
    expect(axisTitle('months', 'mo')).toBe('months');
    expect(axisTitle('bmi', undefined)).toBe('bmi');
  });
});
