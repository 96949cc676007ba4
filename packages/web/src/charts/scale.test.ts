import { describe, expect, it } from 'vitest';
import {
  extent,
  formatNumber,
  formatP,
  linearScale,
  logScale,
  logTicks,
  niceTicks,
  pClause,
} from './scale.js';

describe('scales', () => {
  it('maps a linear domain onto an inverted pixel range', () => {
    const y = linearScale([0, 1], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(0.25)).toBe(150);
    expect(y(1)).toBe(0);
  });
  it('maps a log domain so that equal ratios get equal distances', () => {
    const x = logScale([0.1, 10], [0, 100]);
    expect(x(1)).toBeCloseTo(50, 10);
    expect(x(0.1)).toBeCloseTo(0, 10);
    expect(x(10) - x(1)).toBeCloseTo(x(1) - x(0.1), 10);
  });
  it('refuses a log scale over zero', () => {
    expect(() => logScale([0, 2], [0, 1])).toThrow(/positive/);
  });
  it('chooses 1-2-5 ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 118, 5)).toEqual([0, 50, 100]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(logTicks(0.5, 3)).toEqual([0.5, 0.7, 1, 1.5, 2, 3]);
    expect(logTicks(0.01, 100)).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(logTicks(0.95, 1.25)).toEqual([1, 1.1, 1.2]);
  });
  it('takes extents of finite values and formats numbers', () => {
    expect(extent([3, null, -1, Number.NaN, 7])).toEqual([-1, 7]);
    expect(extent([], [0, 5])).toEqual([0, 5]);
    expect(formatNumber(1.234567)).toBe('1.235');
    expect(formatNumber(null)).toBe('–');
    // p-values as R's format.pval(p, digits = 3) prints them, the same as the CLI
    expect(formatP(0.00001)).toBe('1e-05');
    expect(formatP(0)).toBe('<2e-16');
    expect(formatP(0.04321)).toBe('0.0432');
    expect(pClause(1e-9)).toBe('p = 1e-09');
    expect(pClause(0)).toBe('p < 2e-16');
    expect(formatNumber(-0.00001, 3)).toBe('-1e-05');
    expect(formatNumber(-0)).toBe('0');
    expect(pClause(0.0054)).toBe('p = 0.0054');
  });
});
