import { chiSquareCdf, normalQuantile, normalTwoSided } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { solveSpdScaled } from '../linalg.js';
import type { CoxTies } from './aggregate.js';
import { type EventTimeGrid, lastAtOrBefore, strataRanges } from './grid.js';
import { type CoxNodeData, coxOffsets, coxStride, coxTriRow } from './partial.js';

/**
 * Robust (sandwich) variance of a Cox model, as survival's coxph(..., robust = TRUE) and cluster():
 * V = I^-1 (sum over clusters of U_c U_c') I^-1, with U_c the sum of the cluster's score residuals
 * (residuals(fit, "score"); D = U I^-1 are the dfbeta residuals, V = D'D). A row's score residual is
 *   L_i = delta_i (x_i - e_k) - r_i sum over the event times t_j <= t_i of its stratum of w_ij (x_i - xbar_j) dLambda_j,
 * with r_i = exp(x_i'beta), dLambda_j the hazard increments and, under Efron, one term per tied death
 * (weights 1 - l/d for the dying rows). Everything but x_i and r_i is a function of the pooled risk-set sums
 * at the final coefficients, so the hub computes it ({@link coxResidualTerms}) and sends it to the nodes;
 * each node forms its rows' residuals, sums them per cluster and sends sum_c U_c U_c' ({@link coxRobustPartial}):
 * an additive p x p sum. With the centre as the cluster that is one outer product, of the node's score sum.
 */

/** Values per grid point of {@link coxResidualTerms}: a, ad, b (p), bd (p), e (p). */
export function coxResidualStride(p: number): number {
  return 2 + 3 * p;
}

/**
 * The per event time terms of the score residuals, from the summed Cox partial at the final coefficients
 * (computed with the same centre the nodes use): for each grid point, a = sum_l 1/s0_l and
 * b = sum_l xbar_l / s0_l over the hazard terms (those at risk who do not die there), ad and bd the same with the
 * Efron weights 1 - l/d of the rows dying there, and e = mean_l xbar_l (charged to each death). Breslow: one
 * term of weight d.
 */
export function coxResidualTerms(sum: Float64Array, p: number, ties: CoxTies): Float64Array {
  const stride = coxStride(p);
  if (sum.length % stride !== 0)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `cox residual terms: length ${sum.length} is not a multiple of ${stride}`,
    );
  const K = sum.length / stride;
  const o = coxOffsets(p);
  const rs = coxResidualStride(p);
  const out = new Float64Array(K * rs);
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    const d = sum[base + o.d]!;
    if (d === 0) continue;
    const S0 = sum[base + o.s0]!;
    const D0 = sum[base + o.d0]!;
    // a = sum 1/s0, ad = sum (1-c)/s0, q* = sums over 1/s0^2 with weights 1, c, (1-c), c(1-c); m* = sums over 1/s0
    let a = 0;
    let ad = 0;
    let q1 = 0;
    let qc = 0;
    let qd1 = 0;
    let qdc = 0;
    let mc = 0;
    if (ties === 'efron') {
      const nTerms = Math.round(d);
      for (let l = 0; l < nTerms; l++) {
        const c = l / d;
        const inv = 1 / (S0 - c * D0);
        const inv2 = inv * inv;
        a += inv;
        ad += (1 - c) * inv;
        q1 += inv2;
        qc += c * inv2;
        qd1 += (1 - c) * inv2;
        qdc += c * (1 - c) * inv2;
        mc += c * inv;
      }
    } else {
      a = d / S0;
      ad = a;
      q1 = d / (S0 * S0);
      qd1 = q1;
    }
    const at = k * rs;
    out[at] = a;
    out[at + 1] = ad;
    for (let j = 0; j < p; j++) {
      const s1 = sum[base + o.s1 + j]!;
      const d1 = sum[base + o.d1 + j]!;
      out[at + 2 + j] = s1 * q1 - d1 * qc;
      out[at + 2 + p + j] = s1 * qd1 - d1 * qdc;
      out[at + 2 + 2 * p + j] = (s1 * a - d1 * mc) / d;
    }
  }
  return out;
}

/** Length of {@link coxRobustPartial}: the packed upper triangle of sum_c U_c U_c', then the number of clusters. */
export function coxRobustPartialSize(p: number): number {
  return (p * (p + 1)) / 2 + 1;
}

/**
 * Each row's score residual (row-major n x p; rows in no risk set, before the first event time of their
 * stratum, have 0), from the hub's {@link coxResidualTerms}. `center` must be the one the summed partial used.
 */
