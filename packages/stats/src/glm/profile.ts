import { normalQuantile, studentTQuantile } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { sumPartials } from '../partial.js';
import { defaultGlmControl, type GlmControl, type GlmIterationState, glmAggregateStep } from './aggregate.js';
import { glmColumnsSubset } from './anova.js';
import { type GlmFamily, type GlmFamilySpec, glmFamily } from './family.js';
import { type GlmNodeData, GlmScalar, glmLocalPartial, glmPartialSize } from './partial.js';
import type { GlmSummary } from './summary.js';

/**
 * Profile-likelihood confidence intervals of GLM coefficients, as R's `confint(glm)` (MASS 7.3
 * `profile.glm` + `confint.profile.glm`; in stats from R 4.4). For each coefficient j, R fixes beta_j at
 * beta_hat_j +/- k * del * se_j (k = 1, 2, ... while |z| < zmax and k < 10), refits the other coefficients
 * (beta_j x_j joins the offset), and takes the signed root z = sign * sqrt((D_k - D_hat) / dispersion).
 * The interval's ends are where an interpolating spline of z against beta_j crosses qnorm(0.025) and
 * qnorm(0.975) (R's `spline()` (fmm) on 3 x the points, then linear `approx()`).
 *
 * Federated, each constrained refit is ordinary IRLS: every round, each node sends the additive partial
 * (X_a' W X_a, X_a' W z, deviance) of the design without column j and with beta_j x_j in the offset, at the
 * aggregator's coefficients. The profile points are the same as R's (the same grid, each refit converged by
 * R's rule), and the interpolation is R's, so the interval equals R's, not the exact root of the profile
 * deviance (which differs from R's by up to ~1e-4 of the coefficient's scale). See docs/adr/0009.
 *
 * @example
 * const setup = glmProfileSetup(fit, 0.95);
 * // setup.zmax = qnorm(1 - 0.0125 / 2) for binomial/poisson; the grid step is zmax / 5 standard errors
 */

/** The profile of one coefficient in one direction (R's inner `while` loop). */
export interface GlmProfileChain {
  /** The coefficient (design column) profiled. */
  readonly col: number;
  /** -1 (down) or +1 (up). */
  readonly sgn: -1 | 1;
  /** Grid step k = 1, 2, ... of the point being fitted. */
  readonly step: number;
  /** The fixed value of the coefficient at this step. */
  readonly b: number;
  /** IRLS state of the refit of the other coefficients. */
  readonly irls: GlmIterationState;
  /** Profile points found so far: the fixed value and the signed root z. */
  readonly points: ReadonlyArray<{ readonly b: number; readonly z: number }>;
  readonly done: boolean;
}

/** Constants of a profile: R's zmax, grid step (in standard errors), and the fit it starts from. */
export interface GlmProfileSetup {
  readonly level: number;
  readonly zmax: number;
  readonly del: number;
  readonly maxsteps: number;
  readonly deviance: number;
  readonly dispersion: number;
  readonly estimate: readonly number[];
  readonly stdError: readonly number[];
}

/**
 * R's profile constants for `confint(fit, level)`: alpha = (1 - level) / 4; binomial and poisson profile z
 * with zmax = sqrt(qchisq(1 - alpha, 1)); the other families (gaussian, quasi, and the negative binomial,
 * whose family name "Negative Binomial(theta)" R's `switch` does not match) profile tau with
 * zmax = sqrt(qf(1 - alpha, 1, n - p)); the grid step is del = zmax / 5 standard errors.
 */
export function glmProfileSetup(
  fit: Pick<GlmSummary, 'family' | 'estimate' | 'stdError' | 'deviance' | 'dispersion' | 'nObs'>,
  level = 0.95,
): GlmProfileSetup {
  if (!(level > 0 && level < 1))
    throw new StatsError(StatsErrorCode.InvalidArgument, `profile: level ${level} is not in (0, 1)`);
  const alpha = (1 - level) / 4;
  const p = fit.estimate.length;
  const zmax =
    fit.family === 'binomial' || fit.family === 'poisson'
      ? normalQuantile(1 - alpha / 2)
      : studentTQuantile(1 - alpha / 2, fit.nObs - p);
  return {
    level,
    zmax,
    del: zmax / 5,
    maxsteps: 10,
    deviance: fit.deviance,
    dispersion: fit.dispersion,
    estimate: Array.from(fit.estimate),
    stdError: Array.from(fit.stdError),
  };
}

