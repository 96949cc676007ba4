import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/**
 * A `quantiles` result: R type-7 quantiles of one column, found by federated bisection.
 *
 * @example
 * QuantilesResultSchema.shape.algorithm.parse('quantiles');
 */
export const QuantilesResultSchema = z.looseObject({
  algorithm: z.literal('quantiles'),
  column: z.string(),
  type: z.number(),
  n: ResultNumber,
  quantiles: z.array(z.looseObject({ prob: z.number(), value: ResultNumber })),
  nodes: ResultNodes,
});
export type QuantilesResult = z.infer<typeof QuantilesResultSchema>;
