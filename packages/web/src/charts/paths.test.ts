import { describe, expect, it } from 'vitest';
import { formatAtRisk, kmGroupSize, numberAtRisk, stepBandPath, stepPath } from './paths.js';
import { linearScale } from './scale.js';

// x: 1 unit = 10 px; y: S = 1 at 0 px, S = 0 at 100 px
const x = linearScale([0, 10], [0, 100]);
const y = linearScale([0, 1], [100, 0]);

describe('Kaplan–Meier paths', () => {
  it('draws a step curve that holds then drops at each event time', () => {
    expect(stepPath([2, 5], [0.8, 0.5], x, y)).toBe('M0,0H20V20H50V50');
    // a time with censoring only (S unchanged) adds no vertical segment
    expect(stepPath([2, 3, 5], [0.8, 0.8, 0.5], x, y, { endTime: 8 })).toBe('M0,0H20V20H30H50V50H80');
  });
  it('draws a closed band between the CI bounds', () => {
    const d = stepBandPath([2, 5], [0.6, 0.3], [0.9, 0.7], x, y);
    expect(d.startsWith('M0,0L20,0L20,10L50,10L50,30L50,30L50,70L50,70')).toBe(true);
    expect(d.endsWith('Z')).toBe(true);
  });
  it('stops the band where a bound is undefined', () => {
    const d = stepBandPath([2, 5], [0.6, null], [0.9, null], x, y);
    expect(d).not.toContain('NaN');
    expect(d).toBe('M0,0L20,0L20,10L50,10L50,40L20,40L20,0L0,0Z');
  });
  it('counts the number at risk at each tick', () => {
    expect(numberAtRisk([2, 5, 9], [100, 80, 40], [0, 2, 3, 6, 10])).toEqual([100, 100, 80, 40, 0]);
  });
  it("gives a coarsened curve's group size, not its first number at risk, and that size at time 0", () => {
    // coarsenedKaplanMeier on grid 0..6, events [0,5,0,1,0,6,0], censorings [0,1,1,0,1,2,5], minCount 5:
    // the censorings are merged and spread (the first number at risk is fractional), and five of them
    // come after the last event time, in no interval's nCensor
    const curve = {
      time: [1, 5],
      nRisk: [21.166666666666668, 15.333333333333334],
      nEvent: [5, 7],
      nCensor: [1.6666666666666667, 3.333333333333333],
      censorings: { start: [0, 5], time: [5, 6], count: [5, 5] },
    };
    expect(kmGroupSize(curve)).toBe(22);
    expect(numberAtRisk(curve.time, curve.nRisk, [0, 1, 4], kmGroupSize(curve))).toEqual([
      22, 21.166666666666668, 15.333333333333334,
    ]);
  });
  it('shows a number at risk as released: whole as whole, a fraction never rounded to a whole count', () => {
    expect([100, 0, 41.5, 12.04, 12.96].map(formatAtRisk)).toEqual(['100', '0', '41.5', '12.0', '13.0']);
  });
});

describe('KM marks', () => {
  it('marks censored times at S(t) and lists merged intervals with S at both ends', async () => {
    const { censorMarks, mergedIntervals } = await import('./paths.js');
    expect(censorMarks([2, 5, 9], [0.9, 0.7, 0.6], [0, 3, 1])).toEqual([
      { time: 5, surv: 0.7, count: 3 },
      { time: 9, surv: 0.6, count: 1 },
    ]);
    expect(mergedIntervals([2, 5, 9], [0.9, 0.7, 0.6], [0, 2, 5], [false, true, false])).toEqual([
      { from: 2, to: 5, prev: 0.9, surv: 0.7 },
    ]);
    expect(mergedIntervals([2], [0.9], undefined, undefined)).toEqual([]);
  });
});
