import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/**
 * Pooled mean and variance that equal the concatenated-data computation to ~1e-12 relative.
 *
 * Additive (secure-aggregatable) form, two rounds:
 * 1. {@link sumLocalPartial}: [n, sum x] (Neumaier-compensated) gives a shift c = sum / n that is
 *    within a few ulps of |mean| of the true mean.
 * 2. {@link shiftedMomentsLocalPartial}: [n, sum (x - c), sum (x - c)^2] with the same c everywhere;
 *    mean = c + S1 / n and var = (S2 - S1^2 / n) / (n - 1).
 * Error analysis: x - c is exact when x and c agree to within a factor of two (Sterbenz), so the
 * deviations carry no error from the magnitude of x (1e9 + 1e-3 noise keeps all noise digits); S1 is
 * tiny because c is close to the mean, so S1^2 / n does not cancel S2; the compensated sums keep the
 * summation error at O(eps) relative instead of O(n eps). The test with 1e9 + N(0, 1e-3) data checks
 * this against R, where a naive sum-of-squares formula would lose every digit.
 *
 * Non-additive alternative: {@link mergeMoments} (Chan et al.) merges per-node (n, mean, M2).
 */

/** Neumaier-compensated sum of a vector (returns [sum, compensation] folded into one number). */
function compensatedSum(values: ArrayLike<number>, f: (v: number) => number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = f(values[i]!);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

function checkFinite(x: Float64Array, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new StatsError(StatsErrorCode.InvalidArgument, `${what}: non-finite value ${x[i]} at row ${i}`);
    }
  }
}

/** Round-1 partial [n, sum x] (compensated). */
export function sumLocalPartial(x: Float64Array): Float64Array {
  checkFinite(x, 'sumLocalPartial');
  return Float64Array.of(
    x.length,
    compensatedSum(x, (v) => v),
  );
}

/** Shift to use in round 2 from the summed round-1 partial: the (approximate) pooled mean. */
export function shiftFromSum(sum: Float64Array): number {
  return sum[0]! > 0 ? sum[1]! / sum[0]! : 0;
}

/** Round-2 partial [n, sum (x - c), sum (x - c)^2] for a shift c shared by all nodes. */
export function shiftedMomentsLocalPartial(x: Float64Array, shift: number): Float64Array {
  checkFinite(x, 'shiftedMomentsLocalPartial');
  return Float64Array.of(
    x.length,
    compensatedSum(x, (v) => v - shift),
    compensatedSum(x, (v) => (v - shift) * (v - shift)),
  );
}

/** Count, mean, sample variance (n - 1) and standard deviation. */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
  readonly sd: number;
}

/** Mean, variance (R `var`, denominator n - 1) and sd from the summed round-2 partial. */
export function momentsFromShiftedSums(sum: Float64Array, shift: number): Moments {
  const n = sum[0]!;
  const s1 = sum[1]!;
  const s2 = sum[2]!;
  const d = s1 / n;
  const variance = n > 1 ? Math.max(0, (s2 - s1 * d) / (n - 1)) : Number.NaN;
  return { n, mean: shift + d, variance, sd: Math.sqrt(variance) };
}

/** Welford summary of one node: count, mean of (x - shift), M2 = sum of squared deviations, shift. */
export interface WelfordSummary {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
  readonly shift: number;
}

/**
 * Welford's one-pass (n, mean, M2) of one node's values, on x - shift. With a shift shared by all nodes
 * (e.g. {@link shiftFromSum}) the deviations are exact and the merge keeps ~1e-12 relative accuracy on
 * data like 1e9 + 1e-3 noise; with shift 0 the running mean carries an absolute error of ulp(1e9), which
 * costs ~1e-4 relative in the variance there.
 */
export function welford(x: Float64Array, shift = 0): WelfordSummary {
  checkFinite(x, 'welford');
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! - shift;
    const delta = v - mean;
    mean += delta / (i + 1);
    m2 += delta * (v - mean);
  }
  return { n: x.length, mean, m2, shift };
}

/**
 * Chan et al. parallel merge of Welford summaries (not additive, but exact-merging): the pooled
 * mean and sample variance of the concatenated data. All parts must share one shift.
 */
export function mergeMoments(parts: readonly WelfordSummary[]): Moments {
  const shift = parts[0]?.shift ?? 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const p of parts) {
    if (p.shift !== shift) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `mergeMoments: shifts differ (${p.shift} vs ${shift})`,
      );
    }
    if (p.n === 0) continue;
    const total = n + p.n;
    const delta = p.mean - mean;
    mean += (delta * p.n) / total;
    m2 += p.m2 + (delta * delta * n * p.n) / total;
    n = total;
  }
  const variance = n > 1 ? m2 / (n - 1) : Number.NaN;
  return { n, mean: shift + mean, variance, sd: Math.sqrt(variance) };
}

/** Layout of {@link sumLocalPartial}: [n, sum]. */
export function sumPartialLayout(): PartialLayout {
  return {
    kind: 'sum',
    fields: [
      { name: 'n', shape: [] },
      { name: 'sum', shape: [] },
    ],
  };
}

/** Layout of {@link shiftedMomentsLocalPartial}: [n, sum of deviations, sum of squared deviations]. */
export function shiftedMomentsPartialLayout(): PartialLayout {
  return {
    kind: 'shifted-moments',
    fields: [
      { name: 'n', shape: [] },
      { name: 'sumDev', shape: [] },
      { name: 'sumSqDev', shape: [] },
    ],
  };
}
