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
  family: z.enum(['gaussian', 'binomial', 'poisson']),
  link: z.string(),
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
