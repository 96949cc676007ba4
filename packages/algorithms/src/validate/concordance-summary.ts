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
import { normalQuantile, StatsError, StatsErrorCode } from '@fedhub/stats';

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
export function concordanceSummary(
  sum: Float64Array,
  strata: Int32Array,
  bins: number,
  timeWeights?: Float64Array,
): ConcordanceSummary {
  const { counts, cells } = pairCounts(sum, strata, bins, timeWeights);
  const { concordant: conc, discordant: disc, tiedScore: tied } = counts;
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
  return withVariance(counts, pairs > 0 ? v / 4 : Number.NaN);
}

type PairCounts = Pick<
  ConcordanceSummary,
  'concordant' | 'discordant' | 'tiedScore' | 'tiedTime' | 'tiedBoth'
>;

function withVariance(k: PairCounts, variance: number): ConcordanceSummary {
  const pairs = k.concordant + k.discordant + k.tiedScore;
  return {
    ...k,
    concordance: pairs > 0 ? (k.concordant + k.tiedScore / 2) / pairs : Number.NaN,
    variance,
    stdError: Math.sqrt(variance),
  };
}

/**
 * The pair counts of one group of records (a centre, where pairs are compared only within it) and the sums
 * over its records of a^2, ab and b^2 with a = c_i - d_i and b = c_i + d_i + t_i (see the file's comment):
 * additive over groups that share no pair, so the pooled C and its infinitesimal-jackknife variance follow
 * from their sums, var = (A - 2 s B + s^2 C) / (4 N^2) with N the pooled comparable pairs and s Somers' d.
 * Order: concordant, discordant, tiedScore, tiedTime, tiedBoth, A, B, C.
 */
export const MOMENTS_LENGTH = 8;
export function concordanceMoments(
  sum: Float64Array,
  strata: Int32Array,
  bins: number,
  timeWeights?: Float64Array,
): Float64Array {
  const { counts: k, cells } = pairCounts(sum, strata, bins, timeWeights);
  let aa = 0;
  let ab = 0;
  let bb = 0;
  for (let i = 0; i < cells.length; i += 4) {
    const a = cells[i + 1]! - cells[i + 2]!;
    const b = cells[i + 1]! + cells[i + 2]! + cells[i + 3]!;
    aa += cells[i]! * a * a;
    ab += cells[i]! * a * b;
    bb += cells[i]! * b * b;
  }
  return Float64Array.from([k.concordant, k.discordant, k.tiedScore, k.tiedTime, k.tiedBoth, aa, ab, bb]);
}

/** Harrell's (or Uno's) C and its variance from summed {@link concordanceMoments}. */
export function summaryFromMoments(m: ArrayLike<number>): ConcordanceSummary {
  const [conc, disc, tied, tiedTime, tiedBoth, aa, ab, bb] = Array.from(m);
  const pairs = conc! + disc! + tied!;
  const s = (conc! - disc!) / pairs;
  const variance = pairs > 0 ? (aa! - 2 * s * ab! + s * s * bb!) / (4 * pairs * pairs) : Number.NaN;
  return withVariance(
    { concordant: conc!, discordant: disc!, tiedScore: tied!, tiedTime: tiedTime!, tiedBoth: tiedBoth! },
    variance,
  );
}

/**
 * The pair counts and, per cell, [records, concordant, discordant, tied pairs of one record]
 * (see concordanceSummary).
 */
