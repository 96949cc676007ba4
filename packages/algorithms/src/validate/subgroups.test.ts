import { describe, expect, it } from 'vitest';
import { levelBlockSize, subgroupLocal, subgroupPooled } from './subgroups.js';

const grid = { width: 0.1, bins: 11 };
const policy = { minCell: 3, minSubset: 5 };
/** `n` records of outcome `y` at score `p`. */
const recs = (n: number, y: 0 | 1, p: number) => ({
  y: new Float64Array(n).fill(y),
  p: new Float64Array(n).fill(p),
});
const cat = (...xs: Array<{ y: Float64Array; p: Float64Array }>) => ({
  y: Float64Array.from(xs.flatMap((x) => [...x.y])),
  p: Float64Array.from(xs.flatMap((x) => [...x.p])),
});

describe('subgroupLocal', () => {
  const a = cat(recs(4, 0, 0.2), recs(4, 1, 0.7));
  const b = cat(recs(5, 0, 0.3), recs(3, 1, 0.8));

  it('releases every level, each (outcome, score group) count declared as a cell', () => {
    const r = subgroupLocal(['a', 'b'], [a, b], { n: 16, events: 7 }, grid, policy);
    expect(r.withheld).toBe(false);
    const block = levelBlockSize(grid.bins);
    expect(r.additive).toHaveLength(2 * block + 1);
    expect(r.additive[2 * block]).toBe(0);
    // level b: 5 non-events in bin 3, 3 events in bin 8, n 8, sum of p 0.3 * 5 + 0.8 * 3
    expect(r.additive[block + 3]).toBe(5);
    expect(r.additive[block + grid.bins + 8]).toBe(3);
    expect(r.additive[block + 2 * grid.bins + 1]).toBe(8);
    expect(r.additive[block + 2 * grid.bins + 2]).toBeCloseTo(3.9, 12);
    expect(r.cells.map((c) => c.count).every((c) => c === 0 || c >= policy.minCell)).toBe(true);
    const pooled = subgroupPooled('g', ['a', 'b'], r.additive, grid.bins);
    expect(pooled.levels!.map((l) => [l.n, l.events, l.auc])).toEqual([
      [8, 4, 1],
      [8, 3, 1],
    ]);
    expect(pooled.levels![1]!.observedExpected).toBeCloseTo(3 / 3.9, 12);
  });

  it('withholds the block (zeros, one withholding centre) when a level is under the minimum cell count', () => {
    const small = cat(recs(5, 0, 0.3), recs(2, 1, 0.8));
    const r = subgroupLocal(['a', 'b'], [a, small], { n: 15, events: 6 }, grid, policy);
    expect(r.withheld).toBe(true);
    expect(r.cells).toEqual([]);
    expect(r.additive.slice(0, -1).every((v) => v === 0)).toBe(true);
    expect(r.additive.at(-1)).toBe(1);
    expect(subgroupPooled('g', ['a', 'b'], r.additive, grid.bins).levels).toBeNull();
  });

  it('withholds the block when the records outside every level (missing value) would be a small cell', () => {
    // the main release holds one event more than the levels: main minus levels would give it away
    const r = subgroupLocal(['a', 'b'], [a, b], { n: 17, events: 8 }, grid, policy);
    expect(r.withheld).toBe(true);
  });

  it('withholds the block when a level is under the minimum subset size', () => {
    const tiny = cat(recs(3, 0, 0.3));
    const r = subgroupLocal(['a', 'b'], [a, tiny], { n: 11, events: 4 }, grid, policy);
    expect(r.withheld).toBe(true);
  });

  it('an empty level is released as empty (no measures)', () => {
    const r = subgroupLocal(['a', 'b'], [a, recs(0, 0, 0)], { n: 8, events: 4 }, grid, policy);
    expect(r.withheld).toBe(false);
    const pooled = subgroupPooled('g', ['a', 'b'], r.additive, grid.bins);
    expect(pooled.levels![1]).toMatchObject({ n: 0, auc: null, brier: null });
  });
});