/** The coefficients of the refit without column `col` (the others, in design order). */
function without(beta: readonly number[], col: number): Float64Array {
  return Float64Array.from(beta.filter((_, j) => j !== col));
}

function chainAt(setup: GlmProfileSetup, col: number, sgn: -1 | 1, step: number, start: Float64Array) {
  return {
    col,
    sgn,
    step,
    b: setup.estimate[col]! + sgn * step * setup.del * setup.stdError[col]!,
    irls: { iter: 0, beta: start, previousBeta: null, previousDeviance: Number.NaN },
  };
}

/** The first chains: each coefficient down and up, each refit starting from the other coefficients' estimates. */
export function glmProfileStart(setup: GlmProfileSetup, cols?: readonly number[]): GlmProfileChain[] {
  const which = cols ?? setup.estimate.map((_, j) => j);
  return which.flatMap((col) =>
    ([-1, 1] as const).map((sgn) => ({
      ...chainAt(setup, col, sgn, 1, without(setup.estimate, col)),
      points: [],
      done: false,
    })),
  );
}

/** What the nodes evaluate for the chains still running: column, fixed value, coefficients of the others. */
export interface GlmProfileRequest {
  readonly col: number;
  readonly b: number;
  readonly beta: number[];
}

export function glmProfileRequests(chains: readonly GlmProfileChain[]): GlmProfileRequest[] {
  return chains
    .filter((c) => !c.done)
    .map((c) => ({ col: c.col, b: c.b, beta: Array.from(c.irls.beta ?? []) }));
}

/**
 * A node's partials for the requests, concatenated: for each, the GLM partial of the design without
 * column `col`, with b * x_col added to the offset, at `beta`.
 */
export function glmProfileLocalPartial(
  data: GlmNodeData,
  family: GlmFamilySpec | GlmFamily,
  requests: readonly GlmProfileRequest[],
): Float64Array {
  const { p, n } = data;
  const size = glmPartialSize(p - 1);
  const out = new Float64Array(size * requests.length);
  const subsets = new Map<number, GlmNodeData>();
  requests.forEach((r, k) => {
    if (!(Number.isInteger(r.col) && r.col >= 0 && r.col < p) || r.beta.length !== p - 1)
      throw new StatsError(StatsErrorCode.InvalidArgument, `profile: request ${k} does not fit ${p} columns`);
    let sub = subsets.get(r.col);
    if (sub === undefined) {
      sub = glmColumnsSubset(
        data,
        Array.from({ length: p }, (_, j) => j).filter((j) => j !== r.col),
      );
      subsets.set(r.col, sub);
    }
    const offset = new Float64Array(n);
    for (let i = 0; i < n; i++)
      offset[i] = (data.offset ? data.offset[i]! : 0) + data.x[i * p + r.col]! * r.b;
    out.set(glmLocalPartial({ ...sub, offset }, family, Float64Array.from(r.beta)), k * size);
  });
  return out;
}

/**
 * One aggregation step of every running chain from the summed partials of {@link glmProfileRequests} (in
 * that order): an IRLS step, or, when the refit has converged, its point (b, z) and the chain's next step.
 * Throws as R does when a refit's deviance is below the fit's by more than 1e-3 (the fit had not converged).
 */
export function glmProfileStep(
  setup: GlmProfileSetup,
  chains: readonly GlmProfileChain[],
  sum: Float64Array,
  control: GlmControl = defaultGlmControl,
): GlmProfileChain[] {
  const q = setup.estimate.length - 1;
  const size = glmPartialSize(q);
  const running = chains.filter((c) => !c.done).length;
  if (sum.length !== size * running)
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `profile: summed partials have length ${sum.length}, expected ${size * running}`,
    );
  let k = 0;
  return chains.map((c) => {
    if (c.done) return c;
    const part = sum.subarray(k * size, (k + 1) * size);
    k++;
    const st = glmAggregateStep(part, q, c.irls, control);
    if (!st.done) return { ...c, irls: st.state };
    const deviance = part[q * q + q + GlmScalar.deviance]!;
    let zz = (deviance - setup.deviance) / setup.dispersion;
    if (zz > -1e-3) zz = Math.max(zz, 0);
    else
      throw new StatsError(
        StatsErrorCode.NotConverged,
        'profile: a constrained refit has a lower deviance than the fit, so the fit had not converged',
      );
    const z = c.sgn * Math.sqrt(zz);
    const points = [...c.points, { b: c.b, z }];
    if (c.step + 1 < setup.maxsteps && Math.abs(z) < setup.zmax)
      return { ...chainAt(setup, c.col, c.sgn, c.step + 1, Float64Array.from(st.beta)), points, done: false };
    return { ...c, points, done: true };
  });
}

