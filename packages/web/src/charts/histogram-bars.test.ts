import { describe, expect, it } from 'vitest';
import { histogramBars } from './histogram-bars.js';

describe('histogramBars', () => {
  it('uses counts for equal bins', () => {
    const { bars, density } = histogramBars([0, 10, 20], [5, 7]);
    expect(density).toBe(false);
    expect(bars.map((b) => b.height)).toEqual([5, 7]);
  });
  it('uses counts per unit for unequal bins, so areas carry the counts', () => {
    const { bars, density } = histogramBars([18, 50, 60], [64, 40]);
    expect(density).toBe(true);
    expect(bars.map((b) => b.height)).toEqual([2, 4]);
    expect(bars.map((b) => b.height * (b.x1 - b.x0))).toEqual([64, 40]);
  });
});
