import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/**
 * A `ttest` result: Welch's or Student's two-sample t-test, or the paired t-test, as R's `t.test`.
 *
 * @example
 * TtestResultSchema.shape.algorithm.parse('ttest');
 */
export const TtestResultSchema = z.looseObject({
  algorithm: z.literal('ttest'),
  method: z.string(),
  column: z.string(),
  /** The grouping column (two-sample test) or, for the paired test, pairedWith. */
  group: z.string().optional(),
  pairedWith: z.string().optional(),
  alternative: z.enum(['two.sided', 'less', 'greater']).optional(),
  mu: z.number().optional(),
  groups: z.array(
    z.looseObject({ level: z.string(), n: ResultNumber, mean: ResultNumber, sd: ResultNumber }),
  ),
  statistic: ResultNumber,
  df: ResultNumber,
  pValue: ResultNumber,
  difference: ResultNumber,
  ciLower: ResultNumber,
  ciUpper: ResultNumber,
  confLevel: z.number(),
  nodes: ResultNodes,
});
export type TtestResult = z.infer<typeof TtestResultSchema>;
