import { chiSquareCdf, normalQuantile, normalTwoSided } from '../distributions.js';
import { inverseSpdScaled } from '../linalg.js';
import type { CoxDerivatives, CoxIterationState } from './aggregate.js';

/** coxph.control's defaults: eps 1e-9 and toler.inf = sqrt(eps). */
const TOLER_INF = Math.sqrt(1e-9);

/** R's summary.coxph numbers. */
export interface CoxSummary {
  readonly names: readonly string[];
  readonly coef: Float64Array;
  readonly hazardRatio: Float64Array;
  /** Standard errors from the inverse information at the final beta. */
  readonly stdError: Float64Array;
  readonly z: Float64Array;
  readonly pValue: Float64Array;
  /** 95% interval of the hazard ratio, exp(coef -/+ qnorm(0.975) se). */
  readonly hrLower: Float64Array;
  readonly hrUpper: Float64Array;
  readonly covariance: Float64Array;
  /** [initial, final] log partial likelihood, as coxph's `loglik`. */
  readonly loglik: readonly [number, number];
  readonly likelihoodRatio: number;
  readonly wald: number;
  readonly score: number;
  readonly df: number;
  readonly likelihoodRatioP: number;
  readonly waldP: number;
  readonly scoreP: number;
  readonly iterations: number;
  /** False also when a coefficient diverges (see `infinite`), though the log-likelihood settled. */
  readonly converged: boolean;
  /**
   * Per coefficient, 1 where the likelihood is monotone in it (survival's coxph warning "Loglik
   * converged before variable j; coefficient may be infinite"): |(u' V)_j| > eps and > sqrt(eps_machine) |beta_j|
   * with u the score and V the inverse information at the final beta
   * (eps = 1e-9).
   */
  readonly infinite: Uint8Array;
}

/** Derives the coxph summary from the final state and derivatives of the Newton iteration. */
export function coxSummarize(
  names: readonly string[],
  state: CoxIterationState,
  derivatives: CoxDerivatives,
  converged: boolean,
  level = 0.95,
): CoxSummary {
  const p = names.length;
  const beta = state.beta;
  const cov = inverseSpdScaled(derivatives.information, p);
  const q = normalQuantile(1 - (1 - level) / 2);
  const se = new Float64Array(p);
  const z = new Float64Array(p);
  const pv = new Float64Array(p);
  const lo = new Float64Array(p);
  const hi = new Float64Array(p);
  let wald = 0;
  for (let j = 0; j < p; j++) {
    se[j] = Math.sqrt(cov[j * p + j]!);
    z[j] = beta[j]! / se[j]!;
    pv[j] = normalTwoSided(z[j]!);
    lo[j] = Math.exp(beta[j]! - q * se[j]!);
    hi[j] = Math.exp(beta[j]! + q * se[j]!);
  }
  // Wald test b' I b (I = information at the final beta, the inverse of the covariance).
  for (let j = 0; j < p; j++)
    for (let m = 0; m < p; m++) wald += beta[j]! * derivatives.information[j * p + m]! * beta[m]!;
  const lrt = 2 * (state.loglik - state.loglikInitial);
  // survival's coxph.fit test for infinite coefficients (control eps 1e-9, toler.inf sqrt(eps))
  const infinite = new Uint8Array(p);
  for (let j = 0; j < p; j++) {
    let uv = 0;
    for (let m = 0; m < p; m++) uv += derivatives.score[m]! * cov[m * p + j]!;
    const a = Math.abs(uv);
    if (!Number.isFinite(derivatives.score[j]!) || (a > 1e-9 && a > TOLER_INF * Math.abs(beta[j]!)))
      infinite[j] = 1;
  }
  return {
    names,
    coef: beta.slice(),
    hazardRatio: beta.map(Math.exp),
    stdError: se,
    z,
    pValue: pv,
    hrLower: lo,
    hrUpper: hi,
    covariance: cov,
    loglik: [state.loglikInitial, state.loglik],
    likelihoodRatio: lrt,
    wald,
    score: state.scoreTest,
    df: p,
    likelihoodRatioP: chiSquareCdf(lrt, p, false),
    waldP: chiSquareCdf(wald, p, false),
    scoreP: chiSquareCdf(state.scoreTest, p, false),
    iterations: state.iter,
    converged: converged && !infinite.includes(1),
    infinite,
  };
}
