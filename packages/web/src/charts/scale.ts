/** Scales and ticks for the small SVG charts (pure functions, no DOM). */
import { formatPValue, formatNumber as sharedFormatNumber } from '@fedhub/protocol';

/** A function from a data value to a pixel coordinate, with its domain and range. */
export interface Scale {
  (value: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
  kind: 'linear' | 'log';
}

/** Linear map of `domain` onto `range` (pixels); a zero-width domain maps to the range's middle. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale;
  return Object.assign(f, { domain, range, kind: 'linear' as const });
}

/** Base-10 logarithmic map of a positive `domain` onto `range`; throws when the domain is not positive. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  if (!(domain[0] > 0 && domain[1] > 0))
    throw new RangeError(`log scale: domain must be positive, got [${domain[0]}, ${domain[1]}]`);
  const inner = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  const f = ((v: number) => inner(Math.log10(v))) as Scale;
  return Object.assign(f, { domain, range, kind: 'log' as const });
}

/** About `count` round tick values (1, 2, 5 x 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number((Math.round(v / step) * step).toPrecision(12)));
  return out;
}

/**
 * Tick values for a log axis: 1, 2, 5 x 10^k inside [lo, hi] (lo > 0), thinned to 1 x 10^k on wide ranges;
 * ranges too narrow for three such ticks get linear round ticks.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0 && hi > 0)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  const decades = Math.log10(hi / lo);
  const mults = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) out.push(v);
    }
  // a narrow range (e.g. odds ratios 0.9 to 1.3) gets plain round ticks instead
  return out.length >= 3 ? out : niceTicks(lo, hi, 4).filter((v) => v > 0);
}

/** [min, max] of the finite values, or `fallback` when there are none. */
export function extent(
  values: Iterable<number | null | undefined>,
  fallback: [number, number] = [0, 1],
): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi ? [lo, hi] : fallback;
}

/**
 * A number for an axis label or a table cell: R's `format(x, digits = digits)` (the shared
 * `formatNumber` of `@fedhub/protocol`, so the dashboard prints what the CLI and R print), `–` when missing.
 */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  return sharedFormatNumber(v, digits, { missing: '–' });
}

/** "p = 0.0123" or "p < 2e-16", for running text. */
export function pClause(p: number | null | undefined): string {
  const f = formatP(p);
  return f.startsWith('<') ? `p < ${f.slice(1).trim()}` : `p = ${f}`;
}

/** A p-value as R prints it (`format.pval(p, digits = 3)`: `0.0457`, `3.1e-07`, `<2e-16`), `–` when missing. */
export function formatP(p: number | null | undefined): string {
  return formatPValue(p, 3, { missing: '–' });
}
