/**
 * Harrell's C with its standard error from the summed binned concordance partial of @fedhub/stats
 * (`concordanceLocalPartial`: per grid point, event counts and comparator counts per score bin).
 *
 * The variance is survival::concordance's infinitesimal-jackknife variance: with, for each record i, the
 * numbers c_i, d_i, t_i of concordant, discordant and score-tied comparable pairs it belongs to,
 *   dfbeta_i = (c_i - d_i) / N - (somers / N) (c_i + d_i + t_i),   var(C) = sum_i dfbeta_i^2 / 4,
 * where N is the number of comparable pairs and somers = (C - D) / N. Every record of one cell (stratum,
 * last grid point at or before its time, score bin, event or not) belongs to the same pairs, so the sum
 * runs over cells weighted by their counts, and the cell counts follow from the summed partial itself:
 * the variance is as exact as the counts, with no patient-level quantity leaving a node.
 */
import { StatsError, StatsErrorCode } from '@fedhub/stats';

/** Counts as survival::concordance reports them (with `reverse = TRUE`: higher score, shorter survival). */
export interface ConcordanceSummary {
  concordant: number;
  discordant: number;
  /** Comparable pairs tied on the score (counted 1/2). */
  tiedScore: number;
  /** Pairs of events at the same time with different scores (not comparable). */
  tiedTime: number;
  /** Pairs of events at the same time and score (not comparable). */
  tiedBoth: number;
  /** (concordant + tiedScore / 2) / (concordant + discordant + tiedScore); NaN with no comparable pair. */
  concordance: number;
  /** Infinitesimal-jackknife variance of C (survival's `var`). */
  variance: number;
  stdError: number;
}

/**
 * Summary of Harrell's C from a summed concordance partial over `strata` (the stratum code of each grid
 * point, sorted, grid points of a stratum contiguous) and `bins` score bins.
 */
export function concordanceSummary(sum: Float64Array, strata: Int32Array, bins: number): ConcordanceSummary {
  const K = strata.length;
  const B = bins;
  if (sum.length !== 2 * K * B)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `concordance partial: length ${sum.length}, expected ${2 * K * B}`,
    );
  const cmp = K * B;
  const E = (k: number, b: number) => sum[k * B + b]!;
  const R = (k: number, b: number) => sum[cmp + k * B + b]!;

  // per cell: the number of its records, then the concordant, discordant and tied pairs of one record
  const cells: number[] = [];
  let conc = 0;
  let disc = 0;
  let tied = 0;
  let tiedTime = 0;
  let tiedBoth = 0;
  const cumEvents = new Float64Array(B); // events of the stratum at grid points already passed, per bin
  const rBelow = new Float64Array(B + 1); // prefix sums over bins of the comparators at k
  const eBelow = new Float64Array(B + 1); // prefix sums over bins of cumEvents
  const prefix = (out: Float64Array, row: (b: number) => number) => {
    out[0] = 0;
    for (let b = 0; b < B; b++) out[b + 1] = out[b]! + row(b);
    return out[B]!;
  };
  let lo = 0;
  while (lo < K) {
    let hi = lo;
    while (hi < K && strata[hi] === strata[lo]) hi++;
    cumEvents.fill(0);
    for (let k = lo; k < hi; k++) {
      const rTotal = prefix(rBelow, (b) => R(k, b));
      const eTotal = prefix(eBelow, (b) => cumEvents[b]!);
      let ek = 0;
      for (let b = 0; b < B; b++) {
        const e = E(k, b);
        if (e === 0) continue;
        ek += e;
        tiedBoth += (e * (e - 1)) / 2;
        // as the earlier member: the comparators at k (higher score of the event is concordant)
        const lower = rBelow[b]!;
        const same = R(k, b);
        const higher = rTotal - lower - same;
        conc += e * lower;
        disc += e * higher;
        tied += e * same;
        // as the later member: the events at earlier grid points of the stratum
        const eLower = eBelow[b]!;
        const eSame = cumEvents[b]!;
        const eHigher = eTotal - eLower - eSame;
        cells.push(e, lower + eHigher, higher + eLower, same + eSame);
      }
      tiedTime += (ek * (ek - 1)) / 2;
      for (let b = 0; b < B; b++) cumEvents[b]! += E(k, b);
      // records censored in [t_k, t_k+1): the later member of pairs with every event up to and at k
      const all = prefix(eBelow, (b) => cumEvents[b]!);
      for (let b = 0; b < B; b++) {
        const censored = R(k, b) - (k + 1 < hi ? R(k + 1, b) + E(k + 1, b) : 0);
        if (censored === 0) continue;
        const eLower = eBelow[b]!;
        const eSame = cumEvents[b]!;
        cells.push(censored, all - eLower - eSame, eLower, eSame);
      }
    }
    lo = hi;
  }
  tiedTime -= tiedBoth;
  const pairs = conc + disc + tied;
  const somers = (conc - disc) / pairs;
  let v = 0;
  for (let i = 0; i < cells.length; i += 4) {
    const c = cells[i + 1]!;
    const d = cells[i + 2]!;
    const t = cells[i + 3]!;
    const dfbeta = (c - d) / pairs - (somers / pairs) * (c + d + t);
    v += cells[i]! * dfbeta * dfbeta;
  }
  const variance = pairs > 0 ? v / 4 : Number.NaN;
  return {
    concordant: conc,
    discordant: disc,
    tiedScore: tied,
    tiedTime,
    tiedBoth,
    concordance: pairs > 0 ? (conc + tied / 2) / pairs : Number.NaN,
    variance,
    stdError: Math.sqrt(variance),
  };
}
