import { describe, expect, it } from 'vitest';
import { bandValue, cellOf, cumulativePct, GRID_CELLS, percentileAllowed } from './band-math.js';

const counts = (cells: Record<number, number>) => {
  const c = new Array<number>(GRID_CELLS).fill(0);
  for (const [k, n] of Object.entries(cells)) c[Number(k)] = n;
  return c;
};

describe('population DVH band arithmetic', () => {
  it('puts 0 % and 100 % in atoms and the rest in one-point cells', () => {
    expect(cellOf(0)).toBe(0);
    expect(cellOf(100)).toBe(GRID_CELLS - 1);
    expect(cellOf(0.2)).toBe(1);
    expect(cellOf(1)).toBe(1);
    expect(cellOf(37.2)).toBe(38);
    expect(cellOf(99.99)).toBe(100);
  });

  it('reads the cumulative DVH with each bin spread over its width', () => {
    // bins of 2 Gy centred at 1 and 3 Gy, 1/4 and 3/4 of the volume
    const v = cumulativePct([1, 3], [0.25, 0.75], 2, [0, 1, 2, 3, 4, 5]);
    expect(Array.from(v)).toEqual([100, 87.5, 75, 37.5, 0, 0]);
  });

  it('withholds percentiles with fewer than k patients beyond them (the quantile rule)', () => {
    expect(percentileAllowed(10, 0.5, 5)).toBe(true);
    expect(percentileAllowed(10, 0.25, 5)).toBe(false);
    expect(percentileAllowed(10, 0.95, 5)).toBe(false);
    expect(percentileAllowed(105, 0.05, 5)).toBe(true);
    expect(percentileAllowed(105, 0.95, 5)).toBe(true);
    expect(percentileAllowed(80, 0.05, 5)).toBe(false);
    expect(bandValue(counts({ 101: 10 }), 0.25, 5)).toBeNull();
  });

  it('releases a value exactly only where k patients sit at it', () => {
    expect(bandValue(counts({ 101: 30 }), 0.5, 5)).toEqual({
      value: 100,
      resolution: 0,
      lower: 100,
      upper: 100,
    });
    // 29 at 0 % and one patient alone at 40 %: every allowed percentile is exactly 0, the lone patient shows nowhere
    for (const p of [0.25, 0.5, 0.75]) expect(bandValue(counts({ 0: 29, 41: 1 }), p, 5)!.value).toBe(0);
  });

  it('rounds to the finest interval holding 0 or at least k patients', () => {
    // 10 patients in (40, 41]: the median is released on the one-point grid
    expect(bandValue(counts({ 41: 10 }), 0.5, 5)).toEqual({
      value: 40.5,
      resolution: 1,
      lower: 39.5,
      upper: 41.5,
    });
    // 3 in (40, 41], 2 in (41, 42], 5 in (60, 61]: no one-point interval around the median (between 41.5 and
    // 60.5) holds patients, so it is released at 1 point; the 25th percentile's cell holds 3, so it widens to
    // (40, 42] (5 patients)
    const c = counts({ 41: 3, 42: 2, 61: 5 });
    const med = bandValue(c, 0.5, 5)!;
    expect(med.resolution).toBe(1);
    expect(med.value).toBe(50.5);
    expect(bandValue(c, 0.3, 3)).toEqual({ value: 41, resolution: 2, lower: 39.5, upper: 42.5 });
  });
});
