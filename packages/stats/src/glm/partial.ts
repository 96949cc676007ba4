import { logGamma } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';
import { type GlmFamily, type GlmFamilySpec, glmFamily } from './family.js';

const DBL_EPS = 2.220446049250313e-16;
const LFACT_SIZE = 256;

/** log(k!) for k < 256, so the Poisson AIC piece costs a lookup for count data. */
function logFactorialTable(): Float64Array {
  const t = new Float64Array(LFACT_SIZE);
  for (let k = 2; k < LFACT_SIZE; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
}

const BLOCK = 256;

/**
 * Adds sum_r W_r x_r x_r' (upper triangle) and sum_r (W z)_r x_r for rows i0 .. i0+len-1 to `out`
 * (X'WX at 0, X'Wz at `xtwzAt`), four rows per pass.
 */
function accumulateCrossProducts(
  x: Float64Array,
  p: number,
  i0: number,
  len: number,
  ww: Float64Array,
  wz: Float64Array,
  out: Float64Array,
  xtwzAt: number,
): void {
  let r = 0;
  for (; r + 3 < len; r += 4) {
    const ra = (i0 + r) * p;
    const rb = ra + p;
    const rc = rb + p;
    const rd = rc + p;
    const wa = ww[r]!;
    const wb = ww[r + 1]!;
    const wc = ww[r + 2]!;
    const wd = ww[r + 3]!;
    const za = wz[r]!;
    const zb = wz[r + 1]!;
    const zc = wz[r + 2]!;
    const zd = wz[r + 3]!;
    for (let j = 0; j < p; j++) {
      const xa = x[ra + j]!;
      const xb = x[rb + j]!;
      const xc = x[rc + j]!;
      const xd = x[rd + j]!;
      out[xtwzAt + j]! += xa * za + xb * zb + xc * zc + xd * zd;
      const a = wa * xa;
      const b = wb * xb;
      const c = wc * xc;
      const d = wd * xd;
      const base = j * p;
      for (let k = j; k < p; k++)
        out[base + k]! += a * x[ra + k]! + b * x[rb + k]! + c * x[rc + k]! + d * x[rd + k]!;
    }
  }
  for (; r < len; r++) {
    const row = (i0 + r) * p;
    const w = ww[r]!;
    const z = wz[r]!;
    for (let j = 0; j < p; j++) {
      const xj = x[row + j]!;
      out[xtwzAt + j]! += xj * z;
      const a = w * xj;
      const base = j * p;
      for (let k = j; k < p; k++) out[base + k]! += a * x[row + k]!;
    }
  }
}

/** One node's GLM data: row-major design matrix, response, optional prior weights and offset. */
export interface GlmNodeData {
  /** Row-major n x p design matrix. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly y: Float64Array;
  /** Prior weights (R `weights`), default 1. */
  readonly weights?: Float64Array | null;
  /** Offset added to the linear predictor, default 0. */
  readonly offset?: Float64Array | null;
}

/** Offsets of the scalar fields after XtWX (p*p) and XtWz (p). */
export const GlmScalar = {
  deviance: 0,
  aicSum: 1,
  pearson: 2,
  nObs: 3,
  sumW: 4,
  sumWY: 5,
  /** Rows whose fitted value is numerically on the boundary (R's glm.fit warnings; see glmBoundaryWarning). */
  boundary: 6,
} as const;
const N_SCALARS = 7;
/** R's glm.fit boundary test: mu within 10 machine epsilons of 0 or 1 (binomial) or of 0 (poisson). */
const BOUNDARY_EPS = 10 * DBL_EPS;

/**
 * Layout of the GLM partial for p coefficients: XtWX (p x p, upper triangle filled), XtWz (p), then
 * scalars: deviance (sum of R dev.resids), aicSum (family aic piece), pearson (sum w (y-mu)^2/V),
 * nObs (rows with weight > 0), sumW, sumWY (for the null deviance without offset), boundary (rows
 * whose fitted value is numerically 0 or 1, R's separation warning).
 */
export function glmPartialLayout(p: number): PartialLayout {
  return {
    kind: 'glm',
    fields: [
      { name: 'xtwx', shape: [p, p] },
      { name: 'xtwz', shape: [p] },
      { name: 'deviance', shape: [] },
      { name: 'aicSum', shape: [] },
      { name: 'pearson', shape: [] },
      { name: 'nObs', shape: [] },
      { name: 'sumW', shape: [] },
      { name: 'sumWY', shape: [] },
      { name: 'boundary', shape: [] },
    ],
  };
}

/** Length of the GLM partial for p coefficients. */
export function glmPartialSize(p: number): number {
  return p * p + p + N_SCALARS;
}

function validate(data: GlmNodeData): void {
  const { n, p } = data;
  const bad = (what: string) => new StatsError(StatsErrorCode.DimensionMismatch, `glm node data: ${what}`);
  if (data.x.length !== n * p) throw bad(`x has length ${data.x.length}, expected n*p = ${n * p}`);
  if (data.y.length !== n) throw bad(`y has length ${data.y.length}, expected ${n}`);
  if (data.weights && data.weights.length !== n)
    throw bad(`weights has length ${data.weights.length}, expected ${n}`);
  if (data.offset && data.offset.length !== n)
    throw bad(`offset has length ${data.offset.length}, expected ${n}`);
}

/** Rejects responses and weights that R's family$initialize would reject (clear message, row index). */
function validateValues(data: GlmNodeData, fam: GlmFamily, r0: number, r1: number): void {
  const invalid = (what: string) =>
    new StatsError(StatsErrorCode.InvalidArgument, `glm (${fam.name}): ${what}`);
  for (let i = r0; i < r1; i++) {
    const yi = data.y[i]!;
    const wi = data.weights ? data.weights[i]! : 1;
    if (!Number.isFinite(yi)) throw invalid(`y[${i}] = ${yi} is not finite`);
    if (!(wi >= 0) || !Number.isFinite(wi)) throw invalid(`weights[${i}] = ${wi} must be finite and >= 0`);
    const bad = fam.checkY(yi, wi);
    if (bad !== null) throw invalid(`y[${i}] = ${yi} ${bad}`);
  }
}

/**
 * Rows per chunk of a local partial. A node's partial is the sum, in chunk order, of the partials of its
 * chunks of GLM_CHUNK_ROWS rows, whether the chunks are computed in this thread or spread over worker
 * threads (stats' RowPool): the result does not depend on the number of threads.
 */
export const GLM_CHUNK_ROWS = 65_536;

/**
 * Local GLM partial at coefficients `beta` (null: R's starting values `mustart`, the first IRLS
 * round). One pass over the rows with no per-row allocation; the IRLS working weights and response
 * are W = w mu.eta^2 / V(mu) and z = eta - offset + (y - mu) / mu.eta, as in R's glm.fit.
 * Returns a flat Float64Array in {@link glmPartialLayout}: the sum of {@link glmRowsPartial} over the
 * chunks of {@link GLM_CHUNK_ROWS} rows.
 */
export function glmLocalPartial(
  data: GlmNodeData,
  family: GlmFamilySpec | GlmFamily,
  beta: Float64Array | null,
): Float64Array {
  validate(data);
  const total = new Float64Array(glmPartialSize(data.p));
  for (let r0 = 0; r0 < data.n; r0 += GLM_CHUNK_ROWS) {
    const chunk = glmRowsPartial(data, family, beta, r0, Math.min(data.n, r0 + GLM_CHUNK_ROWS));
    for (let k = 0; k < total.length; k++) total[k]! += chunk[k]!;
  }
  return total;
}

/** The partial of rows r0 .. r1-1 of `data` (see {@link glmLocalPartial}); errors name the row. */
export function glmRowsPartial(
  data: GlmNodeData,
  family: GlmFamilySpec | GlmFamily,
  beta: Float64Array | null,
  r0: number,
  r1: number,
): Float64Array {
  validate(data);
  if (!(Number.isInteger(r0) && Number.isInteger(r1) && 0 <= r0 && r0 <= r1 && r1 <= data.n))
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `glm: rows ${r0} .. ${r1} are not within 0 .. ${data.n}`,
    );
  const famObj = glmFamily(family);
  validateValues(data, famObj, r0, r1);
  const { x, p, y } = data;
  const w = data.weights ?? null;
  const off = data.offset ?? null;
  if (beta && beta.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `glmLocalPartial: beta has length ${beta.length}, expected ${p}`,
    );
  }
  const out = new Float64Array(glmPartialSize(p));
  const xtwzAt = p * p;
  const s = p * p + p;
  let deviance = 0;
  let aicSum = 0;
  let pearson = 0;
  let nObs = 0;
  let sumW = 0;
  let sumWY = 0;
  let boundary = 0;
  // Family-specialised inline arithmetic (R's linkinv, mu.eta, variance, dev.resids) keeps the row
  // loop free of calls and allocation. Rows go in blocks: first the working weight W and W z per row,
  // then X'WX and X'Wz accumulated four rows at a time (a quarter of the loads and stores on the
  // accumulators; about 3x faster in V8 than row by row).
  const kernel = famObj.kernel;
  const fam = kernel === 'logit' ? 1 : kernel === 'log-poisson' ? 2 : kernel === 'log-negbin' ? 3 : 0;
  const theta = famObj.theta;
  // the quasi families have no likelihood: their AIC piece is 0 (finite, for secure aggregation)
  const withAic = famObj.dispersion === 'fixed' || famObj.name === 'gaussian';
  const lfact = fam === 2 ? logFactorialTable() : null;
  const wwBuf = new Float64Array(BLOCK);
  const wzBuf = new Float64Array(BLOCK);
  for (let i0 = r0; i0 < r1; i0 += BLOCK) {
    const len = Math.min(BLOCK, r1 - i0);
    for (let r = 0; r < len; r++) {
      const i = i0 + r;
      const wi = w ? w[i]! : 1;
      const yi = y[i]!;
      const oi = off ? off[i]! : 0;
      let eta: number;
      if (beta) {
        eta = oi;
        const row = i * p;
        for (let j = 0; j < p; j++) eta += x[row + j]! * beta[j]!;
      } else {
        eta = famObj.linkfun(famObj.muStart(yi, wi));
      }
      let mu: number;
      let me: number;
      let v: number;
      if (fam === 1) {
        // R's logit linkinv and mu.eta (C_logit_linkinv, C_logit_mu_eta): exp(eta) within [-30, 30],
        // machine epsilon (or its inverse) outside, where mu is numerically 0 or 1 (R's boundary test)
        if (eta >= -30 && eta <= 30) {
          const e = Math.exp(eta);
          const ope = 1 + e;
          mu = e / ope;
          me = e / (ope * ope);
        } else {
          const e = eta < 0 ? DBL_EPS : 1 / DBL_EPS;
          mu = e / (1 + e);
          me = DBL_EPS;
          boundary++;
        }
        v = mu * (1 - mu);
        if (wi === 1 && (yi === 0 || yi === 1)) {
          // Binary response: dev.resid = -2 log-likelihood and the AIC piece is the log-likelihood.
          const ll = yi === 1 ? Math.log(mu) : Math.log1p(-mu);
          deviance -= 2 * ll;
          aicSum += ll;
        } else {
          deviance +=
            2 *
            wi *
            ((yi > 0 ? yi * Math.log(yi / mu) : 0) + (yi < 1 ? (1 - yi) * Math.log((1 - yi) / (1 - mu)) : 0));
          aicSum += famObj.aicTerm(yi, mu, wi);
        }
      } else if (fam === 2) {
        const e = Math.exp(eta);
        mu = Math.max(e, DBL_EPS);
        if (mu < BOUNDARY_EPS) boundary++;
        me = mu;
        v = mu;
        deviance += 2 * wi * ((yi > 0 ? yi * Math.log(yi / mu) : 0) - (yi - mu));
        const lf = Number.isInteger(yi) && yi >= 0 && yi < LFACT_SIZE ? lfact![yi]! : logGamma(yi + 1);
        aicSum += wi * ((yi > 0 ? yi * Math.log(mu) : 0) - mu - lf);
      } else if (fam === 3) {
        // MASS negative.binomial(theta), log link: V = mu + mu^2 / theta
        mu = Math.max(Math.exp(eta), DBL_EPS);
        me = mu;
        v = mu + (mu * mu) / theta;
        deviance +=
          2 *
          wi *
          (yi * Math.log(Math.max(1, yi) / mu) - (yi + theta) * Math.log((yi + theta) / (mu + theta)));
        aicSum += famObj.aicTerm(yi, mu, wi);
      } else {
        mu = eta;
        me = 1;
        v = 1;
        deviance += wi * (yi - mu) * (yi - mu);
        // R's gaussian AIC adds -sum(log(w)) over every row and so is Inf with a zero prior weight; the
        // rows with weight 0 take no part in the fit, so the AIC here is that of the weighted rows
        // (R's AIC of the same fit on subset(w > 0)), which masks and sums as a finite number
        if (wi > 0) aicSum += Math.log(wi);
      }
      pearson += (wi * (yi - mu) * (yi - mu)) / v;
      sumW += wi;
      sumWY += wi * yi;
      if (wi > 0) {
        nObs += 1;
        const ww = (wi * me * me) / v;
        wwBuf[r] = ww;
        wzBuf[r] = ww * (eta - oi + (yi - mu) / me);
      } else {
        wwBuf[r] = 0;
        wzBuf[r] = 0;
      }
    }
    accumulateCrossProducts(x, p, i0, len, wwBuf, wzBuf, out, xtwzAt);
  }
  out[s + GlmScalar.deviance] = deviance;
  out[s + GlmScalar.aicSum] = withAic ? aicSum : 0;
  out[s + GlmScalar.pearson] = pearson;
  out[s + GlmScalar.nObs] = nObs;
  out[s + GlmScalar.sumW] = sumW;
  out[s + GlmScalar.sumWY] = sumWY;
  out[s + GlmScalar.boundary] = boundary;
  return out;
}

/** Local partial of the deviance at a constant fitted value mu (null deviance without offset). */
export function glmNullDevianceLocalPartial(
  data: Pick<GlmNodeData, 'n' | 'y' | 'weights'>,
  family: GlmFamilySpec | GlmFamily,
  mu: number,
): Float64Array {
  const fam = glmFamily(family);
  let dev = 0;
  for (let i = 0; i < data.n; i++) dev += fam.devResid(data.y[i]!, mu, data.weights ? data.weights[i]! : 1);
  return Float64Array.of(dev);
}

/** Layout of {@link glmNullDevianceLocalPartial}: [deviance]. */
export function glmNullDeviancePartialLayout(): PartialLayout {
  return { kind: 'glm-null-deviance', fields: [{ name: 'deviance', shape: [] }] };
}
