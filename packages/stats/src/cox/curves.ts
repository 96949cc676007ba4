import { normalQuantile } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import type { CoxTies } from './aggregate.js';
import { type EventTimeGrid, strataRanges } from './grid.js';
import { coxOffsets, coxStride } from './partial.js';

/**
 * Predicted survival curves of a Cox model, as survival's survfit(fit, newdata) with its defaults (stype 2,
 * S = exp(-H); ctype from the ties: Breslow's hazard d / S0 for "breslow", Efron's sum over the tied deaths of
 * 1 / (S0 - l/d D0) for "efron"; conf.type "log"). The hazard increments, their variance and the mean covariates
 * at each event time are functions of the summed Cox partial at the final coefficients, so the hub computes
 * them from what the last Newton round gave it: nothing more leaves a node. The variance includes the
 * coefficients' uncertainty (survfit's second term, q' V q).
 */

/** Per event time of the grid: the baseline hazard increment, its variance term and sum_l xbar_l / s0_l (p each). */
export interface CoxHazardTerms {
  readonly p: number;
  readonly dH: Float64Array;
  readonly dV: Float64Array;
  readonly xbarH: Float64Array;
  /** Deaths at each grid point. */
  readonly deaths: Float64Array;
}

/** The baseline hazard terms from the summed partial at the final coefficients (centred as the nodes centred it). */
export function coxHazardTerms(sum: Float64Array, p: number, ties: CoxTies): CoxHazardTerms {
  const stride = coxStride(p);
  if (sum.length % stride !== 0)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `cox curves: partial of length ${sum.length} is not a multiple of ${stride}`,
    );
  const K = sum.length / stride;
  const o = coxOffsets(p);
  const dH = new Float64Array(K);
  const dV = new Float64Array(K);
  const xbarH = new Float64Array(K * p);
  const deaths = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    const d = sum[base + o.d]!;
    deaths[k] = d;
    if (d === 0) continue;
    const S0 = sum[base + o.s0]!;
    const D0 = sum[base + o.d0]!;
    let a = 0;
    let q1 = 0;
    let qc = 0;
    if (ties === 'efron') {
      const nTerms = Math.round(d);
      for (let l = 0; l < nTerms; l++) {
        const c = l / d;
        const inv = 1 / (S0 - c * D0);
        a += inv;
        q1 += inv * inv;
        qc += c * inv * inv;
      }
    } else {
      a = d / S0;
      q1 = d / (S0 * S0);
    }
    dH[k] = a;
    dV[k] = q1;
    for (let j = 0; j < p; j++) xbarH[k * p + j] = sum[base + o.s1 + j]! * q1 - sum[base + o.d1 + j]! * qc;
  }
  return { p, dH, dV, xbarH, deaths };
}

/**
 * The released intervals of one stratum's curve under a minimum cell count: adjacent event times merged until
 * each interval holds at least `minCount` deaths (a short tail joins the interval before it), as the
 * coarsened Kaplan–Meier merges them. Returns the grid indices of the intervals' last event times.
 */
export function coxCurveIntervalEnds(
  deaths: ArrayLike<number>,
  lo: number,
  hi: number,
  minCount: number,
): number[] {
  const ends: number[] = [];
  let acc = 0;
  for (let k = lo; k < hi; k++) {
    if (!(deaths[k]! > 0)) continue;
    acc += deaths[k]!;
    if (acc >= minCount) {
      ends.push(k);
      acc = 0;
    }
  }
  if (acc > 0) {
    // the short tail joins the interval before it (or is the only one)
    let last = hi - 1;
    while (last >= lo && !(deaths[last]! > 0)) last--;
    if (ends.length > 0) ends[ends.length - 1] = last;
    else ends.push(last);
  }
  return ends;
}

