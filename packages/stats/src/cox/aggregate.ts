import { StatsError, StatsErrorCode } from '../errors.js';
import { solveSpdScaled } from '../linalg.js';
import { coxOffsets, coxStride, coxTriRow } from './partial.js';

/** Tie handling of the partial likelihood (R coxph `ties`). */
export const CoxTies = { efron: 'efron', breslow: 'breslow' } as const;
/** Union of the tie methods. */
export type CoxTies = (typeof CoxTies)[keyof typeof CoxTies];

/** Log partial likelihood, its gradient (score) and information (minus Hessian, row-major p x p). */
export interface CoxDerivatives {
  readonly loglik: number;
  readonly score: Float64Array;
  readonly information: Float64Array;
}

/**
 * Log partial likelihood, score and information at `beta` from the summed Cox partial (pure function
 * of the sum). Efron: for the l-th of d tied deaths (l = 0..d-1) the risk sums are reduced by
 * l/d of the deaths' sums; Breslow uses the full risk set d times.
 */
export function coxDerivatives(
  sum: Float64Array,
  p: number,
  beta: Float64Array,
  ties: CoxTies,
): CoxDerivatives {
  const stride = coxStride(p);
  if (sum.length % stride !== 0) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `cox aggregate: length ${sum.length} is not a multiple of ${stride}`,
    );
  }
  const K = sum.length / stride;
  const o = coxOffsets(p);
  let loglik = 0;
  const score = new Float64Array(p);
  const info = new Float64Array(p * p);
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    const d = sum[base + o.d]!;
    if (d === 0) continue;
    for (let j = 0; j < p; j++) {
      const xs = sum[base + o.xs + j]!;
      loglik += beta[j]! * xs;
      score[j]! += xs;
    }
    // Each of the d terms (Efron: c = l/d for l = 0..d-1; Breslow: c = 0, d times) is linear in c over s0 or
    // s0^2, so the d terms collapse into five scalar sums and the p^2 work is done once per grid point.
    const S0 = sum[base + o.s0]!;
    const D0 = sum[base + o.d0]!;
    let logs = 0;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    if (ties === 'efron') {
      const nTerms = Math.round(d);
      for (let l = 0; l < nTerms; l++) {
        const c = l / d;
        const s0 = S0 - c * D0;
        const inv = 1 / s0;
        const inv2 = inv * inv;
        logs += Math.log(s0);
        a0 += inv;
        a1 += c * inv;
        b0 += inv2;
        b1 += c * inv2;
        b2 += c * c * inv2;
      }
    } else {
      logs = d * Math.log(S0);
      a0 = d / S0;
      b0 = d / (S0 * S0);
    }
    loglik -= logs;
    for (let j = 0; j < p; j++) {
      const s1j = sum[base + o.s1 + j]!;
      const d1j = sum[base + o.d1 + j]!;
      score[j]! -= s1j * a0 - d1j * a1;
      const tj = coxTriRow(p, j);
      for (let m = j; m < p; m++) {
        const s1m = sum[base + o.s1 + m]!;
        const d1m = sum[base + o.d1 + m]!;
        info[j * p + m]! +=
          sum[base + o.s2 + tj + m]! * a0 -
          sum[base + o.d2 + tj + m]! * a1 -
          (s1j * s1m * b0 - (s1j * d1m + d1j * s1m) * b1 + d1j * d1m * b2);
      }
    }
  }
  for (let j = 0; j < p; j++) for (let m = j + 1; m < p; m++) info[m * p + j] = info[j * p + m]!;
  return { loglik, score, information: info };
}

/** coxph.control defaults: eps 1e-9 (relative change of the log-likelihood), iter.max 20. */
export interface CoxControl {
  readonly eps: number;
  readonly iterMax: number;
}
/** R's default {@link CoxControl}. */
export const defaultCoxControl: CoxControl = { eps: 1e-9, iterMax: 20 };

/** Aggregator state between Newton rounds, mirroring survival's coxfit6. */
export interface CoxIterationState {
  /** Point at which the nodes evaluate the next partial. */
  readonly evalBeta: Float64Array;
  /** Last accepted coefficients and their log-likelihood (NaN before the first round). */
  readonly beta: Float64Array;
  readonly loglik: number;
  /** Log-likelihood and score test at the initial beta, once known. */
  readonly loglikInitial: number;
  readonly scoreTest: number;
  readonly iter: number;
  readonly halving: boolean;
}

/** State before the first round (beta = 0, as coxph starts). */
export function coxInitialState(p: number, init?: Float64Array): CoxIterationState {
  const b = init ? init.slice() : new Float64Array(p);
  return {
    evalBeta: b,
    beta: b,
    loglik: Number.NaN,
    loglikInitial: Number.NaN,
    scoreTest: Number.NaN,
    iter: 0,
    halving: false,
  };
}

/** Result of one Cox aggregation step. */
export type CoxStepResult =
  | { readonly done: false; readonly state: CoxIterationState }
  | {
      readonly done: true;
      readonly converged: boolean;
      readonly state: CoxIterationState;
      readonly derivatives: CoxDerivatives;
    };

function newtonStep(beta: Float64Array, der: CoxDerivatives, p: number): Float64Array {
  const step = solveSpdScaled(der.information, p, der.score);
  return beta.map((b, j) => b + step[j]!);
}

/**
 * One Newton step as survival's coxfit6: converged when |1 - loglik_old / loglik_new| <= eps and the
 * last step was not a halving; a step that lowers the log-likelihood is halved towards the last
 * accepted beta. The score test is u' I^-1 u at the initial beta.
 */
export function coxAggregateStep(
  sum: Float64Array,
  p: number,
  ties: CoxTies,
  state: CoxIterationState,
  control: CoxControl = defaultCoxControl,
): CoxStepResult {
  const der = coxDerivatives(sum, p, state.evalBeta, ties);
  if (state.iter === 0) {
    const v = p > 0 ? solveSpdScaled(der.information, p, der.score) : new Float64Array();
    let sc = 0;
    for (let j = 0; j < p; j++) sc += der.score[j]! * v[j]!;
    const base: CoxIterationState = {
      ...state,
      loglik: der.loglik,
      loglikInitial: der.loglik,
      scoreTest: sc,
      iter: 1,
      halving: false,
    };
    if (p === 0 || control.iterMax === 0)
      return { done: true, converged: true, state: base, derivatives: der };
    return { done: false, state: { ...base, evalBeta: state.beta.map((b, j) => b + v[j]!) } };
  }
  const newlk = der.loglik;
  if (Math.abs(1 - state.loglik / newlk) <= control.eps && !state.halving) {
    return {
      done: true,
      converged: true,
      state: { ...state, beta: state.evalBeta, loglik: newlk },
      derivatives: der,
    };
  }
  if (state.iter >= control.iterMax) {
    return {
      done: true,
      converged: false,
      state: { ...state, beta: state.evalBeta, loglik: newlk },
      derivatives: der,
    };
  }
  if (newlk < state.loglik) {
    const half = state.evalBeta.map((b, j) => (b + state.beta[j]!) / 2);
    return { done: false, state: { ...state, evalBeta: half, iter: state.iter + 1, halving: true } };
  }
  return {
    done: false,
    state: {
      ...state,
      beta: state.evalBeta,
      loglik: newlk,
      evalBeta: newtonStep(state.evalBeta, der, p),
      iter: state.iter + 1,
      halving: false,
    },
  };
}
