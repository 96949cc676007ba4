import { normalQuantile } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { survivalQuantileTime } from './kaplan-meier.js';
import { mergeBinsToMinCount } from './merge-bins.js';

/**
 * A Kaplan-Meier curve released under a minimum cell count: a sequence of intervals (start, time], each
 * holding either one distinct time (exact, as survfit) or several merged ones (coarsened). Each released
 * survival value is the curve's value at the END of its interval; inside a coarsened interval the curve is
 * not released (it lies between the previous value and this one), so nothing is ever shown at a time it
 * does not belong to.
 */
export interface CoarsenedKaplanMeierCurve {
  /** Start of each interval (exclusive): the previous interval's end, 0 for the first. */
  readonly start: Float64Array;
  /** End of each interval: the last distinct time it holds. */
  readonly time: Float64Array;
  /** 1 where the interval merges several distinct times, 0 where it holds one. */
  readonly coarsened: Uint8Array;
  /**
   * Number at risk: at the interval's time where it holds one distinct time (survfit's n.risk), at its
   * start where it is merged; censorings placed as the released counts place them.
   */
  readonly nRisk: Float64Array;
  readonly nEvent: Float64Array;
  /** Censorings in the interval as the released counts place them (fractional where spread). */
  readonly nCensor: Float64Array;
  /** The released censoring counts: intervals (start, time] of at least minCount censorings each. */
  readonly censorings: {
    readonly start: Float64Array;
    readonly time: Float64Array;
    readonly count: Float64Array;
  };
  readonly surv: Float64Array;
  /** Greenwood standard error of -log S at the interval's end. */
  readonly stdErrLogSurv: Float64Array;
  readonly stdErr: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /**
   * Median survival: survfit's rule where the curve crosses 0.5 at a single released time; inside a merged
   * interval, the grid time where the curve of evenly spread events reaches 0.5, to be read with
   * `medianInterval` (the data locate it only to that interval).
   * NaN when not reached.
   */
  readonly median: number;
  /** The merged interval (start, end] holding the median when it falls inside one; null otherwise. */
  readonly medianInterval: readonly [number, number] | null;
  /** Pointwise interval of the median (conservative ends where they fall in a merged interval). */
  readonly medianLower: number;
  readonly medianUpper: number;
  /** Number of distinct times that were folded into a neighbour (0: the curve is survfit's). */
  readonly mergedTimes: number;
}

/** Intervals over the grid indices that hold a count: each interval's total is >= k (a short tail joins the one before). */
function partition(counts: Float64Array, k: number): Array<{ first: number; last: number; count: number }> {
  const used: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) used.push(i);
  if (used.length === 0) return [];
  const m = mergeBinsToMinCount([Float64Array.from(used, (i) => counts[i]!)], k);
  const out: Array<{ first: number; last: number; count: number }> = [];
  let from = 0;
  for (let j = 0; j < m.lastBin.length; j++) {
    out.push({ first: used[from]!, last: used[m.lastBin[j]!]!, count: m.counts[0]![j]! });
    from = m.lastBin[j]! + 1;
  }
  return out;
}

/**
 * Kaplan-Meier from one group's counts on a fine time grid, released under the rule "every released
 * count is 0 or at least `minCount`". Events and censorings are each merged over adjacent distinct times
 * into intervals of at least `minCount` (a short tail joins the interval before it); the two partitions are
 * independent, so sparse censorings do not stretch the event intervals. The curve is then computed from
 * the released counts only, so it reveals nothing they do not:
 * - the censorings of a merged censoring interval are taken as spread evenly over its grid times (those of
 *   an interval of one distinct time sit at that time);
 * - an event interval of one distinct time contributes survfit's factor 1 - d/n, censorings at that time
 *   counted at risk (so with `minCount` 1 the result is R's survfit on the grid);
 * - a merged event interval's events are likewise taken as spread evenly over its grid times, and the
 *   product-limit runs over those times, so the value at the interval's end stays close to the pooled
 *   Kaplan-Meier value at that time; no event is moved to the end of a long interval.
 *
 * @example
 * const c = coarsenedKaplanMeier(Float64Array.from([0, 1, 2, 3]), Float64Array.from([0, 5, 1, 6]),
 *   Float64Array.from([0, 0, 0, 5]), 5);
 * // c.time = [1, 3]: event times 2 and 3 are merged, c.coarsened = [0, 1]
 */