function pairCounts(
  sum: Float64Array,
  strata: Int32Array,
  bins: number,
  timeWeights?: Float64Array,
): { counts: PairCounts; cells: number[] } {
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
      // survival's timewt: every pair whose earlier member is an event at t_k counts w_k (1 for Harrell's C)
      const w = timeWeights ? timeWeights[k]! : 1;
      const rTotal = prefix(rBelow, (b) => R(k, b));
      const eTotal = prefix(eBelow, (b) => cumEvents[b]!);
      let ek = 0;
      for (let b = 0; b < B; b++) {
        const e = E(k, b);
        if (e === 0) continue;
        ek += e;
        tiedBoth += (w * e * (e - 1)) / 2;
        // as the earlier member: the comparators at k (higher score of the event is concordant)
        const lower = w * rBelow[b]!;
        const same = w * R(k, b);
        const higher = w * rTotal - lower - same;
        conc += e * lower;
        disc += e * higher;
        tied += e * same;
        // as the later member: the events at earlier grid points of the stratum
        const eLower = eBelow[b]!;
        const eSame = cumEvents[b]!;
        const eHigher = eTotal - eLower - eSame;
        cells.push(e, lower + eHigher, higher + eLower, same + eSame);
      }
      tiedTime += (w * ek * (ek - 1)) / 2;
      // (weighted: as the later member, a record's pair with an event at t_k counts w_k)
      for (let b = 0; b < B; b++) cumEvents[b]! += w * E(k, b);
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
  return {
    counts: { concordant: conc, discordant: disc, tiedScore: tied, tiedTime, tiedBoth },
    cells,
  };
}

/**
 * G(t_k-) at the event-grid points lo..hi-1 of one stratum, from the summed concordance partial: the
 * Kaplan–Meier estimate of the censoring distribution just before t_k (deaths before censorings at tied
 * times, as survival's fastkm1). Between two event-grid points only censorings happen, so the product of
 * G's factors over them telescopes to (at risk at t_k+1) / (at risk after the deaths at t_k), both sums of
 * the partial: G is exact from the binned counts. Before the stratum's first event time likewise only
 * censorings happen: G(t_1-) = (at risk at t_1) / (records of the stratum), given `total`; without it G
 * starts at 1 there (relative), a common factor that cancels within one stratum.
 */
function censoringBefore(
  sum: Float64Array,
  K: number,
  bins: number,
  lo = 0,
  hi = K,
  total?: number,
): Float64Array {
  const cmp = K * bins;
  const g = new Float64Array(hi - lo);
  const atRiskAt = (k: number) => {
    let n = 0;
    for (let b = 0; b < bins; b++) n += sum[k * bins + b]! + sum[cmp + k * bins + b]!;
    return n;
  };
  let v = total === undefined ? 1 : atRiskAt(lo) / total;
  for (let k = lo; k < hi; k++) {
    if (k > lo) {
      let after = 0;
      for (let b = 0; b < bins; b++) after += sum[cmp + (k - 1) * bins + b]!;
      // nobody left after t_k-1: no pair at or after t_k, G there is never used
      if (after > 0) v *= atRiskAt(k) / after;
    }
    g[k - lo] = v;
  }
  return g;
}

const oneStratum = (strata: Int32Array) => strata.length === 0 || strata[strata.length - 1] === strata[0];

/**
 * Uno's C weights, survival::concordance's timewt = "n/G2": w_k = 1 / G(t_k-)^2, G the censoring
 * Kaplan–Meier of t_k's stratum (see censoringBefore). With one stratum the censorings before its first
 * event are a common factor that cancels in C and its variance, so `strataTotals` may be left out; with
 * several they are not (each stratum's G starts at its own records), and `strataTotals` (the pooled records
 * of each stratum, by stratum code) is needed: null without it. As survival:::concordancefit, a stratum
 * with fewer than two events counts its pairs with weight 1 (its docount falls back to timewt "n").
 */
export function unoTimeWeights(
  sum: Float64Array,
  strata: Int32Array,
  bins: number,
  strataTotals?: ArrayLike<number>,
): Float64Array | null {
  const K = strata.length;
  if (!oneStratum(strata) && !strataTotals) return null;
  const w = new Float64Array(K);
  let lo = 0;
  while (lo < K) {
    let hi = lo;
    while (hi < K && strata[hi] === strata[lo]) hi++;
    let events = 0;
    for (let i = lo * bins; i < hi * bins; i++) events += sum[i]!;
    if (events < 2) w.fill(1, lo, hi);
    else {
      const total = strataTotals ? strataTotals[strata[lo]!] : undefined;
      const g = censoringBefore(sum, K, bins, lo, hi, total);
      // G is 0 only after the stratum's last record: no pair there (a weight of 0 keeps the sums finite)
      for (let k = lo; k < hi; k++) w[k] = g[k - lo]! > 0 ? 1 / (g[k - lo]! * g[k - lo]!) : 0;
    }
    lo = hi;
  }
  return w;
}

