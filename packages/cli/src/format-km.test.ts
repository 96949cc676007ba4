import { describe, expect, it } from 'vitest';
import { formatKmCoarsening, formatKmMedian, kmGroupSize, kmSurvivalAt } from './format-km.js';

const curve = {
  group: 'II',
  start: [0, 2, 10],
  time: [2, 10, 20],
  coarsened: [false, true, true],
  surv: [0.9, 0.7, 0.45],
  median: 18,
  medianInterval: [10, 20] as [number, number],
};

describe('Kaplan–Meier wording under coarsening', () => {
  it('gives a range inside a merged interval and the exact value at its ends', () => {
    expect(kmSurvivalAt(curve, 1)).toBe('1');
    expect(kmSurvivalAt(curve, 2)).toBe('0.9');
    expect(kmSurvivalAt(curve, 5)).toBe('0.9–0.7');
    expect(kmSurvivalAt(curve, 10)).toBe('0.7');
    expect(kmSurvivalAt(curve, 25)).toBe('0.45');
  });
  it('reports a median in a merged interval as that interval and says what was coarsened', () => {
    expect(formatKmMedian(curve)).toBe('~18 in (10, 20]');
    expect(formatKmMedian({ ...curve, medianInterval: null, median: 7.5 })).toBe('7.5');
    const lines = formatKmCoarsening({ curves: [curve], mergedBins: 12, minCellCount: 5, timeResolution: 1 });
    expect(lines[0]).toMatch(/rounded up to multiples of 1/);
    expect(lines[1]).toMatch(/12 distinct times merged.*curves II/);
    // when the resolution is the dictionary's default, the normal output says so
    const byDefault = formatKmCoarsening({
      curves: [curve],
      mergedBins: 0,
      minCellCount: 5,
      timeResolution: 0.1,
      timeResolutionBasis: "default from the time column's declared unit and range",
    });
    expect(byDefault[0]).toBe(
      "Times rounded up to multiples of 0.1 (timeResolution; default from the time column's declared unit and range) at every node.",
    );
  });
  it("gives a group's size, not its first (fractional) number at risk", () => {
    // coarsenedKaplanMeier on grid 0..6, events [0,5,0,1,0,6,0], censorings [0,1,1,0,1,2,5], minCount 5
    // (nRisk [21.17, 15.33]): 12 events and 10 censorings, 5 of them after the last event time
    const curve = {
      nEvent: [5, 7],
      nCensor: [1.6666666666666667, 3.333333333333333],
      censorings: { count: [5, 5] },
    };
    expect(kmGroupSize(curve)).toBe('22');
    expect(kmGroupSize({ nEvent: [5], nCensor: [2.5] })).toBe('7.5');
  });
});