/** One predicted curve in one stratum, released at the ends of its intervals. */
export interface CoxCurve {
  /** Stratum code (index into the model's strata; 0 without strata). */
  readonly stratum: number;
  /** Interval (start, time]: start is the previous interval's end, 0 for the first. */
  readonly start: Float64Array;
  readonly time: Float64Array;
  /** 1 where the interval merges several event times (the curve inside it is not released). */
  readonly coarsened: Uint8Array;
  readonly nEvent: Float64Array;
  readonly surv: Float64Array;
  readonly cumhaz: Float64Array;
  /** Standard error of the cumulative hazard (survfit's std.err, on the log-survival scale). */
  readonly stdErr: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Inputs of {@link coxPredictedCurves}. */
export interface CoxCurveInput {
  readonly terms: CoxHazardTerms;
  readonly grid: EventTimeGrid;
  readonly beta: ArrayLike<number>;
  /** The model's covariance (inverse information), row-major p x p. */
  readonly covariance: ArrayLike<number>;
  /** Covariate values of the curve, in the coordinates of the summed partial (uncentred when the nodes did not centre). */
  readonly x: ArrayLike<number>;
  /** Minimum deaths per released interval (the policy's minimum cell count; 1 releases every event time). */
  readonly minCount?: number;
  readonly confLevel?: number;
}

/** The predicted survival curve for covariates `x`, one per stratum of the grid. */
export function coxPredictedCurves(input: CoxCurveInput): CoxCurve[] {
  const { terms, grid, beta, covariance, x } = input;
  const p = terms.p;
  if (x.length !== p || beta.length !== p || covariance.length !== p * p)
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `cox curves: covariates of length ${x.length}, coefficients ${beta.length}, expected ${p}`,
    );
  const K = grid.times.length;
  if (terms.dH.length !== K)
    throw new StatsError(StatsErrorCode.LayoutMismatch, 'cox curves: hazard terms of another grid');
  const z = normalQuantile(1 - (1 - (input.confLevel ?? 0.95)) / 2);
  const minCount = Math.max(1, input.minCount ?? 1);
  let xb = 0;
  for (let j = 0; j < p; j++) xb += x[j]! * beta[j]!;
  const r = Math.exp(xb);
  let nStrata = 1;
  for (const s of grid.strata) nStrata = Math.max(nStrata, s + 1);
  const ranges = strataRanges(grid, nStrata);
  const curves: CoxCurve[] = [];
  for (let s = 0; s < nStrata; s++) {
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
    if (hi <= lo) continue;
    const ends = coxCurveIntervalEnds(terms.deaths, lo, hi, minCount);
    const J = ends.length;
    const c = {
      start: new Float64Array(J),
      time: new Float64Array(J),
      coarsened: new Uint8Array(J),
      nEvent: new Float64Array(J),
      surv: new Float64Array(J),
      cumhaz: new Float64Array(J),
      stdErr: new Float64Array(J),
      lower: new Float64Array(J),
      upper: new Float64Array(J),
    };
    let h = 0;
    let v = 0;
    const q = new Float64Array(p);
    let k = lo;
    for (let jj = 0; jj < J; jj++) {
      let times = 0;
      for (; k <= ends[jj]!; k++) {
        if (!(terms.deaths[k]! > 0)) continue;
        times++;
        c.nEvent[jj]! += terms.deaths[k]!;
        h += terms.dH[k]!;
        v += terms.dV[k]!;
        for (let j = 0; j < p; j++) q[j]! += x[j]! * terms.dH[k]! - terms.xbarH[k * p + j]!;
      }
      c.start[jj] = jj === 0 ? 0 : c.time[jj - 1]!;
      c.time[jj] = grid.times[ends[jj]!]!;
      c.coarsened[jj] = times > 1 ? 1 : 0;
      const H = r * h;
      let qvq = 0;
      for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) qvq += q[j]! * covariance[j * p + l]! * q[l]!;
      const se = Math.sqrt(r * r * (v + qvq));
      c.cumhaz[jj] = H;
      c.surv[jj] = Math.exp(-H);
      c.stdErr[jj] = se;
      c.lower[jj] = Math.exp(-H - z * se);
      c.upper[jj] = Math.min(1, Math.exp(-H + z * se));
    }
    curves.push({ stratum: s, ...c });
  }
  return curves;
}

/** Length of {@link coxMeansPartial}: n, then per column its sum and its count of values outside {-1, 0, 1}. */
export function coxMeansPartialSize(p: number): number {
  return 1 + 2 * p;
}

/**
 * A node's additive sums for coxph's `means` (the default curve's covariates): its rows, each column's sum
 * and its number of values outside {-1, 0, 1} (coxph does not centre a column whose values all lie there).
 */
export function coxMeansPartial(x: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(coxMeansPartialSize(p));
  out[0] = n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < p; j++) {
      const v = x[i * p + j]!;
      out[1 + j]! += v;
      if (v !== 0 && v !== 1 && v !== -1) out[1 + p + j]! += 1;
    }
  return out;
}

/** coxph's `means` from the summed {@link coxMeansPartial}: column means, 0 for columns of values in {-1, 0, 1}. */
export function coxMeansFromSum(sum: Float64Array, p: number): Float64Array {
  if (sum.length !== coxMeansPartialSize(p))
    throw new StatsError(StatsErrorCode.LayoutMismatch, 'cox means: partial of the wrong size');
  return Float64Array.from({ length: p }, (_, j) => (sum[1 + p + j]! > 0 ? sum[1 + j]! / sum[0]! : 0));
}
