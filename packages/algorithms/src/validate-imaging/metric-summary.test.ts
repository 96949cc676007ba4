import { describe, expect, it } from 'vitest';
import { METRIC_GRIDS, poolMetric, summariseAtNode } from './metric-summary.js';

const DICE = [0.91, 0.92, 0.93, 0.96, 0.97, 0.5];

describe('metric summaries under the minimum cell count', () => {
  it('merges grid bins left to right until each interval holds k cases, trimmed to non-empty bins', () => {
    const s = summariseAtNode(DICE, 'fraction', 2);
    expect(s.intervals).toEqual([
      { lo: 0.5, hi: 0.95, n: 4 },
      { lo: 0.95, hi: 1, n: 2 },
    ]);
    expect(s.n).toBe(6);
    // the sum is rounded to 0.05: 5.19 -> 5.2
    expect(s.sum).toBeCloseTo(5.2, 14);
    expect(s.sumSquares).toBeCloseTo(4.65, 14);
    // with k = 3 the last two cases cannot stand alone: they join the interval before
    expect(summariseAtNode(DICE, 'fraction', 3).intervals).toEqual([{ lo: 0.5, hi: 1, n: 6 }]);
    // every interval holds at least k, whatever the values
    for (let k = 1; k <= 6; k++)
      for (const i of summariseAtNode(DICE, 'fraction', k).intervals) expect(i.n).toBeGreaterThanOrEqual(k);
  });

  it('HD95 past the grid goes in the last bin', () => {
    expect(summariseAtNode([0.5, 2000], 'mm', 1).intervals).toEqual([
      { lo: 0, hi: 1, n: 1 },
      { lo: 100, hi: 1000, n: 1 },
    ]);
    expect(METRIC_GRIDS.fraction[19]).toBe(0.95);
  });

  it('pools mean, SD, quartiles from the piecewise-uniform distribution, and counts under thresholds', () => {
    const a = summariseAtNode(DICE, 'fraction', 2);
    const p = poolMetric([a], [0.95, 0.9]);
    expect(p.n).toBe(6);
    // from the rounded sums (5.2 and 4.65; exact: 5.19 and 4.6519)
    expect(p.mean).toBeCloseTo(5.2 / 6, 14);
    expect(p.sd).toBeCloseTo(Math.sqrt((4.65 - 6 * (5.2 / 6) ** 2) / 5), 12);
    expect(p.q1).toBeCloseTo(0.5 + (1.5 / 4) * 0.45, 12);
    expect(p.median).toBeCloseTo(0.5 + (3 / 4) * 0.45, 12);
    expect(p.q3).toBeCloseTo(0.95 + (0.5 / 2) * 0.05, 12);
    // 0.95 is an interval edge: exact; 0.9 falls inside [0.5, 0.95): a range
    expect(p.below).toEqual([
      { threshold: 0.95, atLeast: 4, atMost: 4 },
      { threshold: 0.9, atLeast: 0, atMost: 4 },
    ]);
  });

  it('pools several nodes: the quantile of the sum of their distributions', () => {
    const p = poolMetric(
      [
        { n: 4, sum: 2, sumSquares: 1.1, intervals: [{ lo: 0.4, hi: 0.6, n: 4 }] },
        { n: 4, sum: 3.2, sumSquares: 2.6, intervals: [{ lo: 0.5, hi: 0.9, n: 4 }] },
      ],
      [],
    );
    // CDF: 0.4 -> 0, 0.5 -> 2, 0.6 -> 4 + 1 = 5, 0.9 -> 8; median (4 cases) between 0.5 and 0.6
    expect(p.median).toBeCloseTo(0.5 + (2 / 3) * 0.1, 12);
    expect(p.q3).toBeCloseTo(0.6 + (1 / 3) * 0.3, 12);
    expect(p.mean).toBe(0.65);
  });

  it('no case: nulls', () => {
    expect(poolMetric([], [0.5])).toMatchObject({
      n: 0,
      mean: null,
      median: null,
      below: [{ atLeast: 0, atMost: 0 }],
    });
  });
});
