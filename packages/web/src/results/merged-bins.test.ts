import { describe, expect, it } from 'vitest';
import { mergedBinLabels, mergedIntervals } from './merged-bins.js';

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

describe('mergedBinLabels', () => {
  it('names the requested bins a summary merged, below and above included', () => {
    const h = {
      requestedBreaks: [50, 65, 80, 90, 200],
      mergedBins: [
        { bins: [2, 3], from: 65, to: 90 },
        { bins: [4, 5], from: 90, to: null },
      ],
    };
    expect(mergedBinLabels(h)).toEqual(['bins 2–3 merged [65, 90)', 'bins 4–above merged [90, ∞)']);
    expect(mergedBinLabels({ mergedBins: [] })).toEqual([]);
    // older results: intervals only
    expect(mergedBinLabels({ mergedBins: [[20, 40]] })).toEqual(['[20, 40)']);
  });
});
