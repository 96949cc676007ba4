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

/**
 * A `chisq` result: the crosstab (missing values dropped unless kept) and Pearson's test on it (null when
 * fewer than two rows or columns remain), Fisher's exact test where asked, and coded warnings.
 */
export const ChisqResultSchema = z.looseObject({
  algorithm: z.literal('chisq'),
  ...crosstabFields,
  test: z
    .looseObject({
      statistic: ResultNumber,
      df: ResultNumber,
      pValue: ResultNumber,
      yates: z.boolean(),
    })
    .nullable(),
  fisher: z
    .looseObject({
      pValue: ResultNumber,
      oddsRatio: ResultNumber,
      ciLower: ResultNumber,
      ciUpper: ResultNumber,
    })
    .nullable()
    .optional(),
  warnings: z.array(z.looseObject({ code: z.string(), message: z.string() })).optional(),
});
export type ChisqResult = z.infer<typeof ChisqResultSchema>;
