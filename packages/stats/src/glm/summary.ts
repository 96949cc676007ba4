import { normalQuantile, normalTwoSided, studentTQuantile, studentTTwoSided } from '../distributions.js';
import { inverseSpdScaled, symmetrizeFromUpper } from '../linalg.js';
import { type GlmFamily, type GlmFamilyName, type GlmFamilySpec, glmFamily } from './family.js';
import { GlmScalar } from './partial.js';

/** Coefficient table and fit statistics of a GLM, matching R's summary.glm / confint.default. */
export interface GlmSummary {
  readonly family: GlmFamilyName;
  /** Negative binomial's theta (NaN for the other families). */
  readonly theta: number;
  readonly names: readonly string[];
  readonly estimate: Float64Array;
  readonly stdError: Float64Array;
  /** z value (dispersion fixed: binomial, poisson, negative binomial) or t value (gaussian, quasi). */
  readonly statistic: Float64Array;
  readonly statisticKind: 'z' | 't';
  /** Two-sided p-values (normal for z, Student t with dfResidual for t, as R's summary.glm). */
  readonly pValue: Float64Array;
  /**
   * 95% interval: gaussian estimate -/+ qt(0.975, df.residual) se (R's confint.lm, which is also the profile
   * interval of a gaussian GLM); other families the Wald interval estimate -/+ qnorm(0.975) se (confint.default).
   */
  readonly ciLower: Float64Array;
  readonly ciUpper: Float64Array;
  /** Variance-covariance matrix (row-major p x p), dispersion * (X'WX)^-1. */
  readonly covariance: Float64Array;
  readonly deviance: number;
  readonly nullDeviance: number;
  readonly aic: number;
  readonly dfResidual: number;
  readonly dfNull: number;
  readonly dispersion: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly nObs: number;
  /**
   * Rows whose fitted value is numerically 0 or 1 (binomial) or 0 (poisson) at the final coefficients:
   * R's "fitted probabilities numerically 0 or 1 occurred" / "fitted rates numerically 0 occurred", the
   * mark of (quasi-)complete separation, where some estimates are infinite and their Wald statistics
   * meaningless.
   */
  readonly boundaryRows: number;
}

/** Inputs to {@link glmSummarize} beyond the summed partial at the final coefficients. */
export interface GlmSummaryInput {
  readonly family: GlmFamilySpec | GlmFamily;
  readonly names: readonly string[];
  readonly beta: Float64Array;
  /** Summed GLM partial evaluated at `beta`. */
  readonly sum: Float64Array;
  readonly nullDeviance: number;
  readonly intercept: boolean;
  readonly iterations: number;
  readonly converged: boolean;
  /** Confidence level of the interval, default 0.95. */
  readonly level?: number;
}

/**
 * Derives R's summary from the summed partial at the final coefficients. The covariance uses X'WX
 * at the final beta (R's default reuses the previous iterate's weights, which agrees to ~1e-5;
 * the R fixtures refit with `start = coef(fit)` to get the same number).
 */
export function glmSummarize(input: GlmSummaryInput): GlmSummary {
  const { beta, sum } = input;
  const fam = glmFamily(input.family);
  const p = beta.length;
  const s = p * p + p;
  const deviance = sum[s + GlmScalar.deviance]!;
  const nObs = sum[s + GlmScalar.nObs]!;
  const dfResidual = nObs - p;
  const dfNull = nObs - (input.intercept ? 1 : 0);
  // R's summary.glm: the Pearson chi2 / df.residual where the family estimates the dispersion
  const dispersion = fam.dispersion === 'pearson' ? sum[s + GlmScalar.pearson]! / dfResidual : 1;
  const aic = fam.aic(sum[s + GlmScalar.aicSum]!, deviance, nObs, p);
  const tTests = fam.statistic === 't';
  const inv = p > 0 ? inverseSpdScaled(symmetrizeFromUpper(sum.slice(0, p * p), p), p) : new Float64Array();
  const covariance = inv.map((v) => v * dispersion);
  const stdError = new Float64Array(p);
  const statistic = new Float64Array(p);
  const pValue = new Float64Array(p);
  const ciLower = new Float64Array(p);
  const ciUpper = new Float64Array(p);
  const upperP = 1 - (1 - (input.level ?? 0.95)) / 2;
  const q = fam.name === 'gaussian' ? studentTQuantile(upperP, dfResidual) : normalQuantile(upperP);
  for (let j = 0; j < p; j++) {
    const se = Math.sqrt(covariance[j * p + j]!);
    stdError[j] = se;
    statistic[j] = beta[j]! / se;
    pValue[j] = tTests ? studentTTwoSided(statistic[j]!, dfResidual) : normalTwoSided(statistic[j]!);
    ciLower[j] = beta[j]! - q * se;
    ciUpper[j] = beta[j]! + q * se;
  }
  return {
    family: fam.name,
    theta: fam.theta,
    names: input.names,
    estimate: beta.slice(),
    stdError,
    statistic,
    statisticKind: fam.statistic,
    pValue,
    ciLower,
    ciUpper,
    covariance,
    deviance,
    nullDeviance: input.nullDeviance,
    aic,
    dfResidual,
    dfNull,
    dispersion,
    iterations: input.iterations,
    converged: input.converged,
    nObs,
    boundaryRows: sum[s + GlmScalar.boundary]!,
  };
}