/** The profile-likelihood interval of each profiled coefficient, once every chain is done (R's confint.profile.glm). */
export function glmProfileIntervals(
  setup: GlmProfileSetup,
  chains: readonly GlmProfileChain[],
): Array<{ col: number; lower: number; upper: number }> {
  const cols = [...new Set(chains.map((c) => c.col))];
  const a = (1 - setup.level) / 2;
  const cutoff = [normalQuantile(a), normalQuantile(1 - a)];
  return cols.map((col) => {
    const pts = [
      { b: setup.estimate[col]!, z: 0 },
      ...chains.filter((c) => c.col === col).flatMap((c) => c.points),
    ].sort((u, v) => u.z - v.z);
    const sp = rSpline(
      pts.map((t) => t.b),
      pts.map((t) => t.z),
    );
    const [lower, upper] = cutoff.map((z) => rApprox(sp.y, sp.x, z));
    return { col, lower: lower!, upper: upper! };
  });
}

/**
 * R's `spline(x, y)` with its defaults: method "fmm" (Forsythe, Malcolm and Moler's end conditions), ties
 * averaged, evaluated at n = 3 x (unique x) equally spaced points from min(x) to max(x).
 */
export function rSpline(xIn: readonly number[], yIn: readonly number[]): { x: number[]; y: number[] } {
  const { x, y } = regularize(xIn, yIn);
  const nx = x.length;
  const n = 3 * nx;
  const { b, c, d } = fmmSplineCoef(x, y);
  const xout = Array.from({ length: n }, (_, i) =>
    i === 0 ? x[0]! : i === n - 1 ? x[nx - 1]! : x[0]! + (i * (x[nx - 1]! - x[0]!)) / (n - 1),
  );
  const yout = xout.map((u) => {
    // R's spline_eval: the interval i with x[i] <= u < x[i+1] (the first below x[0], the last above x[n-1])
    let i = 0;
    if (u >= x[0]!) {
      let lo = 0;
      let hi = nx;
      while (lo < hi - 1) {
        const mid = (lo + hi) >> 1;
        if (u < x[mid]!) hi = mid;
        else lo = mid;
      }
      i = lo;
    }
    const dx = u - x[i]!;
    return y[i]! + dx * (b[i]! + dx * (c[i]! + dx * d[i]!));
  });
  return { x: xout, y: yout };
}

/** R's `approx(x, y, xout)` (linear, rule 1: NaN outside the range, ties averaged). */
export function rApprox(xIn: readonly number[], yIn: readonly number[], xout: number): number {
  const { x, y } = regularize(xIn, yIn);
  const n = x.length;
  if (n === 0 || !(xout >= x[0]! && xout <= x[n - 1]!)) return Number.NaN;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi - 1) {
    const mid = (lo + hi) >> 1;
    if (xout < x[mid]!) hi = mid;
    else lo = mid;
  }
  if (xout === x[hi]) return y[hi]!;
  if (xout === x[lo]) return y[lo]!;
  return y[lo]! + ((y[hi]! - y[lo]!) * (xout - x[lo]!)) / (x[hi]! - x[lo]!);
}

/** R's regularize.values(x, y, mean): sorted by x, the y of tied x averaged, non-finite pairs dropped. */
function regularize(xIn: readonly number[], yIn: readonly number[]): { x: number[]; y: number[] } {
  const pairs = xIn
    .map((x, i) => [x, yIn[i]!] as const)
    .filter(([x, y]) => !Number.isNaN(x) && !Number.isNaN(y))
    .sort((u, v) => u[0] - v[0]);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    let s = 0;
    while (j < pairs.length && pairs[j]![0] === pairs[i]![0]) s += pairs[j++]![1];
    x.push(pairs[i]![0]);
    y.push(s / (j - i));
    i = j;
  }
  return { x, y };
}

