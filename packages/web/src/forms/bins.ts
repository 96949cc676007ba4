/**
 * Histogram bins for the `summary` form: a suggestion from the dictionary's declared range and release
 * resolution sized so that each bin can be expected to hold the policy's minimum cell count, the editor's
 * draft (an even grid or explicit breaks) and its conversion to the algorithm's `bins` parameter (pure).
 *
 * Written here rather than taken from a library: the rules (breaks on multiples of the release resolution,
 * the same 200-bin limit as the algorithm, the cell-count sizing) are fedhub's own.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { releaseResolution } from './columns.js';

/** The algorithm's bins parameter for one column. */
export type Bins = { breaks: number[] } | { from: number; to: number; width: number };

/** What the editor holds: strings as typed. */
export type BinsDraft =
  | { mode: 'grid'; from: string; to: string; width: string; coarser?: number; reason?: string }
  | { mode: 'breaks'; breaks: string };

/** The nodes' default minimum cell count (DisclosurePolicySchema's default). */
export const DEFAULT_MIN_CELL_COUNT = 5;
/** Most bins the algorithm accepts. */
const MAX_BINS = 200;
/** Records expected per bin, as a multiple of the minimum cell count: tails are thinner than the middle. */
const SAFETY = 4;

/** `v` rounded to a multiple of `r` without float noise (30.000000000000004 -> 30). */
function snap(v: number, r: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(r) - 1e-9));
  return Number((Math.round(v / r) * r).toFixed(Math.min(decimals, 15)));
}

/** The smallest "nice" width (1, 2, 2.5 or 5 times a power of ten, and a multiple of `r`) at least `w`. */
export function niceWidth(w: number, r: number): number {
  const p = 10 ** Math.floor(Math.log10(w));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const raw = m * p;
    // a candidate off the resolution grid (0.025 at 0.01) is skipped, not rounded onto it
    if (Math.abs(raw / r - Math.round(raw / r)) > 1e-9 || raw < r) continue;
    const c = snap(raw, r);
    if (c >= w - 1e-12) return c;
  }
  return snap(Math.ceil(w / r) * r, r);
}

/** A bins suggestion and why it looks as it does. */
export interface BinsSuggestion {
  bins: { from: number; to: number; width: number };
  count: number;
  reason: string;
}

/**
 * Bins over the declared range [min, max] of `c` on multiples of its release resolution: with `n` records
 * known (from an earlier summary), at most n / (4 x minCellCount) bins so that an average bin holds four
 * times the minimum cell count (Sturges' count where that is fewer); without n, 10 bins. `coarser` halves
 * the count (after a refusal). Null, with the reason, when the column declares no range.
 */
export function suggestBins(
  c: ColumnSpec,
  opts: { n?: number | undefined; minCellCount?: number; coarser?: number } = {},
): BinsSuggestion | { error: string } {
  if (c.type !== 'numeric' && c.type !== 'integer') return { error: `${c.name} is not numeric` };
  if (c.min === undefined || c.max === undefined || !(c.max > c.min))
    return { error: `${c.name} declares no range (min and max) in the data dictionary: type the breaks` };
  const minCell = opts.minCellCount ?? DEFAULT_MIN_CELL_COUNT;
  const r = releaseResolution(c);
  let k: number;
  let reason: string;
  if (opts.n !== undefined && opts.n > 0) {
    const byCells = Math.floor(opts.n / (SAFETY * minCell));
    const sturges = Math.ceil(Math.log2(opts.n)) + 1;
    k = Math.min(byCells, sturges);
    reason =
      byCells < sturges
        ? `${opts.n} records: at most ${byCells} bins hold ${SAFETY} × ${minCell} records on average`
        : `${opts.n} records: Sturges' rule`;
  } else {
    k = 10;
    reason = 'number of records unknown: 10 bins (run a summary first for a count-based suggestion)';
  }
  k = Math.max(2, Math.min(MAX_BINS, Math.floor(k / 2 ** (opts.coarser ?? 0))));
  const range = c.max - c.min;
  let width = niceWidth(range / k, r);
  let from = snap(Math.floor(c.min / width + 1e-9) * width, r);
  let to = snap(Math.ceil(c.max / width - 1e-9) * width, r);
  // the nice width may leave one bin more than asked: widen once
  if (Math.round((to - from) / width) > k) {
    width = niceWidth(width * 1.0001, r);
    from = snap(Math.floor(c.min / width + 1e-9) * width, r);
    to = snap(Math.ceil(c.max / width - 1e-9) * width, r);
  }
  const count = Math.round((to - from) / width);
  return {
    bins: { from, to, width },
    count,
    reason: `${reason}; width ${width}${c.unit ? ` ${c.unit}` : ''} on the release resolution ${r}`,
  };
}

/** The break points of bins (the algorithm's binBreaks, without its errors: null when invalid). */
export function breaksOf(b: Bins): number[] | null {
  if ('breaks' in b) {
    for (let i = 1; i < b.breaks.length; i++) if (!(b.breaks[i]! > b.breaks[i - 1]!)) return null;
    return b.breaks.length >= 2 && b.breaks.length <= MAX_BINS + 1 ? b.breaks : null;
  }
  if (!(b.width > 0) || !(b.to > b.from)) return null;
  const k = Math.round((b.to - b.from) / b.width);
  if (k < 1 || k > MAX_BINS || Math.abs(b.from + k * b.width - b.to) > 1e-9 * Math.max(1, Math.abs(b.to)))
    return null;
  const dec = Math.max(0, Math.ceil(-Math.log10(b.width) - 1e-9)) + 2;
  return Array.from({ length: k + 1 }, (_, i) => Number((b.from + i * b.width).toFixed(Math.min(dec, 15))));
}

/** The parameter from a draft; throws an Error saying what is wrong. */
export function binsFromDraft(d: BinsDraft): Bins {
  if (d.mode === 'breaks') {
    const parts = d.breaks.split(/[\s,;]+/).filter(Boolean);
    const breaks = parts.map(Number);
    const bad = parts.find((_, i) => !Number.isFinite(breaks[i]));
    if (bad !== undefined) throw new Error(`"${bad}" is not a number`);
    const b = { breaks };
    if (!breaksOf(b)) throw new Error(`give 2 to ${MAX_BINS + 1} strictly increasing breaks`);
    return b;
  }
  const [from, to, width] = [Number(d.from), Number(d.to), Number(d.width)];
  if (![from, to, width].every(Number.isFinite)) throw new Error('from, to and width must be numbers');
  const b = { from, to, width };
  if (!breaksOf(b))
    throw new Error(`from < to, and (to - from) / width a whole number of bins between 1 and ${MAX_BINS}`);
  return b;
}

/** The draft of a parameter value (to edit and re-run a task). */
export function draftFromBins(b: Bins): BinsDraft {
  return 'breaks' in b
    ? { mode: 'breaks', breaks: b.breaks.join(', ') }
    : { mode: 'grid', from: String(b.from), to: String(b.to), width: String(b.width) };
}

/** "[20, 30) [30, 40) … [90, 100]": the bins as R's hist(right = FALSE) counts them, shortened. */
export function describeBins(breaks: readonly number[], max = 6): string {
  const k = breaks.length - 1;
  const label = (i: number) => `[${breaks[i]}, ${breaks[i + 1]}${i === k - 1 ? ']' : ')'}`;
  if (k <= max) return Array.from({ length: k }, (_, i) => label(i)).join(' ');
  return `${[0, 1, 2].map(label).join(' ')} … ${[k - 2, k - 1].map(label).join(' ')}`;
}
