import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

/** One column of a `summary` result. */
export const SummaryColumnSchema = z.looseObject({
  column: z.string(),
  n: ResultNumber,
  missing: ResultNumber,
  mean: ResultNumber,
  sd: ResultNumber,
  histogram: z
    .looseObject({
      breaks: z.array(z.number()),
      counts: z.array(ResultNumber),
      below: ResultNumber,
      above: ResultNumber,
    })
    .nullable(),
  /** Records per node, only where the study allows per-node breakdowns. */
  perNode: z.array(z.looseObject({ node: z.string(), n: ResultNumber })).optional(),
});

/**
 * A `summary` result: pooled n, missing, mean, sd and histograms per column.
 *
 * @example
 * SummaryResultSchema.parse({ algorithm: 'summary', nodes: ['A'], columns: [] });
 */
export const SummaryResultSchema = z.looseObject({
  algorithm: z.literal('summary'),
  nodes: ResultNodes,
  columns: z.array(SummaryColumnSchema),
});
export type SummaryResult = z.infer<typeof SummaryResultSchema>;
