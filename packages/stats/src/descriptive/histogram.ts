import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/**
 * Histogram counts for increasing breaks as R's `hist` (right-closed intervals (b_i, b_i+1], the first
 * also closed on the left). Additive: the merged histogram is the element-wise sum.
 */
export function histogramLocalPartial(x: Float64Array, breaks: Float64Array): Float64Array {
  const B = breaks.length - 1;
  if (B < 1) throw new StatsError(StatsErrorCode.InvalidArgument, 'histogram: need at least two breaks');
  const out = new Float64Array(B);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= breaks[0]! && v <= breaks[B]!)) {
      throw new StatsError(StatsErrorCode.InvalidArgument, `histogram: x[${i}] = ${v} outside the breaks`);
    }
    let a = 0;
    let b = B - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (v <= breaks[m + 1]!) b = m;
      else a = m + 1;
    }
    out[a]! += 1;
  }
  return out;
}

/** Merges histograms with the same breaks (element-wise sum). */
export function mergeHistograms(parts: readonly Float64Array[]): Float64Array {
  const B = parts[0]?.length ?? 0;
  const out = new Float64Array(B);
  for (const p of parts) {
    if (p.length !== B)
      throw new StatsError(StatsErrorCode.LayoutMismatch, 'mergeHistograms: different bin counts');
    for (let b = 0; b < B; b++) out[b]! += p[b]!;
  }
  return out;
}

/** Layout of {@link histogramLocalPartial} for `bins` bins. */
export function histogramPartialLayout(bins: number): PartialLayout {
  return { kind: 'histogram', fields: [{ name: 'counts', shape: [bins] }] };
}
