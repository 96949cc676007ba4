import { describe, expect, it } from 'vitest';
import { bridgesPass, mergeCommonBins, runPasses } from './common-partition.js';

/**
 * Whether no non-zero cell under `minCell` of a (block x part) table is determined by its margins, by
 * linear algebra: cell (r, c) is determined iff its unit vector is in the span of the margins' indicator
 * vectors over the non-zero cells (rank test, Gaussian elimination in floating point on a small table).
 */
function noSmallDetermined(table: number[][], minCell: number): boolean {
  const cells: [number, number][] = [];
  table.forEach((row, r) => {
    row.forEach((x, c) => {
      if (x > 0) cells.push([r, c]);
    });
  });
  const margins: number[][] = [
    ...table.map((_, r) => cells.map(([a]) => (a === r ? 1 : 0))),
    ...table[0]!.map((_, c) => cells.map(([, b]) => (b === c ? 1 : 0))),
  ];
  const rank = (vs: number[][]) => {
    const m = vs.map((v) => [...v]);
    let rk = 0;
    for (let col = 0; col < cells.length && rk < m.length; col++) {
      const p = m.findIndex((v, i) => i >= rk && Math.abs(v[col]!) > 1e-9);
      if (p < 0) continue;
      [m[rk], m[p]] = [m[p]!, m[rk]!];
      for (let i = 0; i < m.length; i++)
        if (i !== rk) {
          const f = m[i]![col]! / m[rk]![col]!;
          for (let k = 0; k < cells.length; k++) m[i]![k]! -= f * m[rk]![k]!;
        }
      rk++;
    }
    return rk;
  };
  const base = rank(margins);
  return cells.every(([r, c], k) => {
    if (table[r]![c]! >= minCell) return true;
    return rank([...margins, cells.map((_, i) => (i === k ? 1 : 0))]) > base;
  });
}

describe('bridgesPass', () => {
  it('refuses a small cell the margins determine, keeps one on a cycle', () => {
    // block 0 has 6 F and 3 M; block 1 only M: block 0's M = block 0 - run's F (3 records)
    expect(
      bridgesPass(
        [
          [6, 3],
          [0, 6],
        ],
        5,
      ),
    ).toBe(false);
    // every cell on the 2 x 2 cycle: none determined
    expect(
      bridgesPass(
        [
          [6, 3],
          [2, 6],
        ],
        5,
      ),
    ).toBe(true);
    expect(
      noSmallDetermined(
        [
          [6, 3],
          [0, 6],
        ],
        5,
      ),
    ).toBe(false);
    expect(
      noSmallDetermined(
        [
          [6, 3],
          [2, 6],
        ],
        5,
      ),
    ).toBe(true);
  });

  it('agrees with the rank test on random tables', () => {
    let seed = 5;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    let refusedTables = 0;
    for (let t = 0; t < 300; t++) {
      const rows = 1 + Math.floor(rand() * 4);
      const cols = 2 + Math.floor(rand() * 2);
      const table = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rand() < 0.35 ? 0 : 1 + Math.floor(rand() * 7))),
      );
      const want = noSmallDetermined(table, 5);
      if (!want) refusedTables++;
      expect(bridgesPass(table, 5)).toBe(want);
    }
    expect(refusedTables).toBeGreaterThan(20);
  });
});

