/**
 * Merging for validate-survival: event times move to the later point of a merged group, per stratum,
 * until each holds the minimum cell count; scores merge per event status within the span; nothing moves
 * under a policy of one record per cell.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SCORE_SPAN, mergeEventTimes, mergeSurvivalScores } from './survival-merge.js';

describe('mergeEventTimes', () => {
  const grid = { strata: [0, 0, 0, 0, 1, 1], times: [1, 2, 3, 4, 2, 5] };
  // stratum 0: events at 1 (x3), 2 (x2), 3 (x5), 4 (x1); stratum 1: events at 2 (x5), 5 (x5)
  const t = [1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 2, 2, 2, 2, 2, 5, 5, 5, 5, 5, 9];
  const s = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  const e = t.map((_, i) => (i === 21 ? 0 : 1));
  it('moves events later until every merged point holds the minimum, each stratum on its own', () => {
    const r = mergeEventTimes(Float64Array.from(t), Float64Array.from(e), Int32Array.from(s), grid, 5);
    expect(Array.from(r.time.subarray(0, 11))).toEqual([2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4]);
    expect(Array.from(r.time.subarray(11))).toEqual(t.slice(11));
    expect(r.cells.map((c) => c.count)).toEqual([5, 6, 5, 5]);
  });
  it('moves nothing under a policy of one record per cell', () => {
    const r = mergeEventTimes(Float64Array.from(t), Float64Array.from(e), Int32Array.from(s), grid, 1);
    expect(Array.from(r.time)).toEqual(t);
  });
});

describe('mergeSurvivalScores', () => {
  it('gives each record its group mean on the grid, groups of at least k per status within the span', () => {
    const q = Float64Array.from([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 500]);
    const ev = Float64Array.from([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    const r = mergeSurvivalScores(q, ev, 0.01, 5);
    expect(Array.from(r.q.subarray(0, 10))).toEqual([2, 2, 2, 2, 2, 12, 12, 12, 12, 12]);
    // the score 500 lies 4.96 above the nearest event's (more than MAX_SCORE_SPAN): left alone, declared short
    expect(MAX_SCORE_SPAN).toBe(1);
    expect(r.cells.map((c) => c.count).sort()).toEqual([1, 5, 5]);
  });
});