/** A time-dependent AUC (cumulative cases, dynamic controls) at one time. */
export interface TimeDependentAuc {
  /** The time asked for. */
  time: number;
  /**
   * The time at which `auc` is the exact AUC of the (coarsened) data: the last multiple of the time
   * resolution before the first event time after `time`. The controls are the records followed at least to
   * that event time; a record censored between `time` and it is not a control (the partial does not say
   * whether its censoring came before or after `time`).
   */
  timeUsed: number;
  auc: number;
  /** Events up to `time` and records still at risk after it. */
  cases: number;
  controls: number;
  /** timeROC's iid standard error (see timeDependentAuc); NaN where undefined. */
  se: number;
  /** Wald 95% interval on the AUC scale (auc -/+ 1.96 se, as timeROC's confint), clipped to [0, 1]. */
  lower: number;
  upper: number;
}

const Z975 = normalQuantile(0.975);

/**
 * Cumulative/dynamic AUC(t) with inverse-probability-of-censoring weights (Blanche, Dartigues and
 * Jacqmin-Gadda, Stat Med 2013; timeROC's "marginal" weights): cases, events up to t, weighted 1 / G(T_i-);
 * controls, records beyond t (their common weight 1 / G(t) cancels); a case and a control tied on the
 * score count 1/2. From the summed concordance partial, for one stratum (null otherwise), and null where
 * no event is at or before t or none after it.
 *
 * The standard error is timeROC's (`iid = TRUE`: se = sd(IF) / sqrt(n)) for the coarsened data set the
 * partial describes, computed from the partial alone. Written out for that data, timeROC's iid
 * representation of record k is n phi_k with
 *   phi_k = [k control] (q_k - AUC) / N_c + [k case] (p_k - AUC) / (G(T_k-) W)
 *           + sum_u D(u) dM_k(u) / Y(u),
 * p_k the share of controls a case of k's score beats (ties 1/2), q_k the weighted share of cases that
 * beat a control of k's score, W = sum over cases of 1 / G(T_i-), N_c the controls, D(u) the sum over cases
 * after u of (p_i - AUC) / (G(T_i-) W) (the influence of 1 / G(T_i-) through the censoring Kaplan–Meier's
 * martingale representation, timeROC's Compute.iid.KM), dM_k(u) = [k censored at u] - [T_k >= u] c(u) /
 * Y(u) and Y(u) the records at risk at u. Every term depends on a record only through its cell (grid point,
 * score group, event or censored), so var = n / (n - 1) * sum over cells of count * phi^2 (timeROC's sd
 * divides by n - 1; the phi sum to 0).
 *
 * The convention for the censoring times within an interval is the point estimate's: its censoring
 * Kaplan–Meier takes the censorings in [t_k, t_k+1) as one step just after the deaths at t_k (the factors
 * telescope to (at risk at t_k+1) / (at risk after the deaths at t_k)), so here those records are censored
 * together at one time just after t_k, one hazard step c_k / Y'_k (Y'_k the records at risk after the deaths
 * at t_k) that they all share. (timeROC's Compute.iid.KM steps tied rows one by one, 1 / (n:1), which
 * depends on their order; on the project's cohort the order moves the s.e. by at most 5e-5 relative.)
 * Records censored before the first event time have phi = 0 (a factor common to every case's weight
 * cancels) and count only in n: `records`, the stratum's records (default: those at risk at its first
 * event time). Reference: packages/stats/scripts/make-auc-t-variance-fixture.R.
 */
