/** SVG path builders for step curves and bands (pure functions returning `d` strings). */
import type { Scale } from './scale.js';

const r = (v: number) => Number(v.toFixed(2));

/**
 * Kaplan–Meier step path: starts at (0, 1), holds each survival value until the next event time and drops
 * vertically there. `time` (x units) and `surv` (0..1) are the curve's event times and S(t) just after them.
 * `endTime` extends the last step to the end of follow-up when given.
 */
export function stepPath(
  time: readonly number[],
  surv: readonly number[],
  x: Scale,
  y: Scale,
  opts: { start?: number; endTime?: number } = {},
): string {
  const start = opts.start ?? 1;
  let d = `M${r(x(0))},${r(y(start))}`;
  let prev = start;
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    const s = surv[i]!;
    d += `H${r(x(t))}`;
    if (s !== prev) d += `V${r(y(s))}`;
    prev = s;
  }
  if (opts.endTime !== undefined && (time.length === 0 || opts.endTime > time[time.length - 1]!))
    d += `H${r(x(opts.endTime))}`;
  return d;
}

/**
 * Closed step-shaped band between `lower` and `upper` (same step rule as {@link stepPath}); points where a
 * bound is null (undefined CI, e.g. S = 0) end the band there.
 */
export function stepBandPath(
  time: readonly number[],
  lower: readonly (number | null)[],
  upper: readonly (number | null)[],
  x: Scale,
  y: Scale,
): string {
  const pts: Array<{ t0: number; t1: number; lo: number; hi: number }> = [];
  let t0 = 0;
  let lo = 1;
  let hi = 1;
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    pts.push({ t0, t1: t, lo, hi });
    const l = lower[i];
    const u = upper[i];
    if (l === null || l === undefined || u === null || u === undefined) {
      t0 = Number.NaN;
      break;
    }
    t0 = t;
    lo = l;
    hi = u;
  }
  if (Number.isFinite(t0) && time.length > 0) pts.push({ t0, t1: t0, lo, hi });
  if (pts.length === 0) return '';
  const top = pts.map((p) => `${r(x(p.t0))},${r(y(p.hi))}L${r(x(p.t1))},${r(y(p.hi))}`).join('L');
  const bottom = [...pts]
    .reverse()
    .map((p) => `${r(x(p.t1))},${r(y(p.lo))}L${r(x(p.t0))},${r(y(p.lo))}`)
    .join('L');
  return `M${top}L${bottom}Z`;
}

/**
 * Number at risk at each of `ticks`: the whole group (`total`) at time 0 or before, else the count of the
 * first released time at or after the tick, else 0. (The first released time's count is not the group's
 * size: censorings before it, spread over a merged interval, leave a fraction.)
 */
export function numberAtRisk(
  time: readonly number[],
  nRisk: readonly number[],
  ticks: readonly number[],
  total?: number,
): number[] {
  return ticks.map((t) => {
    if (total !== undefined && t <= 0) return total;
    for (let i = 0; i < time.length; i++) if (time[i]! >= t) return nRisk[i]!;
    return 0;
  });
}

/**
 * A Kaplan–Meier group's size: its released events plus its released censoring counts (pure). Not the
 * per-interval `nCensor` sums, which leave out the censorings after the last event time. Results without
 * `censorings` fall back to `nCensor`. Rounded where float error alone keeps the sum from a whole number.
 *
 * @example
 * kmGroupSize({ nEvent: [5, 7], nCensor: [1.67, 3.33], censorings: { count: [5, 5] } }) // 22
 */
export function kmGroupSize(c: {
  nEvent: readonly number[];
  nCensor: readonly number[];
  censorings?: { count: readonly number[] };
}): number {
  let n = 0;
  for (const d of c.nEvent) n += d;
  for (const m of c.censorings?.count ?? c.nCensor) n += m;
  const whole = Math.round(n);
  return Math.abs(n - whole) < 1e-6 ? whole : n;
}

/**
 * A number at risk as released: whole numbers as they are; a fraction (censorings spread over a merged
 * interval, or noise added for differential privacy) with one decimal, never rounded to a whole number
 * that was not released (pure).
 */
export function formatAtRisk(v: number): string {
  // 12.04 shows as 12.0, not 12: the reader sees it is not a whole count
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** A censoring mark: where a curve has censored records, at S(t) just after t (pure, for the KM plot). */
export interface CensorMark {
  time: number;
  surv: number;
  count: number;
}

/** The curve's censoring marks: each released time with at least one censored record. */
export function censorMarks(
  time: readonly number[],
  surv: readonly number[],
  nCensor: readonly number[],
): CensorMark[] {
  return time.flatMap((t, i) =>
    (nCensor[i] ?? 0) > 0 ? [{ time: t, surv: surv[i]!, count: nCensor[i]! }] : [],
  );
}

/** A merged interval of a coarsened curve: survival is known at its ends only (from `prev` down to `surv`). */
export interface MergedInterval {
  from: number;
  to: number;
  prev: number;
  surv: number;
}

/** The intervals a coarsened KM curve merged (times (start[k], time[k]]), with S at both ends. */
export function mergedIntervals(
  time: readonly number[],
  surv: readonly number[],
  start: readonly number[] | undefined,
  coarsened: readonly boolean[] | undefined,
): MergedInterval[] {
  if (!start || !coarsened) return [];
  return time.flatMap((t, k) =>
    coarsened[k] ? [{ from: start[k] ?? 0, to: t, prev: k > 0 ? surv[k - 1]! : 1, surv: surv[k]! }] : [],
  );
}
