import { z } from 'zod';
import { CoefficientSchema, ResultNodes, ResultNumber } from './common.js';

/**
 * A `coxph` result: coefficients with hazard ratios, the likelihood-ratio test and Harrell's C, as R's
 * `summary(coxph(...))` on the coarsened times.
 *
 * @example
 * CoxphResultSchema.shape.algorithm.parse('coxph');
 */
export const CoxphResultSchema = z.looseObject({
  algorithm: z.literal('coxph'),
  formula: z.string(),
  ties: z.string(),
  coefficients: z.array(CoefficientSchema),
  concordance: z.looseObject({ value: ResultNumber }),
  n: ResultNumber,
  events: ResultNumber,
  nodes: ResultNodes,
});
export type CoxphResult = z.infer<typeof CoxphResultSchema>;
