import { describe, expect, it } from 'vitest';
import { formatPValue } from './format-number.js';

describe('formatPValue', () => {
  it("prints p-values as R's format.pval(p, digits = 3)", () => {
    expect(formatPValue(0)).toBe('<2e-16');
    expect(formatPValue(1e-300)).toBe('<2e-16');
    expect(formatPValue(2.2e-16)).toBe('<2e-16');
    expect(formatPValue(3.1e-7)).toBe('3.1e-07');
    expect(formatPValue(0.04567)).toBe('0.0457');
    expect(formatPValue(0.00012)).toBe('0.00012');
    expect(formatPValue(1)).toBe('1');
    expect(formatPValue(Number.NaN)).toBe('NA');
  });
});
