import { describe, expect, it } from 'vitest';
import { toCanonical, unitFactor } from './units.js';

describe('unit normalisation', () => {
  it('reads the DLP spellings found in real reports as mGy.cm', () => {
    for (const u of ['mGy.cm', 'mGycm', 'mGy*cm', 'mGy cm', 'mGy·cm', 'MGY.CM'])
      expect(unitFactor('mGy.cm', u)).toBe(1);
    expect(toCanonical('mGy.cm', 12.5, 'cGy.cm')).toBe(125);
    expect(toCanonical('mGy.cm', 3, 'Gy.cm')).toBe(3000);
    expect(toCanonical('mGy.cm', 100, 'mGy.mm')).toBe(10);
  });
  it('reads dose and length units', () => {
    expect(toCanonical('mGy', 2, 'cGy')).toBe(20);
    expect(toCanonical('mGy', 500, 'uGy')).toBe(0.5);
    expect(toCanonical('mm', 41.9, 'cm')).toBe(419);
    expect(toCanonical('mm', 0.5, 'm')).toBe(500);
  });
  it('returns null for unknown or mismatched units', () => {
    expect(unitFactor('mGy.cm', 'mGy')).toBeNull();
    expect(unitFactor('mGy', 'mGy.cm')).toBeNull();
    expect(unitFactor('mm', '{ratio}')).toBeNull();
    expect(unitFactor('mGy', null)).toBeNull();
  });
});
