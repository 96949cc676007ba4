import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const metrics = {
  n: ResultNumber,
  events: ResultNumber,
  auc: ResultNumber,
  brier: ResultNumber,
};

/**
 * A `validate` result: discrimination (AUC), calibration and Brier score of a frozen binary model,
 * pooled, and per centre where the study allows it.
 *
 * @example
 * ValidateResultSchema.shape.algorithm.parse('validate');
 */
export const ValidateResultSchema = z.looseObject({
  algorithm: z.literal('validate'),
  outcome: z.string(),
  scoreResolution: z.number(),
  pooled: z.looseObject({
    ...metrics,
    calibrationSlope: ResultNumber,
    calibrationInLarge: ResultNumber,
    hosmerLemeshow: z.unknown().optional(),
  }),
  perCentre: z.array(z.looseObject({ centre: z.string(), ...metrics })).optional(),
  nodes: ResultNodes,
});
export type ValidateResult = z.infer<typeof ValidateResultSchema>;
