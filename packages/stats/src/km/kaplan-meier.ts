import { normalQuantile } from '../distributions.js';
import type { CellCounts } from './counts.js';

/** A Kaplan-Meier curve as R's survfit reports it (conf.type = "log"). */
export interface KaplanMeierCurve {
  /** Times with at least one event or censoring in this cell. */
  readonly time: Float64Array;
  readonly nRisk: Float64Array;
  readonly nEvent: Float64Array;
  readonly nCensor: Float64Array;
  readonly surv: Float64Array;
  /** survfit's `std.err`: the Greenwood standard error of -log S (cumulative hazard scale). */
  readonly stdErrLogSurv: Float64Array;
  /** Standard error of S itself (what summary.survfit prints): surv * stdErrLogSurv. */
  readonly stdErr: Float64Array;
  /** Log-transformed pointwise interval exp(log S -/+ z se); NaN where S = 0 (R gives NA). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Median survival and its interval as survfit prints them (NaN when not reached: R's NA). */
  readonly median: number;
  readonly medianLower: number;
  readonly medianUpper: number;
}

/**
 * Kaplan-Meier estimate with Greenwood variance from one cell's counts over the grid `times`:
 * S(t) = prod (1 - d/n), var(log S) = sum d / (n (n - d)), conf.type "log", conf.int 0.95 by default.
 */
export function kaplanMeier(times: Float64Array, counts: CellCounts, confLevel = 0.95): KaplanMeierCurve {
  const keep: number[] = [];
  for (let k = 0; k < times.length; k++) if (counts.events[k]! + counts.censored[k]! > 0) keep.push(k);
  const m = keep.length;
  const time = new Float64Array(m);
  const nRisk = new Float64Array(m);
  const nEvent = new Float64Array(m);
  const nCensor = new Float64Array(m);
  const surv = new Float64Array(m);
  const se = new Float64Array(m);
  const seS = new Float64Array(m);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const z = normalQuantile(1 - (1 - confLevel) / 2);
  let s = 1;
  let v = 0;
  keep.forEach((k, i) => {
    const n = counts.atRisk[k]!;
    const d = counts.events[k]!;
    time[i] = times[k]!;
    nRisk[i] = n;
    nEvent[i] = d;
    nCensor[i] = counts.censored[k]!;
    if (d > 0) {
      s *= 1 - d / n;
      v += n > d ? d / (n * (n - d)) : Number.POSITIVE_INFINITY;
    }
    surv[i] = s;
    se[i] = Math.sqrt(v);
    seS[i] = s * Math.sqrt(v);
    if (s > 0 && Number.isFinite(v)) {
      lower[i] = Math.exp(Math.log(s) - z * se[i]!);
      upper[i] = Math.min(1, Math.exp(Math.log(s) + z * se[i]!));
    } else {
      lower[i] = Number.NaN;
      upper[i] = Number.NaN;
    }
  });
  return {
    time,
    nRisk,
    nEvent,
    nCensor,
    surv,
    stdErrLogSurv: se,
    stdErr: seS,
    lower,
    upper,
    median: survivalQuantileTime(time, surv, 0.5),
    medianLower: survivalQuantileTime(time, lower, 0.5),
    medianUpper: survivalQuantileTime(time, upper, 0.5),
  };
}

/**
 * First time at which a survival curve falls to p or below, as survfit's quantile rule: when the curve
 * sits exactly at p (within sqrt(machine eps)) over an interval, the midpoint between the time it
 * reaches p and the time it drops below p (or the last time). NaN when never reached (R's NA).
 */
export function survivalQuantileTime(time: Float64Array, y: Float64Array, p: number): number {
  const tol = Math.sqrt(2.220446049250313e-16);
  let first = -1;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isNaN(y[i]!) && y[i]! <= p + tol) {
      first = i;
      break;
    }
  }
  if (first < 0) return Number.NaN;
  if (Math.abs(y[first]! - p) < tol) {
    for (let i = first + 1; i < y.length; i++) {
      if (!Number.isNaN(y[i]!) && y[i]! < p - tol) return (time[first]! + time[i]!) / 2;
    }
    return (time[first]! + time[time.length - 1]!) / 2;
  }
  return time[first]!;
}
