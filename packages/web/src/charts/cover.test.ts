import { describe, expect, it } from 'vitest';
import { coveringAxis } from './cover.js';
import { overlaps, spreadLabels } from './label-layout.js';

describe('axes whose ticks cover the data', () => {
  it.each([
    [0.83, 2.41, true],
    [0.012, 0.7, true],
    [1.02, 1.09, true],
    [0.3, 45, true],
    [-1.73, 0.42, false],
    [0.51, 0.98, false],
    [3, 3, false],
    [-0.004, 12873, false],
  ])('[%s, %s] log=%s', (lo, hi, log) => {
    const { domain, ticks } = coveringAxis(lo, hi, log);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks[0]).toBeLessThanOrEqual(lo);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(hi);
    expect(domain).toEqual([ticks[0], ticks.at(-1)]);
    // strictly increasing, and no more than a dozen labels
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThan(ticks[i - 1] as number);
    expect(ticks.length).toBeLessThanOrEqual(12);
  });
  it('keeps round values', () => {
    expect(coveringAxis(0.83, 2.41, true).ticks).toEqual([0.5, 1, 1.5, 2, 2.5]);
    expect(coveringAxis(0.012, 0.7, true).ticks).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(coveringAxis(-1.73, 0.42, false).ticks).toEqual([-2, -1.5, -1, -0.5, 0, 0.5]);
  });
});

describe('label layout', () => {
  it('pushes overlapping labels apart, keeping order and bounds', () => {
    const wanted = [100, 102, 101, 300, 590, 595];
    const got = spreadLabels(wanted, 14, 0, 600);
    expect(overlaps(got, 14)).toBe(false);
    expect(overlaps(wanted, 14)).toBe(true);
    expect(Math.max(...got)).toBeLessThanOrEqual(600);
    expect(got[0]).toBeLessThan(got[2] as number);
    expect(got[2]).toBeLessThan(got[1] as number);
    expect(got[3]).toBe(300);
  });
  it('leaves separated labels where they are', () => {
    expect(spreadLabels([10, 50, 90], 12, 0, 100)).toEqual([10, 50, 90]);
  });
});
