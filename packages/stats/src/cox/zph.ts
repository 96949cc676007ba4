import { chiSquareCdf } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { solveSpdScaled } from '../linalg.js';
import { type CoxTies, coxDerivatives } from './aggregate.js';
import type { EventTimeGrid } from './grid.js';
import { coxOffsets, coxStride } from './partial.js';

/**
 * The proportional-hazards test of survival's cox.zph (survival >= 3): for each term, the score test of adding
 * x * g(t) to the model at the fitted coefficients, and a global test of all of them, with g the transformed
 * event time centred at its mean over the events. The augmented model's score and information are sums over
 * the event times of g(t_k)^m times that time's contribution to the Cox score and information (m = 0, 1, 2):
 * with the summed Cox partial at the final coefficients (risk-set and death sums per event time) the
 * aggregator needs nothing more from the nodes; the "km" transform also uses the numbers at risk (the
 * same partial's S0 at beta = 0).
 */
export type CoxZphTransform = 'km' | 'identity';

/** One row of cox.zph's table. */
export interface CoxZphRow {
  readonly term: string;
  readonly chisq: number;
  readonly df: number;
  readonly pValue: number;
}

/** Inputs beyond the summed partial at the final coefficients. */
export interface CoxZphInput {
  readonly sum: Float64Array;
  readonly p: number;
  readonly beta: Float64Array;
  readonly ties: CoxTies;
  readonly grid: EventTimeGrid;
  readonly transform: CoxZphTransform;
  /** Numbers at risk per grid point (the "km" transform; one stratum only). */
  readonly nRisk?: ArrayLike<number> | null;
  /** Term (1-based) of each coefficient, as R's assign. */
  readonly assign: readonly number[];
  readonly termLabels: readonly string[];
}

/** g(t) per grid point (before centring): the time, or 1 - KM(t-) of the pooled data. */
function transformed(input: CoxZphInput, deaths: Float64Array): Float64Array {
  const { grid } = input;
  const K = grid.times.length;
  if (input.transform === 'identity') return Float64Array.from(grid.times);
  if (grid.strata.some((s) => s !== 0))
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      'cox.zph: the "km" transform needs a model without strata',
    );
  const n = input.nRisk;
  if (!n || n.length !== K)
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      'cox.zph: the "km" transform needs the numbers at risk',
    );
  const g = new Float64Array(K);
  let s = 1;
  for (let k = 0; k < K; k++) {
    g[k] = 1 - s; // 1 - S(t-), the survival just before t
    s *= 1 - deaths[k]! / n[k]!;
  }
  return g;
}

/** cox.zph's table: one row per term and a last row "GLOBAL". */
export function coxZph(input: CoxZphInput): CoxZphRow[] {
  const { sum, p, beta, ties, grid } = input;
  const stride = coxStride(p);
  const K = grid.times.length;
  if (sum.length !== K * stride)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `cox.zph: partial of length ${sum.length}, expected ${K * stride}`,
    );
  const o = coxOffsets(p);
  const deaths = new Float64Array(K);
  for (let k = 0; k < K; k++) deaths[k] = sum[k * stride + o.d]!;
  const g = transformed(input, deaths);
  let dSum = 0;
  let gSum = 0;
  for (let k = 0; k < K; k++) {
    dSum += deaths[k]!;
    gSum += deaths[k]! * g[k]!;
  }
  const gbar = gSum / dSum;
  const q = 2 * p;
  const u = new Float64Array(q);
  const imat = new Float64Array(q * q);
  for (let k = 0; k < K; k++) {
    if (deaths[k] === 0) continue;
    const gk = g[k]! - gbar;
    const der = coxDerivatives(sum.subarray(k * stride, (k + 1) * stride), p, beta, ties);
    for (let j = 0; j < p; j++) u[p + j]! += gk * der.score[j]!;
    for (let j = 0; j < p; j++)
      for (let m = 0; m < p; m++) {
        const v = der.information[j * p + m]!;
        imat[j * q + m]! += v;
        imat[j * q + p + m]! += gk * v;
        imat[(p + j) * q + m]! += gk * v;
        imat[(p + j) * q + p + m]! += gk * gk * v;
      }
  }
  const test = (cols: number[]): number => {
    const kk = [...Array.from({ length: p }, (_, j) => j), ...cols.map((j) => p + j)];
    const r = kk.length;
    const a = new Float64Array(r * r);
    const b = new Float64Array(r);
    kk.forEach((x, i) => {
      b[i] = u[x]!;
      kk.forEach((y, l) => {
        a[i * r + l] = imat[x * q + y]!;
      });
    });
    const sol = solveSpdScaled(a, r, b.slice());
    let t = 0;
    for (let i = 0; i < r; i++) t += sol[i]! * b[i]!;
    return t;
  };
  const rows = input.termLabels.map((term, t) => {
    const cols = input.assign.flatMap((a, j) => (a === t + 1 ? [j] : []));
    const chisq = test(cols);
    return { term, chisq, df: cols.length, pValue: chiSquareCdf(chisq, cols.length, false) };
  });
  const all = Array.from({ length: p }, (_, j) => j);
  const chisq = test(all);
  rows.push({ term: 'GLOBAL', chisq, df: p, pValue: chiSquareCdf(chisq, p, false) });
  return rows;
}

/**
 * Wald tests per term (multi-df for a factor's columns): b_T' V_TT^-1 b_T on |T| df, with V the model's
 * covariance (R: the same quadratic form on vcov(fit), as car::Anova(test = "Wald") reports it).
 */
export function termWaldTests(
  beta: ArrayLike<number>,
  covariance: ArrayLike<number>,
  assign: readonly number[],
  termLabels: readonly string[],
): CoxZphRow[] {
  const p = beta.length;
  return termLabels.map((term, t) => {
    const cols = assign.flatMap((a, j) => (a === t + 1 ? [j] : []));
    const r = cols.length;
    const v = new Float64Array(r * r);
    const b = Float64Array.from(cols, (j) => beta[j]!);
    cols.forEach((x, i) => {
      cols.forEach((y, l) => {
        v[i * r + l] = covariance[x * p + y]!;
      });
    });
    const sol = solveSpdScaled(v, r, b.slice());
    let chisq = 0;
    for (let i = 0; i < r; i++) chisq += sol[i]! * b[i]!;
    return { term, chisq, df: r, pValue: chiSquareCdf(chisq, r, false) };
  });
}
