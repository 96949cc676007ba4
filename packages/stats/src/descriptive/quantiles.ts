import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/** R's `quantile(x, probs, type = 7)` of a plain array (linear interpolation of order statistics). */
export function quantileType7(x: ArrayLike<number>, probs: readonly number[]): Float64Array {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) throw new StatsError(StatsErrorCode.InvalidArgument, 'quantileType7: empty data');
  return Float64Array.from(probs, (p) => {
    if (!(p >= 0 && p <= 1))
      throw new StatsError(StatsErrorCode.InvalidArgument, `quantileType7: prob ${p} not in [0, 1]`);
    const { lo, hi, h } = type7Index(n, p);
    return interpolate7(s[lo - 1]!, s[hi - 1]!, h);
  });
}

/** R's type-7 positions: index = 1 + (n - 1) p, lo = floor, hi = ceiling, h = index - lo (1-based). */
function type7Index(n: number, p: number): { lo: number; hi: number; h: number } {
  const index = 1 + Math.max(n - 1, 0) * p;
  const lo = Math.floor(index);
  return { lo, hi: Math.ceil(index), h: index - lo };
}

/** R's interpolation (1 - h) a + h b, skipped when h = 0 or a = b (bit-for-bit as quantile.default). */
function interpolate7(a: number, b: number, h: number): number {
  return h > 0 && a !== b ? (1 - h) * a + h * b : a;
}

/**
 * Local partial of one bisection round: count(x <= c) for each cut point c. A node answering many
 * rounds should sort its column once and pass `presorted = true` (then each round is O(cuts log n)).
 */
export function countAtMostLocalPartial(
  x: Float64Array,
  cuts: Float64Array,
  presorted = false,
): Float64Array {
  const sorted = presorted ? x : Float64Array.from(x).sort();
  return cuts.map((c) => {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (sorted[m]! <= c) a = m + 1;
      else b = m;
    }
    return a;
  });
}

/**
 * Finds order statistics x_(k) (1-based) by bisection on counts: each round asks every node for
 * count(x <= c) at the midpoints of all open intervals (one vector, summed across nodes) and keeps
 * the half (lo, hi] that still contains x_(k), until hi - lo <= tol. Returns hi for each k: x_(k)
 * lies in (hi - tol, hi], so the error is below tol (choose tol relative to the data's scale).
 * `lo` must be below the minimum and `hi` at or above the maximum (known bounds or a min/max round).
 */
export function bisectOrderStatistics(
  countAll: (cuts: Float64Array) => Float64Array,
  ks: readonly number[],
  lo: number,
  hi: number,
  tol: number,
  maxRounds = 200,
): Float64Array {
  const los = Float64Array.from(ks, () => lo);
  const his = Float64Array.from(ks, () => hi);
  for (let round = 0; round < maxRounds; round++) {
    const open = ks.map((_, j) => his[j]! - los[j]! > tol);
    if (!open.includes(true)) return his;
    const mids = Float64Array.from(ks, (_, j) => (los[j]! + his[j]!) / 2);
    const counts = countAll(mids);
    ks.forEach((k, j) => {
      if (!open[j]) return;
      if (counts[j]! >= k) his[j] = mids[j]!;
      else los[j] = mids[j]!;
    });
  }
  throw new StatsError(
    StatsErrorCode.NotConverged,
    `bisectOrderStatistics: not within ${tol} after ${maxRounds} rounds`,
  );
}

/**
 * Federated type-7 quantiles: the order statistics each prob needs, found with
 * {@link bisectOrderStatistics}, then R's interpolation h = (n - 1) p.
 */
export function federatedQuantilesType7(
  countAll: (cuts: Float64Array) => Float64Array,
  n: number,
  probs: readonly number[],
  lo: number,
  hi: number,
  tol: number,
): Float64Array {
  const plan = probs.map((p) => type7Index(n, p));
  const ks = [...new Set(plan.flatMap((q) => [q.lo, q.hi]))].sort((x, y) => x - y);
  const stats = bisectOrderStatistics(countAll, ks, lo, hi, tol);
  const at = (k: number) => stats[ks.indexOf(k)]!;
  return Float64Array.from(plan, (q) => interpolate7(at(q.lo), at(q.hi), q.h));
}

/** Layout of {@link countAtMostLocalPartial} for one round with `cuts` cut points. */
export function countAtMostPartialLayout(cuts: number): PartialLayout {
  return { kind: 'count-at-most', fields: [{ name: 'counts', shape: [cuts] }] };
}
