import { digamma, trigamma } from '../digamma.js';
import { logGamma } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';
import { sumPartials } from '../partial.js';
import { defaultGlmControl, glmSolveNormalEquations } from './aggregate.js';
import type { GlmFamilySpec } from './family.js';
import { glmNullDeviance, runGlmIterations } from './fit.js';
import { type GlmNodeData, GlmScalar, glmLocalPartial } from './partial.js';
import { type GlmSummary, glmSummarize } from './summary.js';

/**
 * Negative binomial regression with theta by maximum likelihood, as MASS::glm.nb: a Poisson fit first, then
 * rounds in which every node sends, at the aggregator's (beta, theta), the IRLS partial of the
 * negative.binomial(theta) family and the additive sums of theta's score and information (MASS's theta.ml),
 * and the aggregator takes one IRLS step for beta and one Newton step for theta together, until both settle.
 * The fixed point is glm.nb's (the joint maximum likelihood); only sums over rows leave a node.
 */

/** Offsets in the theta partial. */
export const NegBinThetaScalar = { sumW: 0, score: 1, info: 2, logLik: 3, moment: 4 } as const;
/** Length of the theta partial. */
export const NEGBIN_THETA_PARTIAL_SIZE = 5;

/**
 * One node's theta partial at coefficients `beta` and `theta` (NaN: only sumW and the moment sum, for the
 * starting value): sum w, MASS's score and info for theta, the log-likelihood, and sum w (y/mu - 1)^2.
 */
export function negBinThetaPartial(data: GlmNodeData, beta: Float64Array, theta: number): Float64Array {
  const { x, p, y, n } = data;
  const out = new Float64Array(NEGBIN_THETA_PARTIAL_SIZE);
  const withTheta = theta > 0 && Number.isFinite(theta);
  const lgTheta = withTheta ? logGamma(theta) : 0;
  const dgTheta = withTheta ? digamma(theta) : 0;
  const tgTheta = withTheta ? trigamma(theta) : 0;
  for (let i = 0; i < n; i++) {
    const w = data.weights ? data.weights[i]! : 1;
    if (!(w > 0)) continue;
    let eta = data.offset ? data.offset[i]! : 0;
    for (let j = 0; j < p; j++) eta += x[i * p + j]! * beta[j]!;
    const mu = Math.max(Math.exp(eta), 2.220446049250313e-16);
    const yi = y[i]!;
    out[NegBinThetaScalar.sumW]! += w;
    out[NegBinThetaScalar.moment]! += w * (yi / mu - 1) ** 2;
    if (!withTheta) continue;
    const tm = theta + mu;
    out[NegBinThetaScalar.score]! +=
      w * (digamma(theta + yi) - dgTheta + Math.log(theta) + 1 - Math.log(tm) - (yi + theta) / tm);
    out[NegBinThetaScalar.info]! +=
      w * (-trigamma(theta + yi) + tgTheta - 1 / theta + 2 / tm - (yi + theta) / (tm * tm));
    out[NegBinThetaScalar.logLik]! +=
      w *
      (logGamma(theta + yi) -
        lgTheta -
        logGamma(yi + 1) +
        theta * Math.log(theta) +
        (yi > 0 ? yi * Math.log(mu) : 0) -
        (theta + yi) * Math.log(tm));
  }
  return out;
}

/** The aggregator's state in the joint (beta, theta) rounds. */
export interface NegBinState {
  readonly beta: Float64Array;
  readonly theta: number;
  readonly previousDeviance: number;
  readonly iter: number;
}

/** MASS's starting theta from the theta partial at the Poisson fit: sum(w) / sum(w (y/mu - 1)^2). */
export function negBinStartTheta(thetaSum: Float64Array): number {
  return thetaSum[NegBinThetaScalar.sumW]! / thetaSum[NegBinThetaScalar.moment]!;
}

/** Outcome of one joint step. */
export type NegBinStep =
  | { readonly done: false; readonly state: NegBinState }
  | {
      readonly done: true;
      readonly converged: boolean;
      readonly state: NegBinState;
      readonly seTheta: number;
    };

