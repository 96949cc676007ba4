import { describe, expect, it } from 'vitest';
import { levelBlockSize, subgroupLocal, subgroupParts, subgroupPooled } from './subgroups.js';

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
const local = (
  levels: Array<{ y: Float64Array; p: Float64Array }>,
  main: { y: Float64Array; p: Float64Array },
) => {
  const parts = subgroupParts(
    levels.map((_, k) => String(k)),
    levels,
    main,
    grid,
    policy,
  );
  return { parts, ...subgroupLocal(parts, grid) };
};

describe('subgroupLocal', () => {
  const a = cat(recs(4, 0, 0.2), recs(4, 1, 0.7));
  const b = cat(recs(5, 0, 0.3), recs(3, 1, 0.8));

  it('releases every level, each (outcome, score group) count declared as a cell', () => {
    const r = local([a, b], cat(a, b));
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
    const r = local([a, small], cat(a, small));
    expect(r.withheld).toBe(true);
    expect(r.parts.merged).toBeNull();
    expect(r.cells).toEqual([]);
    expect(r.additive.slice(0, -1).every((v) => v === 0)).toBe(true);
    expect(r.additive.at(-1)).toBe(1);
    expect(subgroupPooled('g', ['a', 'b'], r.additive, grid.bins).levels).toBeNull();
  });

  it('withholds the block when the records outside every level (missing value) would be a small cell', () => {
    // the main release holds one event more than the levels: main minus levels would give it away
    const r = local([a, b], cat(a, b, recs(1, 1, 0.5)));
    expect(r.withheld).toBe(true);
  });

  it('withholds the block when a level is under the minimum subset size', () => {
    const tiny = cat(recs(3, 0, 0.3));
    const r = local([a, tiny], cat(a, tiny));
    expect(r.withheld).toBe(true);
  });

  it('an empty level is released as empty (no measures)', () => {
    const r = local([a, recs(0, 0, 0)], a);
    expect(r.withheld).toBe(false);
    const pooled = subgroupPooled('g', ['a', 'b'], r.additive, grid.bins);
    expect(pooled.levels![1]).toMatchObject({ n: 0, auc: null, brier: null });
  });

  it('refuses levels that are not among the main selection', () => {
    expect(() => local([a, b], a)).toThrow(expect.objectContaining({ code: 'FH_ERR_ALGORITHM_FAILED' }));
  });
});

describe('subgroupParts: the main groups are unions of whole level parts', () => {
  // two levels whose scores interleave: merged on their own, their groups would cut each other's
  const u = (seed: number) => {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s + 0.5) / 4294967296;
    };
  };
  const cohort = (seed: number, n: number) => {
    const r = u(seed);
    const y = new Float64Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = Math.round((0.2 + 0.6 * r()) * 100) / 100;
      y[i] = r() < p[i]! ? 1 : 0;
    }
    return { y, p };
  };
  const f = cohort(1, 200);
  const m = cohort(2, 150);
  const missing = cohort(3, 60);
  const fine = { width: 0.01, bins: 101 };

  it('every (part, outcome, run) count is zero or at least the minimum, and main groups are their sums', () => {
    const main = cat(f, m, missing);
    const parts = subgroupParts(['F', 'M'], [f, m], main, fine, { minCell: 5, minSubset: 10 });
    expect(parts.merged).not.toBeNull();
    const key = (g: { outcome: number; from: number; to: number }) => `${g.outcome}:${g.from}..${g.to}`;
    const levelGroups = parts.merged!.map((lv) => new Map(lv.groups.map((g) => [key(g), g.n])));
    let inLevels = 0;
    for (const g of parts.main.groups) {
      const partsN = levelGroups.map((lv) => lv.get(key(g)) ?? 0);
      const missingN = g.n - partsN.reduce((x, y) => x + y, 0);
      for (const c of [...partsN, missingN]) expect(c === 0 || c >= 5).toBe(true);
      inLevels += partsN.reduce((x, y) => x + y, 0);
    }
    expect(inLevels).toBe(350);
    // every level group is inside one main group (same runs)
    const mainKeys = new Set(parts.main.groups.map(key));
    for (const lv of parts.merged!) for (const g of lv.groups) expect(mainKeys.has(key(g))).toBe(true);
  });

  it('under a one-record policy every record keeps its own score', () => {
    const main = cat(f, m);
    const parts = subgroupParts(['F', 'M'], [f, m], main, fine, { minCell: 1, minSubset: 1 });
    expect(Array.from(parts.main.p)).toEqual(Array.from(main.p));
    expect(Array.from(parts.merged![0]!.p)).toEqual(Array.from(f.p));
  });

  it('a missing part under the minimum cell count withholds the block and merges the main on its own', () => {
    const main = cat(f, m, recs(2, 1, 0.5), recs(8, 0, 0.5));
    const parts = subgroupParts(['F', 'M'], [f, m], main, fine, { minCell: 5, minSubset: 10 });
    expect(parts.merged).toBeNull();
    for (const g of parts.main.groups) expect(g.n).toBeGreaterThanOrEqual(5);
  });
});