/** R's fmm_spline (src/library/stats/src/splines.c), 0-based. */
function fmmSplineCoef(x: readonly number[], y: readonly number[]) {
  const n = x.length;
  const b = new Float64Array(n);
  const c = new Float64Array(n);
  const d = new Float64Array(n);
  if (n < 2) throw new StatsError(StatsErrorCode.InvalidArgument, 'spline: needs at least two points');
  if (n < 3) {
    b[0] = b[1] = (y[1]! - y[0]!) / (x[1]! - x[0]!);
    return { b, c, d };
  }
  const nm1 = n - 1;
  d[0] = x[1]! - x[0]!;
  c[1] = (y[1]! - y[0]!) / d[0]!;
  for (let i = 1; i < nm1; i++) {
    d[i] = x[i + 1]! - x[i]!;
    b[i] = 2 * (d[i - 1]! + d[i]!);
    c[i + 1] = (y[i + 1]! - y[i]!) / d[i]!;
    c[i] = c[i + 1]! - c[i]!;
  }
  b[0] = -d[0]!;
  b[nm1] = -d[n - 2]!;
  c[0] = c[nm1] = 0;
  if (n > 3) {
    c[0] = c[2]! / (x[3]! - x[1]!) - c[1]! / (x[2]! - x[0]!);
    c[nm1] = c[n - 2]! / (x[nm1]! - x[n - 3]!) - c[n - 3]! / (x[n - 2]! - x[n - 4]!);
    c[0] = (c[0]! * d[0]! * d[0]!) / (x[3]! - x[0]!);
    c[nm1] = (-c[nm1]! * d[n - 2]! * d[n - 2]!) / (x[nm1]! - x[n - 4]!);
  }
  for (let i = 1; i <= nm1; i++) {
    const t = d[i - 1]! / b[i - 1]!;
    b[i] = b[i]! - t * d[i - 1]!;
    c[i] = c[i]! - t * c[i - 1]!;
  }
  c[nm1] = c[nm1]! / b[nm1]!;
  for (let i = n - 2; i >= 0; i--) c[i] = (c[i]! - d[i]! * c[i + 1]!) / b[i]!;
  b[nm1] = (y[nm1]! - y[n - 2]!) / d[n - 2]! + d[n - 2]! * (c[n - 2]! + 2 * c[nm1]!);
  for (let i = 0; i < nm1; i++) {
    b[i] = (y[i + 1]! - y[i]!) / d[i]! - d[i]! * (c[i + 1]! + 2 * c[i]!);
    d[i] = (c[i + 1]! - c[i]!) / d[i]!;
    c[i] = 3 * c[i]!;
  }
  c[nm1] = 3 * c[nm1]!;
  d[nm1] = d[n - 2]!;
  return { b, c, d };
}

/**
 * The profile intervals over in-memory node datasets (tests, simulation): the same rounds as the federated
 * algorithm, each summing the nodes' {@link glmProfileLocalPartial}.
 */
export function glmProfileFederated(
  nodes: readonly GlmNodeData[],
  family: GlmFamilySpec | GlmFamily,
  fit: Pick<GlmSummary, 'family' | 'estimate' | 'stdError' | 'deviance' | 'dispersion' | 'nObs'>,
  options: { level?: number; control?: GlmControl } = {},
): { lower: number[]; upper: number[]; rounds: number } {
  glmFamily(family);
  const setup = glmProfileSetup(fit, options.level);
  let chains = glmProfileStart(setup);
  let rounds = 0;
  while (chains.some((c) => !c.done)) {
    if (++rounds > 2000) throw new StatsError(StatsErrorCode.NotConverged, 'profile: too many rounds');
    const req = glmProfileRequests(chains);
    chains = glmProfileStep(
      setup,
      chains,
      sumPartials(nodes.map((d) => glmProfileLocalPartial(d, family, req))),
      options.control,
    );
  }
  const iv = glmProfileIntervals(setup, chains);
  return { lower: iv.map((v) => v.lower), upper: iv.map((v) => v.upper), rounds };
}
