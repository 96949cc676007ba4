import { StatsError, StatsErrorCode } from '../errors.js';
import { solveSpdScaled, symmetrizeFromUpper } from '../linalg.js';
import { GlmScalar, glmPartialSize } from './partial.js';

/** R's glm.control defaults: epsilon 1e-8, maxit 25. */
export interface GlmControl {
  readonly epsilon: number;
  readonly maxit: number;
}
/** R's default {@link GlmControl}. */
export const defaultGlmControl: GlmControl = { epsilon: 1e-8, maxit: 25 };

/**
 * Aggregator state between IRLS rounds. `beta` is the point at which the nodes evaluate the next
 * partial (null: R's `mustart`); `iter` is R's iteration counter for that point.
 */
export interface GlmIterationState {
  readonly iter: number;
  readonly beta: Float64Array | null;
  readonly previousBeta: Float64Array | null;
  readonly previousDeviance: number;
}

/** The state before the first round (nodes evaluate at R's starting values). */
export function glmInitialState(): GlmIterationState {
  return { iter: 0, beta: null, previousBeta: null, previousDeviance: Number.NaN };
}

/** Result of one aggregation step. */
export type GlmStepResult =
  | { readonly done: false; readonly state: GlmIterationState }
  | { readonly done: true; readonly converged: boolean; readonly beta: Float64Array; readonly iter: number };

function check(sum: Float64Array, p: number): void {
  if (sum.length !== glmPartialSize(p)) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `glm aggregate: summed partial has length ${sum.length}, expected ${glmPartialSize(p)} for p = ${p}`,
    );
  }
}

/** Solves the weighted least squares normal equations XtWX b = XtWz from a summed partial. */
export function glmSolveNormalEquations(sum: Float64Array, p: number): Float64Array {
  check(sum, p);
  const xtwx = symmetrizeFromUpper(sum.slice(0, p * p), p);
  // scaled to a unit diagonal first, so covariates in extreme units (5e6, 5e-7) solve as R's QR does
  return solveSpdScaled(xtwx, p, sum.subarray(p * p, p * p + p).slice());
}

/**
 * One IRLS/Newton aggregation step as in R's glm.fit: given the summed partial at `state.beta`,
 * test convergence |dev - dev_old| / (|dev| + 0.1) < epsilon; otherwise solve for the next beta.
 * A non-finite deviance halves the step towards the previous beta (R's step-halving).
 */
export function glmAggregateStep(
  sum: Float64Array,
  p: number,
  state: GlmIterationState,
  control: GlmControl = defaultGlmControl,
): GlmStepResult {
  check(sum, p);
  const dev = sum[p * p + p + GlmScalar.deviance]!;
  if (state.beta !== null) {
    if (!Number.isFinite(dev)) {
      if (!state.previousBeta) {
        throw new StatsError(
          StatsErrorCode.NotConverged,
          'glm: non-finite deviance and no previous coefficients',
        );
      }
      const half = state.beta.map((b, j) => (b + state.previousBeta![j]!) / 2);
      return { done: false, state: { ...state, beta: half } };
    }
    if (Math.abs(dev - state.previousDeviance) / (Math.abs(dev) + 0.1) < control.epsilon) {
      return { done: true, converged: true, beta: state.beta, iter: state.iter };
    }
    if (state.iter >= control.maxit)
      return { done: true, converged: false, beta: state.beta, iter: state.iter };
  }
  const next = glmSolveNormalEquations(sum, p);
  return {
    done: false,
    state: { iter: state.iter + 1, beta: next, previousBeta: state.beta, previousDeviance: dev },
  };
}