describe('mergeCommonBins', () => {
  it('closes a run only when every part is zero or at least the minimum', () => {
    expect(
      mergeCommonBins(
        [
          [3, 2, 0, 5],
          [1, 4, 5, 0],
        ],
        5,
        5,
        10,
      ),
    ).toEqual([
      { from: 0, to: 1, n: 10, parts: [5, 5] },
      { from: 2, to: 2, n: 5, parts: [0, 5] },
      { from: 3, to: 3, n: 5, parts: [5, 0] },
    ]);
  });

  it('finds the passing partition that moves the scores least (checked against every partition of small inputs)', () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    // the records' squared distances from their run's mean bin
    const spread = (counts: number[][], from: number, to: number) => {
      let n = 0;
      let s1 = 0;
      let s2 = 0;
      for (let b = from; b <= to; b++) {
        const c = counts.reduce((a, part) => a + part[b]!, 0);
        n += c;
        s1 += c * b;
        s2 += c * b * b;
      }
      return s2 - (s1 * s1) / n;
    };
    let compared = 0;
    for (let t = 0; t < 200; t++) {
      const bins = 9;
      const counts = [0, 1, 2].map(() =>
        Array.from({ length: bins }, () => (rand() < 0.4 ? 0 : Math.floor(rand() * 4))),
      );
      const span = 2 + Math.floor(rand() * 6);
      const occupied = Array.from({ length: bins }, (_, b) => b).filter((b) => counts.some((c) => c[b]! > 0));
      let least = Number.POSITIVE_INFINITY;
      for (let mask = 0; mask < 1 << Math.max(0, occupied.length - 1); mask++) {
        let start = 0;
        let ok = occupied.length > 0;
        let cost = 0;
        for (let j = 0; j < occupied.length && ok; j++) {
          if (j === occupied.length - 1 || mask & (1 << j)) {
            const parts = counts.map((c) => occupied.slice(start, j + 1).reduce((a, b) => a + c[b]!, 0));
            ok = occupied[j]! - occupied[start]! <= span && runPasses(parts, 4, 3);
            cost += spread(counts, occupied[start]!, occupied[j]!);
            start = j + 1;
          }
        }
        if (ok) least = Math.min(least, cost);
      }
      const got = mergeCommonBins(counts, 4, 3, span);
      const passes = got.length > 0 && got.every((r) => r.to - r.from <= span && runPasses(r.parts, 4, 3));
      if (!Number.isFinite(least)) expect(passes).toBe(false);
      else {
        compared++;
        expect(passes).toBe(true);
        const cost = got.reduce((a, r) => a + spread(counts, r.from, r.to), 0);
        expect(Math.abs(cost - least)).toBeLessThan(1e-9);
        // every record is in one run
        const n = counts.flat().reduce((a, b) => a + b, 0);
        expect(got.reduce((a, r) => a + r.n, 0)).toBe(n);
      }
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('with blocks, returns the passing coarsening of the blocks that moves the scores least (checked against every coarsening)', () => {
    let seed = 11;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const spread = (counts: number[][], from: number, to: number) => {
      let n = 0;
      let s1 = 0;
      let s2 = 0;
      for (let b = from; b <= to; b++) {
        const c = counts.reduce((a, part) => a + part[b]!, 0);
        n += c;
        s1 += c * b;
        s2 += c * b * b;
      }
      return s2 - (s1 * s1) / n;
    };
    let compared = 0;
    let refused = 0;
    for (let t = 0; t < 300; t++) {
      const bins = 10;
      const counts = [0, 1].map(() =>
        Array.from({ length: bins }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 4))),
      );
      const occupied = Array.from({ length: bins }, (_, b) => b).filter((b) => counts.some((c) => c[b]! > 0));
      if (occupied.length === 0) continue;
      // blocks: consecutive occupied bins cut at random (as the plain partition's runs are)
      const blocks: { from: number; to: number }[] = [];
      let start = 0;
      for (let j = 0; j < occupied.length; j++)
        if (j === occupied.length - 1 || rand() < 0.5) {
          blocks.push({ from: occupied[start]!, to: occupied[j]! });
          start = j + 1;
        }
      const span = 3 + Math.floor(rand() * 6);
      let least = Number.POSITIVE_INFINITY;
      for (let mask = 0; mask < 1 << (blocks.length - 1); mask++) {
        let first = 0;
        let ok = true;
        let cost = 0;
        for (let g = 0; g < blocks.length && ok; g++) {
          if (g === blocks.length - 1 || mask & (1 << g)) {
            const from = blocks[first]!.from;
            const to = blocks[g]!.to;
            const parts = counts.map((c) => c.slice(from, to + 1).reduce((a, b) => a + b, 0));
            const table = blocks
              .slice(first, g + 1)
              .map((bl) => counts.map((c) => c.slice(bl.from, bl.to + 1).reduce((a, b) => a + b, 0)));
            ok = to - from <= span && runPasses(parts, 4, 3) && (g === first || noSmallDetermined(table, 3));
            cost += spread(counts, from, to);
            first = g + 1;
          }
        }
        if (ok) least = Math.min(least, cost);
      }
      const got = mergeCommonBins(counts, 4, 3, span, blocks);
      // every run is a union of whole blocks
      const edges = new Set(blocks.flatMap((b) => [`f${b.from}`, `t${b.to}`]));
      for (const r of got) expect(edges.has(`f${r.from}`) && edges.has(`t${r.to}`)).toBe(true);
      const passes = got.every((r) => {
        const inRun = blocks.filter((bl) => bl.from >= r.from && bl.to <= r.to);
        const table = inRun.map((bl) =>
          counts.map((c) => c.slice(bl.from, bl.to + 1).reduce((a, b) => a + b, 0)),
        );
        return (
          r.to - r.from <= span &&
          runPasses(r.parts, 4, 3) &&
          (inRun.length === 1 || noSmallDetermined(table, 3))
        );
      });
      if (!Number.isFinite(least)) {
        refused++;
        expect(passes).toBe(false);
      } else {
        compared++;
        expect(passes).toBe(true);
        const cost = got.reduce((a, r) => a + spread(counts, r.from, r.to), 0);
        expect(Math.abs(cost - least)).toBeLessThan(1e-9);
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(5);
  });

  it('is finer than the greedy from both ends where part of a class is sparse', () => {
    // part 1 sparse: the greedy from both ends leaves short runs at the median that only join into one
    // run of everything; the exact search keeps bin 0 apart ([5, 0] passes) and joins part 1's records
    const counts = [
      [5, 5, 5, 5],
      [0, 2, 0, 3],
    ];
    expect(mergeCommonBins(counts, 5, 5, 3)).toEqual([
      { from: 0, to: 0, n: 5, parts: [5, 0] },
      { from: 1, to: 3, n: 20, parts: [15, 5] },
    ]);
  });

  it('a part too small anywhere leaves a short run (the caller withholds)', () => {
    const runs = mergeCommonBins(
      [
        [6, 0, 6],
        [0, 2, 0],
      ],
      5,
      5,
      10,
    );
    expect(runs.some((r) => !runPasses(r.parts, 1, 5))).toBe(true);
  });

  it('joins across a wide gap only within the span', () => {
    const runs = mergeCommonBins(
      [
        [3, 0, 0, 0, 0, 0, 3],
        [5, 0, 0, 0, 0, 0, 5],
      ],
      5,
      5,
      3,
    );
    expect(runs.every((r) => r.to - r.from <= 3)).toBe(true);
    expect(runs.some((r) => !runPasses(r.parts, 1, 5))).toBe(true);
  });

  it('no records, no runs', () => {
    expect(
      mergeCommonBins(
        [
          [0, 0],
          [0, 0],
        ],
        5,
        5,
        3,
      ),
    ).toEqual([]);
  });
});
