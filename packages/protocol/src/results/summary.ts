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
      /** The edges of the released bins: the requested breaks that no node's merge crossed. */
      breaks: z.array(z.number()),
      counts: z.array(ResultNumber),
      below: ResultNumber,
      above: ResultNumber,
      /** The breaks asked for, on the dictionary's release resolution (summary 1.4.0). */
      requestedBreaks: z.array(z.number()).optional(),
      /**
       * The requested bins the nodes merged to reach the minimum cell count: 1-based bin numbers (0 is
       * below the first requested break, k + 1 above the last) and the merged interval's edges (null:
       * unbounded). Empty when nothing was merged.
       */
      mergedBins: z
        .array(
          z.looseObject({
            bins: z.tuple([z.number(), z.number()]),
            from: z.number().nullable(),
            to: z.number().nullable(),
          }),
        )
        .optional(),
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