export function coxScoreResiduals(
  data: CoxNodeData,
  grid: EventTimeGrid,
  beta: Float64Array,
  terms: Float64Array,
  center: Float64Array | null = null,
): Float64Array {
  const { x, n, p, time, event } = data;
  const K = grid.times.length;
  const rs = coxResidualStride(p);
  if (terms.length !== K * rs)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `cox score residuals: ${terms.length} terms for ${K} grid points, expected ${K * rs}`,
    );
  if (beta.length !== p)
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `cox score residuals: beta has length ${beta.length}, expected ${p}`,
    );
  const strata = data.strata ?? null;
  let nStrata = 1;
  for (const s of grid.strata) nStrata = Math.max(nStrata, s + 1);
  if (strata) for (const s of strata) nStrata = Math.max(nStrata, s + 1);
  const ranges = strataRanges(grid, nStrata);
  // per grid point, the hazard terms of the earlier event times of its stratum plus its own: for a row at risk
  // there (all: a, b) and for a row dying there (dead: ad, bd, and the mean charged to the death)
  const allA = new Float64Array(K);
  const deadA = new Float64Array(K);
  const allB = new Float64Array(K * p);
  const deadB = new Float64Array(K * p);
  for (let s = 0; s < nStrata; s++) {
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
    let cumA = 0;
    const cumB = new Float64Array(p);
    for (let k = lo; k < hi; k++) {
      const t = k * rs;
      allA[k] = cumA + terms[t]!;
      deadA[k] = cumA + terms[t + 1]!;
      for (let j = 0; j < p; j++) {
        allB[k * p + j] = cumB[j]! + terms[t + 2 + j]!;
        // the death's own term: its mean minus the Efron-weighted hazard sums (x_i - e_k is added per row)
        deadB[k * p + j] = cumB[j]! + terms[t + 2 + p + j]!;
      }
      cumA += terms[t]!;
      for (let j = 0; j < p; j++) cumB[j]! += terms[t + 2 + j]!;
    }
  }
  const out = new Float64Array(n * p);
  const xi = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const s = strata ? strata[i]! : 0;
    const lo = ranges[2 * s]!;
    const k = lastAtOrBefore(grid.times, lo, ranges[2 * s + 1]!, time[i]!);
    if (k < lo) continue;
    let xb = 0;
    const row = i * p;
    for (let j = 0; j < p; j++) {
      xi[j] = center ? x[row + j]! - center[j]! : x[row + j]!;
      xb += xi[j]! * beta[j]!;
    }
    const r = Math.exp(xb);
    if (event[i] !== 0 && grid.times[k] === time[i]) {
      const a = deadA[k]!;
      const e = k * rs + 2 + 2 * p;
      for (let j = 0; j < p; j++)
        out[row + j] = xi[j]! - terms[e + j]! - r * (xi[j]! * a - deadB[k * p + j]!);
    } else {
      const a = allA[k]!;
      for (let j = 0; j < p; j++) out[row + j] = -r * (xi[j]! * a - allB[k * p + j]!);
    }
  }
  return out;
}

/**
 * One node's robust partial: sum over its clusters of U_c U_c' (packed upper triangle, see coxTriRow) and
 * its number of clusters. `clusters`: null for every row its own cluster (robust = TRUE), 'node' for the
 * centre as the cluster, else a cluster code per row (clusters must lie within one node each).
 */
export function coxRobustPartial(
  residuals: Float64Array,
  n: number,
  p: number,
  clusters: null | 'node' | Int32Array,
): Float64Array {
  if (residuals.length !== n * p)
    throw new StatsError(StatsErrorCode.DimensionMismatch, 'cox robust: residuals are not n x p');
  if (clusters instanceof Int32Array && clusters.length !== n)
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `cox robust: ${clusters.length} cluster codes for ${n} rows`,
    );
  const out = new Float64Array(coxRobustPartialSize(p));
  const addOuter = (u: Float64Array | ArrayLike<number>, at: number) => {
    for (let j = 0; j < p; j++) {
      const m = coxTriRow(p, j);
      for (let l = j; l < p; l++) out[m + l]! += u[at + j]! * u[at + l]!;
    }
  };
  if (clusters === null) {
    for (let i = 0; i < n; i++) addOuter(residuals, i * p);
    out[out.length - 1] = n;
    return out;
  }
  const sums = new Map<number, Float64Array>();
  for (let i = 0; i < n; i++) {
    const g = clusters === 'node' ? 0 : clusters[i]!;
    let u = sums.get(g);
    if (!u) {
      u = new Float64Array(p);
      sums.set(g, u);
    }
    for (let j = 0; j < p; j++) u[j]! += residuals[i * p + j]!;
  }
  for (const u of sums.values()) addOuter(u, 0);
  out[out.length - 1] = sums.size;
  return out;
}

