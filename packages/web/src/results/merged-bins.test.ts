import { describe, expect, it } from 'vitest';
import { mergedIntervals } from './merged-bins.js';

describe('mergedIntervals', () => {
  it('reads pairs and objects, and nothing from results without merges', () => {
    expect(
      mergedIntervals({ mergedBins: [[20, 40], { from: 80, to: 100 }, { lower: 1, upper: 2 }] }),
    ).toEqual([
      [20, 40],
      [80, 100],
      [1, 2],
    ]);
    expect(mergedIntervals({ breaks: [0, 1] })).toEqual([]);
    expect(mergedIntervals(null)).toEqual([]);
    expect(mergedIntervals({ mergedBins: [['a', 'b']] })).toEqual([]);
  });
});
