import { StatsError, StatsErrorCode } from '../errors.js';
import { inverseSpdScaled, symmetrizeFromUpper } from '../linalg.js';
import { type GlmFamily, type GlmFamilySpec, glmFamily } from './family.js';
import type { GlmNodeData } from './partial.js';

/**
 * Robust (sandwich) covariances of a GLM from additive partials: V = B M B with B = (X'WX)^-1 (R's
 * cov.unscaled) and M the sum of outer products of score contributions s = x w (y - mu) mu.eta / V(mu)
 * (sandwich's estfun.glm times the dispersion, which cancels against the bread's).
 * - HC0 (sandwich::vcovHC(type = "HC0")): M sums every row's s s'.
 * - cluster-robust (sandwich::vcovCL(type = "HC0"), with its default G / (G - 1) adjustment): M sums, over the
 *   clusters, U_g U_g' with U_g the sum of the cluster's rows' s. With the centre as the cluster each node's U
 *   is the sum over its rows; with a column, the clusters must lie within one node each (a patient, a
 *   department), so that every U_g is formed where its rows are.
 * A node sends the p x p upper triangle of its M and its number of clusters: additive sums, as X'WX.
 */

/** Length of the robust partial for p coefficients: M (p x p, upper triangle filled) and the cluster count. */
export function glmRobustPartialSize(p: number): number {
  return p * p + 1;
}

/**
 * One node's robust partial at the final coefficients. `clusters`: null for HC0 (every row its own cluster);
 * 'node' for the centre as the cluster; else a cluster code per row (clusters within this node).
 */
export function glmRobustPartial(
  data: GlmNodeData,
  spec: GlmFamilySpec | GlmFamily,
  beta: Float64Array,
  clusters: null | 'node' | Int32Array,
): Float64Array {
  const fam = glmFamily(spec);
  const { x, p, y, n } = data;
  if (beta.length !== p)
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `glm robust: beta has length ${beta.length}, expected ${p}`,
    );
  if (clusters instanceof Int32Array && clusters.length !== n)
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `glm robust: ${clusters.length} cluster codes for ${n} rows`,
    );
  const out = new Float64Array(glmRobustPartialSize(p));
  const sums = new Map<number, Float64Array>();
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const w = data.weights ? data.weights[i]! : 1;
    if (!(w > 0)) continue;
    let eta = data.offset ? data.offset[i]! : 0;
    for (let j = 0; j < p; j++) eta += x[i * p + j]! * beta[j]!;
    const mu = fam.linkinv(eta);
    const r = (w * (y[i]! - mu) * fam.muEta(eta)) / fam.variance(mu);
    if (clusters === null) {
      for (let j = 0; j < p; j++) row[j] = x[i * p + j]! * r;
      for (let j = 0; j < p; j++) for (let k = j; k < p; k++) out[j * p + k]! += row[j]! * row[k]!;
      continue;
    }
    const g = clusters === 'node' ? 0 : clusters[i]!;
    let u = sums.get(g);
    if (!u) {
      u = new Float64Array(p);
      sums.set(g, u);
    }
    for (let j = 0; j < p; j++) u[j]! += x[i * p + j]! * r;
  }
  for (const u of sums.values())
    for (let j = 0; j < p; j++) for (let k = j; k < p; k++) out[j * p + k]! += u[j]! * u[k]!;
  out[p * p] = clusters === null ? 0 : sums.size;
  return out;
}

/**
 * The robust covariance (row-major p x p) from the summed X'WX (upper triangle, as in the IRLS partial at
 * the final coefficients) and the summed robust partial; `cluster` applies sandwich's G / (G - 1).
 */
export function glmRobustCovariance(
  xtwxUpper: Float64Array,
  robustSum: Float64Array,
  p: number,
  cluster: boolean,
): Float64Array {
  const bread = inverseSpdScaled(symmetrizeFromUpper(xtwxUpper.slice(0, p * p), p), p);
  const meat = symmetrizeFromUpper(robustSum.slice(0, p * p), p);
  const g = robustSum[p * p]!;
  if (cluster && !(g > 1))
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      'cluster-robust standard errors need at least 2 clusters',
    );
  const adj = cluster ? g / (g - 1) : 1;
  const bm = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += bread[i * p + j]! * meat[j * p + k]!;
      bm[i * p + k] = s;
    }
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += bm[i * p + j]! * bread[j * p + k]!;
      v[i * p + k] = adj * s;
    }
  return v;
}
