import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const metrics = {
  n: ResultNumber,
  events: ResultNumber,
  concordance: ResultNumber,
  stdError: ResultNumber,
  ciLower: ResultNumber,
  ciUpper: ResultNumber,
};

/**
 * A `validate-survival` result: Harrell's C of a frozen Cox model, pooled, and per centre where the
 * study allows it.
 *
 * @example
 * ValidateSurvivalResultSchema.shape.algorithm.parse('validate-survival');
 */
export const ValidateSurvivalResultSchema = z.looseObject({
  algorithm: z.literal('validate-survival'),
  time: z.string(),
  event: z.string(),
  strata: z.string().nullable(),
  timeResolution: z.number(),
  scoreResolution: z.number(),
  pooled: z.looseObject(metrics),
  perCentre: z.array(z.looseObject({ centre: z.string(), ...metrics })).optional(),
  nodes: ResultNodes,
});
export type ValidateSurvivalResult = z.infer<typeof ValidateSurvivalResultSchema>;