export function timeDependentAuc(
  sum: Float64Array,
  grid: { strata: Int32Array; times: ArrayLike<number> },
  bins: number,
  time: number,
  timeResolution: number,
  records?: number,
): TimeDependentAuc | null {
  const K = grid.strata.length;
  if (!oneStratum(grid.strata) || sum.length !== 2 * K * bins) return null;
  let last = -1;
  while (last + 1 < K && grid.times[last + 1]! <= time) last++;
  if (last < 0 || last + 1 >= K) return null;
  const g = censoringBefore(sum, K, bins);
  const cmp = K * bins;
  const E = (k: number, b: number) => sum[k * bins + b]!;
  const R = (k: number, b: number) => sum[cmp + k * bins + b]!;
  const cases = new Float64Array(bins);
  let nCases = 0;
  for (let k = 0; k <= last; k++)
    for (let b = 0; b < bins; b++) {
      cases[b]! += E(k, b) / g[k]!;
      nCases += E(k, b);
    }
  const next = last + 1;
  const controls = new Float64Array(bins);
  let nControls = 0;
  let wCases = 0;
  for (let b = 0; b < bins; b++) {
    controls[b] = E(next, b) + R(next, b);
    nControls += controls[b]!;
    wCases += cases[b]!;
  }
  // p: share of the controls a case of score group b beats; q: weighted share of the cases beating a control
  const p = new Float64Array(bins);
  const q = new Float64Array(bins);
  let below = 0;
  let num = 0;
  for (let b = 0; b < bins; b++) {
    p[b] = (below + controls[b]! / 2) / nControls;
    below += controls[b]!;
    num += cases[b]! * p[b]!;
  }
  let above = 0;
  for (let b = bins - 1; b >= 0; b--) {
    q[b] = (above + cases[b]! / 2) / wCases;
    above += cases[b]!;
  }
  const auc = num / wCases;

  // D(u) after the censorings of interval k (just after t_k): the cases at t_k+1 .. t_last
  const caseTerm = (m: number, b: number) => (p[b]! - auc) / (g[m]! * wCases);
  const dTail = new Float64Array(K);
  for (let m = last; m >= 1; m--) {
    let d = 0;
    for (let b = 0; b < bins; b++) d += E(m, b) * caseTerm(m, b);
    dTail[m - 1] = dTail[m]! + d;
  }
  // per interval k: its censorings by score group, the records at risk after the deaths at t_k, and
  // Q_k = sum over k' <= k of D_k' c_k' / Y'_k'^2 (the compensator a record at risk through k carries)
  const censored = (k: number, b: number) => R(k, b) - (k + 1 < K ? R(k + 1, b) + E(k + 1, b) : 0);
  const afterDeaths = new Float64Array(K);
  const Q = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let y = 0;
    let c = 0;
    for (let b = 0; b < bins; b++) {
      y += R(k, b);
      c += censored(k, b);
    }
    afterDeaths[k] = y;
    Q[k] = (k > 0 ? Q[k - 1]! : 0) + (y > 0 ? (dTail[k]! * c) / (y * y) : 0);
  }
  const controlTerm = (b: number) => (q[b]! - auc) / nControls;
  let ss = 0;
  for (let k = 0; k < K; k++) {
    const before = k > 0 ? Q[k - 1]! : 0;
    for (let b = 0; b < bins; b++) {
      const e = E(k, b);
      if (e > 0) {
        const phi = (k <= last ? caseTerm(k, b) : controlTerm(b)) - before;
        ss += e * phi * phi;
      }
      const c = censored(k, b);
      if (c > 0) {
        const phi = (k >= next ? controlTerm(b) : 0) + dTail[k]! / afterDeaths[k]! - Q[k]!;
        ss += c * phi * phi;
      }
    }
  }
  let n = records ?? 0;
  if (records === undefined) for (let b = 0; b < bins; b++) n += E(0, b) + R(0, b);
  const se = n > 1 ? Math.sqrt((n / (n - 1)) * ss) : Number.NaN;
  return {
    time,
    timeUsed: grid.times[next]! - timeResolution,
    auc,
    cases: nCases,
    controls: nControls,
    se,
    lower: Math.max(0, auc - Z975 * se),
    upper: Math.min(1, auc + Z975 * se),
  };
}
