import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/** One Kaplan–Meier curve (times in the time column's unit). */
export const KmCurveSchema = z.looseObject({
  group: z.string(),
  time: z.array(ResultNumber),
  nRisk: z.array(ResultNumber),
  nEvent: z.array(ResultNumber),
  nCensor: z.array(ResultNumber),
  surv: z.array(ResultNumber),
  lower: z.array(ResultNumber),
  upper: z.array(ResultNumber),
  median: ResultNumber,
});

/**
 * A `km` result: survival curves per group on the coarsened time grid, and the log-rank test.
 *
 * @example
 * KmResultSchema.shape.algorithm.parse('km');
 */
export const KmResultSchema = z.looseObject({
  algorithm: z.literal('km'),
  time: z.string(),
  event: z.string(),
  group: z.string().nullable(),
  curves: z.array(KmCurveSchema),
  logRank: z.looseObject({ chisq: ResultNumber, df: ResultNumber, pValue: ResultNumber }).nullable(),
  nodes: ResultNodes,
});
export type KmResult = z.infer<typeof KmResultSchema>;
