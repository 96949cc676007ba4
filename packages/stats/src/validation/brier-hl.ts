import { chiSquareCdf } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/** Local Brier partial [sum (p - y)^2, n]. */
export function brierLocalPartial(y: Float64Array, p: Float64Array): Float64Array {
  if (y.length !== p.length)
    throw new StatsError(StatsErrorCode.DimensionMismatch, 'brierLocalPartial: lengths differ');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i]! - y[i]!) ** 2;
  return Float64Array.of(s, y.length);
}

/** Brier score mean((p - y)^2) from the summed partial. */
export function brierFromPartial(sum: Float64Array): number {
  return sum[0]! / sum[1]!;
}

/**
 * Group of a predicted probability for the given increasing breaks, as R's
 * `cut(p, breaks, include.lowest = TRUE)`: intervals (b_g, b_g+1], the first closed on the left.
 * Returns -1 outside [b_0, b_G].
 */
export function hosmerLemeshowGroup(p: number, breaks: Float64Array): number {
  const G = breaks.length - 1;
  if (p < breaks[0]! || p > breaks[G]!) return -1;
  let a = 0;
  let b = G - 1;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (p <= breaks[m + 1]!) b = m;
    else a = m + 1;
  }
  return a;
}

/** Local Hosmer-Lemeshow partial: per group [n, observed events, expected events (sum p)]. */
export function hosmerLemeshowLocalPartial(
  y: Float64Array,
  p: Float64Array,
  breaks: Float64Array,
): Float64Array {
  const G = breaks.length - 1;
  const out = new Float64Array(3 * G);
  for (let i = 0; i < y.length; i++) {
    const g = hosmerLemeshowGroup(p[i]!, breaks);
    if (g < 0) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `hosmerLemeshow: p[${i}] = ${p[i]} outside the group breaks`,
      );
    }
    out[3 * g]! += 1;
    out[3 * g + 1]! += y[i]!;
    out[3 * g + 2]! += p[i]!;
  }
  return out;
}

/** Hosmer-Lemeshow test result. */
export interface HosmerLemeshowResult {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly n: Float64Array;
  readonly observed: Float64Array;
  readonly expected: Float64Array;
}

/** HL = sum (O - E)^2 / (E (1 - E / n)) over groups, df = g - 2, from the summed partial. */
export function hosmerLemeshowFromPartial(sum: Float64Array): HosmerLemeshowResult {
  const G = sum.length / 3;
  const n = new Float64Array(G);
  const o = new Float64Array(G);
  const e = new Float64Array(G);
  let stat = 0;
  for (let g = 0; g < G; g++) {
    n[g] = sum[3 * g]!;
    o[g] = sum[3 * g + 1]!;
    e[g] = sum[3 * g + 2]!;
    if (n[g]! > 0) stat += (o[g]! - e[g]!) ** 2 / (e[g]! * (1 - e[g]! / n[g]!));
  }
  const df = G - 2;
  return { statistic: stat, df, pValue: chiSquareCdf(stat, df, false), n, observed: o, expected: e };
}

/** Layout of {@link brierLocalPartial}: [sumSquaredError, n]. */
export function brierPartialLayout(): PartialLayout {
  return {
    kind: 'brier',
    fields: [
      { name: 'sumSquaredError', shape: [] },
      { name: 'n', shape: [] },
    ],
  };
}

/** Layout of {@link hosmerLemeshowLocalPartial}: per group [n, observed, expected]. */
export function hosmerLemeshowPartialLayout(groups: number): PartialLayout {
  return { kind: 'hosmer-lemeshow', fields: [{ name: 'groups', shape: [groups, 3] }] };
}
