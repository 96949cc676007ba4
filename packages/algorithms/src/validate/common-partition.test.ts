import { describe, expect, it } from 'vitest';
import { mergeCommonBins, runPasses } from './common-partition.js';
import { mergeAdjacentBins } from './score-merge.js';

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

  it('with one part, gives the same runs as the main release alone (mergeAdjacentBins)', () => {
    const counts = [1, 4, 0, 0, 0, 0, 3, 2, 7, 1, 0, 2, 2, 9];
    const one = mergeCommonBins([counts], 5, 5, 6).map(({ from, to, n }) => ({ from, to, n }));
    expect(one).toEqual(mergeAdjacentBins(counts, 5, 6));
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
