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
  quantiles: z.array(
    z.looseObject({
      prob: z.number(),
      value: ResultNumber,
      /** With `ci`: the interval's ends (null where unbounded or withheld, the reason in ciLowerWithheld / ciUpperWithheld). */
      ciLower: ResultNumber.optional(),
      ciUpper: ResultNumber.optional(),
      /** The interval's exact binomial coverage (at least the level). */
      ciCoverage: ResultNumber.optional(),
    }),
  ),
  nodes: ResultNodes,
});
export type QuantilesResult = z.infer<typeof QuantilesResultSchema>;
