import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/** One stratum x quantity of a `drl-survey` result. */
export const DrlStratumResultSchema = z.looseObject({
  exam: z.string(),
  group: z.string(),
  phantom: z.string(),
  quantity: z.string(),
  unit: z.string(),
  drl: ResultNumber,
  nFacilities: ResultNumber,
});

/**
 * A `drl-survey` result: diagnostic reference levels (75th percentile of facility medians) per stratum.
 *
 * @example
 * DrlSurveyResultSchema.shape.algorithm.parse('drl-survey');
 */
export const DrlSurveyResultSchema = z.looseObject({
  algorithm: z.literal('drl-survey'),
  method: z.string(),
  results: z.array(DrlStratumResultSchema),
  nodes: ResultNodes,
});
export type DrlSurveyResult = z.infer<typeof DrlSurveyResultSchema>;
