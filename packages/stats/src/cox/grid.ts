import { StatsError, StatsErrorCode } from '../errors.js';

/**
 * Coarsens a time to a resolution: tc = ceil(t / res) * res (so 0 < t <= res maps to res). The R
 * fixture script applies exactly this before calling coxph/survfit, which keeps results reproducible;
 * `res <= 0` means no coarsening. Coarsening up keeps an event inside every risk set it was in.
 */
export function coarsenTime(t: number, res: number): number {
  if (!(res > 0)) return t;
  return Math.ceil(t / res) * res;
}

/** Coarsens a whole time column (new array). */
export function coarsenTimes(times: Float64Array, res: number): Float64Array {
  return times.map((t) => coarsenTime(t, res));
}

/**
 * The global sorted set of distinct (stratum, event time) points: stratum codes ascending, times
 * ascending within a stratum. Stratum codes index the globally agreed strata list.
 */
export interface EventTimeGrid {
  readonly strata: Int32Array;
  readonly times: Float64Array;
}

/** Per node: its distinct (stratum, event time) pairs (the first-round partial, a set, not summed). */
export function localEventTimes(
  time: Float64Array,
  event: Float64Array,
  strata: Int32Array | null,
): EventTimeGrid {
  const seen = new Map<string, [number, number]>();
  for (let i = 0; i < time.length; i++) {
    if (event[i] !== 0) {
      const s = strata ? strata[i]! : 0;
      seen.set(`${s}|${time[i]}`, [s, time[i]!]);
    }
  }
  return gridFrom([...seen.values()]);
}

function gridFrom(points: [number, number][]): EventTimeGrid {
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { strata: Int32Array.from(points, (q) => q[0]), times: Float64Array.from(points, (q) => q[1]) };
}

/** Merges the nodes' event-time sets into the global grid (union, sorted). */
export function mergeEventTimes(grids: readonly EventTimeGrid[]): EventTimeGrid {
  const seen = new Map<string, [number, number]>();
  for (const g of grids) {
    for (let k = 0; k < g.times.length; k++)
      seen.set(`${g.strata[k]}|${g.times[k]}`, [g.strata[k]!, g.times[k]!]);
  }
  return gridFrom([...seen.values()]);
}

/** Index ranges [start, end) of each stratum code within a grid (empty range for absent strata). */
export function strataRanges(grid: EventTimeGrid, nStrata: number): Int32Array {
  const r = new Int32Array(2 * nStrata).fill(-1);
  for (let k = 0; k < grid.times.length; k++) {
    const s = grid.strata[k]!;
    if (s < 0 || s >= nStrata) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `event grid: stratum code ${s} outside 0..${nStrata - 1}`,
      );
    }
    if (r[2 * s]! < 0) r[2 * s] = k;
    r[2 * s + 1] = k + 1;
  }
  for (let s = 0; s < nStrata; s++) {
    if (r[2 * s]! < 0) {
      r[2 * s] = 0;
      r[2 * s + 1] = 0;
    }
  }
  return r;
}

/** Largest index k in [lo, hi) with times[k] <= t, or lo - 1 when none (binary search). */
export function lastAtOrBefore(times: Float64Array, lo: number, hi: number, t: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (times[m]! <= t) a = m + 1;
    else b = m;
  }
  return a - 1;
}