/**
 * One joint step from the summed IRLS partial (family negative.binomial(state.theta) at state.beta) and the
 * summed theta partial at the same point: converged when the deviance changes by less than epsilon
 * relatively (R's rule) and theta's Newton step is below epsilon relatively; else beta's IRLS step and
 * theta's Newton step (MASS's theta.ml: theta = |theta| + score / info).
 */
export function negBinJointStep(
  irlsSum: Float64Array,
  thetaSum: Float64Array,
  p: number,
  state: NegBinState,
  control = { epsilon: 1e-10, maxit: 100 },
): NegBinStep {
  const dev = irlsSum[p * p + p + GlmScalar.deviance]!;
  const info = thetaSum[NegBinThetaScalar.info]!;
  const del = thetaSum[NegBinThetaScalar.score]! / info;
  const seTheta = 1 / Math.sqrt(info);
  if (!Number.isFinite(dev) || !Number.isFinite(del))
    throw new StatsError(StatsErrorCode.NotConverged, 'negative binomial: non-finite deviance or theta step');
  const settled =
    Math.abs(dev - state.previousDeviance) / (Math.abs(dev) + 0.1) < control.epsilon &&
    Math.abs(del) / state.theta < control.epsilon;
  if (settled) return { done: true, converged: true, state, seTheta };
  if (state.iter >= control.maxit) return { done: true, converged: false, state, seTheta };
  const theta = Math.abs(state.theta + del);
  return {
    done: false,
    state: {
      beta: glmSolveNormalEquations(irlsSum, p),
      theta,
      previousDeviance: dev,
      iter: state.iter + 1,
    },
  };
}

/** A negative binomial fit: the GLM summary at theta, and theta with its standard error. */
export interface NegBinSummary extends GlmSummary {
  readonly seTheta: number;
  /** 2 log-likelihood, as glm.nb's twologlik. */
  readonly twoLogLik: number;
  /** The joint rounds taken after the Poisson fit. */
  readonly thetaIterations: number;
}

/** Federated MASS::glm.nb over in-memory node datasets (for tests and simulation). */
export function fitGlmNegBinFederated(
  nodes: readonly GlmNodeData[],
  names: readonly string[],
  options: { intercept?: boolean } = {},
): NegBinSummary {
  const p = names.length;
  const poisson = runGlmIterations(
    nodes.map((d) => (b: Float64Array | null) => glmLocalPartial(d, 'poisson', b)),
    p,
    { control: defaultGlmControl },
  );
  const start = sumPartials(nodes.map((d) => negBinThetaPartial(d, poisson.beta, Number.NaN)));
  let state: NegBinState = {
    beta: poisson.beta,
    theta: negBinStartTheta(start),
    previousDeviance: Number.NaN,
    iter: 0,
  };
  for (;;) {
    const fam: GlmFamilySpec = { name: 'negative.binomial', theta: state.theta };
    const irlsSum = sumPartials(nodes.map((d) => glmLocalPartial(d, fam, state.beta)));
    const thetaSum = sumPartials(nodes.map((d) => negBinThetaPartial(d, state.beta, state.theta)));
    const step = negBinJointStep(irlsSum, thetaSum, p, state);
    if (!step.done) {
      state = step.state;
      continue;
    }
    const s = p * p + p;
    const intercept = options.intercept ?? names[0] === '(Intercept)';
    const nullDeviance = glmNullDeviance(
      nodes,
      fam,
      intercept,
      irlsSum[s + GlmScalar.sumW]!,
      irlsSum[s + GlmScalar.sumWY]!,
    );
    const g = glmSummarize({
      family: fam,
      names,
      beta: state.beta,
      sum: irlsSum,
      nullDeviance,
      intercept,
      iterations: poisson.iterations + state.iter,
      converged: step.converged,
    });
    return {
      ...g,
      seTheta: step.seTheta,
      twoLogLik: 2 * thetaSum[NegBinThetaScalar.logLik]!,
      thetaIterations: state.iter,
    };
  }
}