/** The robust covariance I^-1 M I^-1 (row-major p x p) from the model covariance and the summed robust partial. */
export function coxRobustCovariance(
  covariance: ArrayLike<number>,
  robustSum: Float64Array,
  p: number,
): Float64Array {
  if (robustSum.length !== coxRobustPartialSize(p) || covariance.length !== p * p)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      'cox robust: partial or covariance of the wrong size',
    );
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++)
    for (let l = j; l < p; l++) {
      const v = robustSum[coxTriRow(p, j) + l]!;
      m[j * p + l] = v;
      m[l * p + j] = v;
    }
  const t = new Float64Array(p * p); // M I^-1
  for (let j = 0; j < p; j++)
    for (let l = 0; l < p; l++) {
      let v = 0;
      for (let q = 0; q < p; q++) v += m[j * p + q]! * covariance[q * p + l]!;
      t[j * p + l] = v;
    }
  const out = new Float64Array(p * p);
  for (let j = 0; j < p; j++)
    for (let l = 0; l < p; l++) {
      let v = 0;
      for (let q = 0; q < p; q++) v += covariance[j * p + q]! * t[q * p + l]!;
      out[j * p + l] = v;
    }
  return out;
}

/** coxph's robust table: naive and robust SEs, z and p from the robust one, and the robust Wald test. */
export interface CoxRobustSummary {
  readonly clusters: number;
  readonly robustSe: Float64Array;
  readonly z: Float64Array;
  readonly pValue: Float64Array;
  readonly hrLower: Float64Array;
  readonly hrUpper: Float64Array;
  readonly covariance: Float64Array;
  /**
   * Wald test of all coefficients with the robust covariance (coxph's wald.test when robust); NaN where that
   * covariance is singular (fewer clusters than coefficients).
   */
  readonly wald: number;
  readonly waldP: number;
}

/** Summarises a robust covariance as summary.coxph shows it (z = coef / robust se). */
export function coxRobustSummary(
  beta: ArrayLike<number>,
  covariance: ArrayLike<number>,
  robustSum: Float64Array,
  level = 0.95,
): CoxRobustSummary {
  const p = beta.length;
  const cov = coxRobustCovariance(covariance, robustSum, p);
  const q = normalQuantile(1 - (1 - level) / 2);
  const se = new Float64Array(p);
  const z = new Float64Array(p);
  const pv = new Float64Array(p);
  const lo = new Float64Array(p);
  const hi = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    se[j] = Math.sqrt(cov[j * p + j]!);
    z[j] = beta[j]! / se[j]!;
    pv[j] = normalTwoSided(z[j]!);
    lo[j] = Math.exp(beta[j]! - q * se[j]!);
    hi[j] = Math.exp(beta[j]! + q * se[j]!);
  }
  // with fewer clusters than coefficients (the centre as the cluster) the robust covariance is singular and
  // the test has no meaning: NaN (R prints the rank then)
  const b = Float64Array.from(beta);
  let wald = Number.NaN;
  try {
    const sol = p > 0 ? solveSpdScaled(cov.slice(), p, b.slice()) : new Float64Array();
    wald = 0;
    for (let j = 0; j < p; j++) wald += sol[j]! * b[j]!;
  } catch (err) {
    if (!(err instanceof StatsError)) throw err;
  }
  return {
    clusters: robustSum[robustSum.length - 1]!,
    robustSe: se,
    z,
    pValue: pv,
    hrLower: lo,
    hrUpper: hi,
    covariance: cov,
    wald,
    waldP: chiSquareCdf(wald, p, false),
  };
}

/**
 * R's robust score test of coxph (`fit$rscore`, printed "Robust = ..."): u' (sum_c U_c U_c')^-1 u with the
 * score residuals at the initial coefficients (0), u their total (the score there) and the clusters as for the
 * robust variance. NaN where the clusters' matrix is singular (fewer clusters than coefficients).
 */
export function coxRobustScoreTest(score0: ArrayLike<number>, robustSum0: Float64Array, p: number): number {
  if (robustSum0.length !== coxRobustPartialSize(p) || score0.length !== p)
    throw new StatsError(StatsErrorCode.LayoutMismatch, 'cox robust score test: partial of the wrong size');
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++)
    for (let l = j; l < p; l++) {
      const v = robustSum0[coxTriRow(p, j) + l]!;
      m[j * p + l] = v;
      m[l * p + j] = v;
    }
  const u = Float64Array.from(score0);
  try {
    const sol = solveSpdScaled(m, p, u.slice());
    let t = 0;
    for (let j = 0; j < p; j++) t += sol[j]! * u[j]!;
    return t;
  } catch (err) {
    if (err instanceof StatsError) return Number.NaN;
    throw err;
  }
}
