import { describe, expect, it } from 'vitest';
import { readFixtureJson } from '../test-support.js';
import { orderStatisticCi } from './quantile-ci.js';

const fx = readFixtureJson<{
  grid: {
    n: number[];
    p: number[];
    level: number[];
    lower: Array<number | null>;
    upper: Array<number | null>;
    coverage: number[];
  };
}>('quantile-ci.json');

describe('order-statistic confidence intervals of quantiles equal R (qbinom / pbinom; DescTools MedianCI exact)', () => {
  it(`on ${fx.grid.n.length} combinations of n, p and level`, () => {
    fx.grid.n.forEach((n, i) => {
      const ci = orderStatisticCi(n, fx.grid.p[i]!, fx.grid.level[i]!);
      expect([ci.lower, ci.upper]).toEqual([fx.grid.lower[i], fx.grid.upper[i]]);
      expect(Math.abs(ci.coverage - fx.grid.coverage[i]!)).toBeLessThan(1e-12);
    });
  });
  it('refuses what is not a sample size, a probability or a level', () => {
    expect(() => orderStatisticCi(0, 0.5)).toThrow(/n >= 1/);
    expect(() => orderStatisticCi(10, 1)).toThrow(/0 < p < 1/);
  });
});
