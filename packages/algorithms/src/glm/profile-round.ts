/**
 * The GLM's profile-likelihood intervals (`ci: "profile"`, R's confint(fit)) as rounds after the fit: each round
 * the nodes send, for every coefficient and direction still being profiled, the additive IRLS partial of the
 * model with that coefficient fixed (its column in the offset); the aggregator steps each constrained refit
 * and, once converged, records R's profile point (see @fedhub/stats glmProfileStep). State and inputs are
 * JSON (the hub stores them between rounds).
 */
import { FedhubError } from '@fedhub/protocol';
import {
  type GlmControl,
  type GlmProfileChain,
  type GlmProfileRequest,
  type GlmProfileSetup,
  glmProfileIntervals,
  glmProfileRequests,
  glmProfileSetup,
  glmProfileStart,
  glmProfileStep,
} from '@fedhub/stats';

/** A profile chain as JSON (the IRLS state's arrays as plain arrays). */
export interface ProfileChainJson {
  col: number;
  sgn: -1 | 1;
  step: number;
  b: number;
  irls: {
    iter: number;
    beta: number[] | null;
    previousBeta: number[] | null;
    previousDeviance: number | null;
  };
  points: Array<{ b: number; z: number }>;
  done: boolean;
}

/** The aggregator's state while the profile rounds run. */
export interface ProfileState {
  setup: GlmProfileSetup;
  chains: ProfileChainJson[];
  rounds: number;
}

const toJson = (c: GlmProfileChain): ProfileChainJson => ({
  col: c.col,
  sgn: c.sgn,
  step: c.step,
  b: c.b,
  irls: {
    iter: c.irls.iter,
    beta: c.irls.beta ? Array.from(c.irls.beta) : null,
    previousBeta: c.irls.previousBeta ? Array.from(c.irls.previousBeta) : null,
    previousDeviance: Number.isFinite(c.irls.previousDeviance) ? c.irls.previousDeviance : null,
  },
  points: c.points.map((p) => ({ b: p.b, z: p.z })),
  done: c.done,
});
const fromJson = (c: ProfileChainJson): GlmProfileChain => ({
  ...c,
  irls: {
    iter: c.irls.iter,
    beta: c.irls.beta ? Float64Array.from(c.irls.beta) : null,
    previousBeta: c.irls.previousBeta ? Float64Array.from(c.irls.previousBeta) : null,
    previousDeviance: c.irls.previousDeviance ?? Number.NaN,
  },
});

/** The pooled fit's numbers the profile starts from. */
export interface PooledFit {
  family: string;
  coefficients: Array<{ estimate: number; stdError: number }>;
  deviance: number;
  dispersion: number;
  n: number;
}

/** The first profile round: its state and the nodes' requests. */
export function profileStart(fit: PooledFit): { state: ProfileState; requests: GlmProfileRequest[] } {
  const setup = glmProfileSetup({
    family: fit.family as 'binomial',
    estimate: Float64Array.from(fit.coefficients, (c) => c.estimate),
    stdError: Float64Array.from(fit.coefficients, (c) => c.stdError),
    deviance: fit.deviance,
    dispersion: fit.dispersion,
    nObs: fit.n,
  });
  const chains = glmProfileStart(setup);
  return { state: { setup, chains: chains.map(toJson), rounds: 0 }, requests: glmProfileRequests(chains) };
}

/** At most this many profile rounds (R's 9 grid steps a direction, each refit to R's IRLS limit, bound it). */
const MAX_ROUNDS = 400;

/**
 * One profile round from the summed partials: the next requests, or the intervals (NaN where the profile
 * did not reach the cutoff within R's 9 steps, as R's NA).
 */
export function profileStep(
  state: ProfileState,
  sum: Float64Array,
  control: GlmControl,
):
  | { done: false; state: ProfileState; requests: GlmProfileRequest[] }
  | { done: true; intervals: Array<{ col: number; lower: number; upper: number }>; rounds: number } {
  const chains = glmProfileStep(state.setup, state.chains.map(fromJson), sum, control);
  const rounds = state.rounds + 1;
  if (chains.every((c) => c.done))
    return { done: true, intervals: glmProfileIntervals(state.setup, chains), rounds };
  if (rounds >= MAX_ROUNDS)
    throw new FedhubError(
      'FH_ERR_ALGORITHM_FAILED',
      `ci = "profile": the constrained refits did not converge in ${MAX_ROUNDS} rounds; use ci = "wald"`,
      { parameter: 'ci' },
    );
  return {
    done: false,
    state: { setup: state.setup, chains: chains.map(toJson), rounds },
    requests: glmProfileRequests(chains),
  };
}
