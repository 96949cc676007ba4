import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';
import { type EventTimeGrid, lastAtOrBefore, strataRanges } from './grid.js';

/**
 * Harrell's C from additive binned counts, as survival::concordance counts pairs: a pair is
 * comparable when i has an event at t_i and j, in the same stratum, has a time > t_i or is censored
 * at t_i; concordant when the risk score of i is larger (higher score = shorter survival), ties in
 * the score count 1/2, tied event times are not comparable.
 *
 * Scores are binned on a declared grid `min + b * width` (b = round((score - min) / width)). When
 * scores lie on that grid (a frozen model's score reported at its resolution) the result is exact;
 * otherwise scores within one bin count as tied, an error bounded by the fraction of comparable
 * pairs whose scores differ by less than one bin width.
 */
export interface ScoreGrid {
  readonly min: number;
  readonly width: number;
  readonly bins: number;
}

/** Layout: per grid point, event counts per score bin, then comparator counts per score bin. */
export function concordancePartialLayout(gridSize: number, scoreGrid: ScoreGrid): PartialLayout {
  return {
    kind: 'concordance',
    fields: [
      { name: 'events', shape: [gridSize, scoreGrid.bins] },
      { name: 'comparators', shape: [gridSize, scoreGrid.bins] },
    ],
  };
}

/** Bin index of a score on the grid (clamped to the grid ends). */
export function scoreBin(score: number, g: ScoreGrid): number {
  const b = Math.round((score - g.min) / g.width);
  return b < 0 ? 0 : b >= g.bins ? g.bins - 1 : b;
}

/**
 * Local concordance partial: events[k, b] = deaths at grid point k with score bin b; comparators[k, b]
 * = rows of the stratum of k with time > t_k, or censored at t_k, in score bin b (accumulated per row
 * once, then suffix-summed over the grid).
 */
export function concordanceLocalPartial(
  time: Float64Array,
  event: Float64Array,
  strata: Int32Array | null,
  score: Float64Array,
  grid: EventTimeGrid,
  scoreGrid: ScoreGrid,
): Float64Array {
  const n = time.length;
  if (event.length !== n || score.length !== n || (strata && strata.length !== n)) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `concordanceLocalPartial: columns must have ${n} rows`,
    );
  }
  const K = grid.times.length;
  const B = scoreGrid.bins;
  const out = new Float64Array(2 * K * B);
  const cmp = K * B;
  let nStrata = 1;
  for (const s of grid.strata) nStrata = Math.max(nStrata, s + 1);
  if (strata) for (const s of strata) nStrata = Math.max(nStrata, s + 1);
  const ranges = strataRanges(grid, nStrata);
  for (let i = 0; i < n; i++) {
    const s = strata ? strata[i]! : 0;
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
    const t = time[i]!;
    const b = scoreBin(score[i]!, scoreGrid);
    const isEvent = event[i] !== 0;
    let k = lastAtOrBefore(grid.times, lo, hi, t);
    if (isEvent && k >= lo && grid.times[k] === t) {
      out[k * B + b]! += 1;
      k -= 1; // an event at t_k is compared only with later grid points
    }
    // Comparator for every grid point t_k < t, and for t_k = t when censored.
    if (k >= lo) out[cmp + k * B + b]! += 1;
  }
  for (let s = 0; s < nStrata; s++) {
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
    for (let k = hi - 2; k >= lo; k--) {
      for (let b = 0; b < B; b++) out[cmp + k * B + b]! += out[cmp + (k + 1) * B + b]!;
    }
  }
  return out;
}

/** Concordance counts and Harrell's C. */
export interface ConcordanceResult {
  readonly concordant: number;
  readonly discordant: number;
  readonly tiedScore: number;
  /** (concordant + tiedScore / 2) / (concordant + discordant + tiedScore). */
  readonly concordance: number;
}

/** Harrell's C from the summed concordance partial. */
export function concordanceFromPartial(
  sum: Float64Array,
  gridSize: number,
  scoreGrid: ScoreGrid,
): ConcordanceResult {
  const B = scoreGrid.bins;
  if (sum.length !== 2 * gridSize * B) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `concordance: length ${sum.length}, expected ${2 * gridSize * B}`,
    );
  }
  let conc = 0;
  let disc = 0;
  let tied = 0;
  const cmp = gridSize * B;
  for (let k = 0; k < gridSize; k++) {
    let below = 0;
    let total = 0;
    for (let b = 0; b < B; b++) total += sum[cmp + k * B + b]!;
    for (let b = 0; b < B; b++) {
      const r = sum[cmp + k * B + b]!;
      const e = sum[k * B + b]!;
      if (e > 0) {
        conc += e * below;
        tied += e * r;
        disc += e * (total - below - r);
      }
      below += r;
    }
  }
  return {
    concordant: conc,
    discordant: disc,
    tiedScore: tied,
    concordance: (conc + tied / 2) / (conc + disc + tied),
  };
}