export function coarsenedKaplanMeier(
  grid: Float64Array,
  events: Float64Array,
  censored: Float64Array,
  minCount: number,
  confLevel = 0.95,
): CoarsenedKaplanMeierCurve {
  const K = grid.length;
  if (events.length !== K || censored.length !== K) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      'coarsenedKaplanMeier: counts and grid differ in length',
    );
  }
  let total = 0;
  for (let i = 0; i < K; i++) total += events[i]! + censored[i]!;
  if (total === 0) throw new StatsError(StatsErrorCode.InvalidArgument, 'coarsenedKaplanMeier: no records');
  const ev = partition(events, minCount);
  const ce = partition(censored, minCount);
  // censorings per grid index as the released counts let anyone place them
  const cens = new Float64Array(K);
  let prevEnd = -1;
  for (const c of ce) {
    if (c.first === c.last) cens[c.last] = c.count;
    else for (let i = prevEnd + 1; i <= c.last; i++) cens[i] = c.count / (c.last - prevEnd);
    prevEnd = c.last;
  }
  const censBefore = new Float64Array(K + 1); // censorings at grid indices < i
  for (let i = 0; i < K; i++) censBefore[i + 1] = censBefore[i]! + cens[i]!;
  const J = ev.length;
  const start = new Float64Array(J);
  const time = new Float64Array(J);
  const coarsened = new Uint8Array(J);
  const nRisk = new Float64Array(J);
  const nEvent = new Float64Array(J);
  const nCensor = new Float64Array(J);
  const surv = new Float64Array(J);
  const se = new Float64Array(J);
  const seS = new Float64Array(J);
  const lower = new Float64Array(J);
  const upper = new Float64Array(J);
  const z = normalQuantile(1 - (1 - confLevel) / 2);
  let s = 1;
  let v = 0;
  let eventsBefore = 0;
  let mergedTimes = 0;
  // per merged interval, the first grid time where the spread curve reaches 0.5
  let spreadMedian: number | null = null;
  const spreadMedians = new Float64Array(J).fill(Number.NaN);
  let from = 0; // first grid index of the interval: one past the previous interval's end
  for (let j = 0; j < J; j++) {
    const { first, last, count: d } = ev[j]!;
    let distinct = 0;
    for (let i = first; i <= last; i++) if (events[i]! > 0) distinct++;
    mergedTimes += distinct - 1;
    coarsened[j] = distinct > 1 ? 1 : 0;
    start[j] = j === 0 ? 0 : time[j - 1]!;
    time[j] = grid[last]!;
    const atStart = total - eventsBefore - censBefore[from]!;
    // censorings inside the interval, strictly before its last time (those at it are at risk there)
    const inside = censBefore[last]! - censBefore[from]!;
    nEvent[j] = d;
    nCensor[j] = censBefore[last + 1]! - censBefore[from]!;
    if (coarsened[j]) {
      spreadMedian = null;
      // a merged interval: its events spread evenly over its grid times, like its censorings
      nRisk[j] = atStart;
      const width = last - from + 1;
      let n = atStart;
      for (let i = from; i <= last; i++) {
        const di = d / width;
        s *= 1 - di / n;
        if (spreadMedian === null && s <= 0.5) spreadMedian = grid[i]!;
        v += n > di ? di / (n * (n - di)) : Number.POSITIVE_INFINITY;
        n -= di + cens[i]!;
      }
    } else {
      const n = atStart - inside;
      nRisk[j] = n;
      s *= 1 - d / n;
      v += n > d ? d / (n * (n - d)) : Number.POSITIVE_INFINITY;
    }
    surv[j] = s;
    se[j] = Math.sqrt(v);
    seS[j] = s * se[j]!;
    if (s > 0 && Number.isFinite(v)) {
      lower[j] = Math.exp(Math.log(s) - z * se[j]!);
      upper[j] = Math.min(1, Math.exp(Math.log(s) + z * se[j]!));
    } else {
      lower[j] = Number.NaN;
      upper[j] = Number.NaN;
    }
    if (coarsened[j] && spreadMedian !== null) spreadMedians[j] = spreadMedian;
    eventsBefore += d;
    from = last + 1;
  }
  const crossing = (y: Float64Array): number => {
    for (let j = 0; j < J; j++)
      if (!Number.isNaN(y[j]!) && y[j]! <= 0.5 + Math.sqrt(2.220446049250313e-16)) return j;
    return -1;
  };
  const jm = crossing(surv);
  let median = Number.NaN;
  let medianInterval: readonly [number, number] | null = null;
  if (jm >= 0 && coarsened[jm]) {
    medianInterval = [start[jm]!, time[jm]!];
    // where the curve of spread events reaches 0.5 inside the interval
    median = Number.isNaN(spreadMedians[jm]!) ? time[jm]! : spreadMedians[jm]!;
  } else median = survivalQuantileTime(time, surv, 0.5);
  // the median's interval (Brookmeyer–Crowley, as survfit): from where the lower band crosses 0.5 (the
  // earliest) to where the upper band does (the latest); inside a merged interval, its start or end
  const jl = crossing(lower);
  const ju = crossing(upper);
  const medianLower = jl >= 0 && coarsened[jl] ? start[jl]! : survivalQuantileTime(time, lower, 0.5);
  const medianUpper = ju >= 0 && coarsened[ju] ? time[ju]! : survivalQuantileTime(time, upper, 0.5);
  return {
    start,
    time,
    coarsened,
    nRisk,
    nEvent,
    nCensor,
    surv,
    stdErrLogSurv: se,
    stdErr: seS,
    lower,
    upper,
    median,
    medianInterval,
    medianLower,
    medianUpper,
    mergedTimes,
    censorings: {
      start: Float64Array.from(ce, (_, j) => (j === 0 ? 0 : grid[ce[j - 1]!.last]!)),
      time: Float64Array.from(ce, (c) => grid[c.last]!),
      count: Float64Array.from(ce, (c) => c.count),
    },
  };
}
