import { z } from 'zod';
import { ResultNodes, ResultNumber } from './common.js';

const crosstabFields = {
  rowVariable: z.string(),
  colVariable: z.string(),
  rows: z.array(z.string()),
  cols: z.array(z.string()),
  counts: z.array(z.array(ResultNumber)),
  rowTotals: z.array(ResultNumber),
  colTotals: z.array(ResultNumber),
  total: ResultNumber,
  nodes: ResultNodes,
};

/**
 * A `crosstab` result: the pooled two-way table with margins.
 *
 * @example
 * CrosstabResultSchema.parse({ algorithm: 'crosstab', rowVariable: 'sex', colVariable: 'stage', rows: [], cols: [], counts: [], rowTotals: [], colTotals: [], total: 0, nodes: [] });
 */
export const CrosstabResultSchema = z.looseObject({ algorithm: z.literal('crosstab'), ...crosstabFields });
export type CrosstabResult = z.infer<typeof CrosstabResultSchema>;

/** A `chisq` result: the crosstab and Pearson's test on it. */
export const ChisqResultSchema = z.looseObject({
  algorithm: z.literal('chisq'),
  ...crosstabFields,
  test: z.looseObject({
    statistic: ResultNumber,
    df: ResultNumber,
    pValue: ResultNumber,
    yates: z.boolean(),
  }),
});
export type ChisqResult = z.infer<typeof ChisqResultSchema>;
