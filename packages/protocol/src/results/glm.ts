import { z } from 'zod';
import { CoefficientSchema, ResultNodes, ResultNumber } from './common.js';

/**
 * A `glm` result: coefficients, deviance and fit statistics as R's `summary(glm(...))`, and each centre's
 * own fit where the study allows it and `perCentre` was asked.
 *
 * @example
 * GlmResultSchema.shape.family.parse('binomial');
 */
export const GlmResultSchema = z.looseObject({
  algorithm: z.literal('glm'),
  formula: z.string(),
  family: z.enum(['gaussian', 'binomial', 'poisson', 'quasibinomial', 'quasipoisson', 'negative.binomial']),
  link: z.string(),
  /** z (dispersion fixed) or t on dfResidual (gaussian and the quasi families, dispersion estimated). */
  statistic: z.enum(['z', 't']).optional(),
  /** Negative binomial: theta by maximum likelihood, its standard error and 2 log-likelihood (MASS::glm.nb). */
  theta: ResultNumber.optional(),
  seTheta: ResultNumber.optional(),
  twoLogLik: ResultNumber.optional(),
  /** With `robust`: sandwich (HC0) or cluster-robust covariance and the coefficient table with it (z tests). */
  robust: z
    .looseObject({
      type: z.enum(['HC0', 'cluster-centre', 'cluster-column']),
      clusters: ResultNumber.optional(),
      covariance: z.array(ResultNumber),
      coefficients: z.array(CoefficientSchema),
    })
    .optional(),
  /** With `anova`: sequential likelihood-ratio tests of the terms, as R's anova(fit, test = "Chisq"). */
  anova: z
    .array(
      z.looseObject({
        term: z.string(),
        df: ResultNumber,
        deviance: ResultNumber,
        residDf: ResultNumber,
        residDeviance: ResultNumber,
        pValue: ResultNumber,
      }),
    )
    .optional(),
  /**
   * With `ci: "profile"`: the coefficients' ciLower/ciUpper are profile-likelihood intervals (R's confint(fit),
   * MASS profile.glm); null where the profile did not reach the cutoff (R's NA). Absent: Wald (t for gaussian).
   */
  ciMethod: z.enum(['wald', 'profile']).optional(),
  /** The rounds the profile took. */
  profileRounds: z.number().optional(),
  coefficients: z.array(CoefficientSchema),
  covariance: z.array(ResultNumber),
  deviance: ResultNumber,
  nullDeviance: ResultNumber,
  aic: ResultNumber,
  dfResidual: ResultNumber,
  dfNull: ResultNumber,
  dispersion: ResultNumber,
  iterations: z.number(),
  converged: z.boolean(),
  n: ResultNumber,
  nodes: ResultNodes,
  levels: z.record(z.string(), z.array(z.string())),
  perCentre: z
    .array(
      z.looseObject({
        centre: z.string(),
        n: ResultNumber,
        coefficients: z.array(CoefficientSchema).optional(),
        error: z.string().optional(),
      }),
    )
    .optional(),
});
export type GlmResult = z.infer<typeof GlmResultSchema>;
