/**
 * `chisq`: Pearson's chi-square test of independence of two categorical columns over the pooled table
 * (as R's chisq.test: Yates' continuity correction for 2 x 2 unless `correct` is false). Each node's
 * table passes the minimum-cell rule exactly as in `crosstab`, whose local half it reuses.
 */
import { ChisqResultSchema, type Json } from '@fedhub/protocol';
import { chiSquareIndependence } from '@fedhub/stats';
import { z } from 'zod';
import { CrosstabParamsSchema, crosstab } from '../crosstab/crosstab.js';
import { defineAlgorithm } from '../define-algorithm.js';

export const ChisqParamsSchema = CrosstabParamsSchema.extend({
  correct: z.boolean().default(true).describe("Yates' correction for 2 x 2 tables"),
});
export type ChisqParams = z.infer<typeof ChisqParamsSchema>;

export const chisq = defineAlgorithm<ChisqParams>({
  name: 'chisq',
  // 1.1.0: counts on the dictionary's grid, masked (crosstab 1.2.0)
  version: '1.1.0',
  title: 'Chi-square test of independence',
  description:
    "Pearson's chi-square test on the pooled contingency table of two categorical columns; equals R chisq.test.",
  paramsSchema: ChisqParamsSchema,
  resultSchema: ChisqResultSchema,
  releases: {
    pooled: 'the counts of every combination of two categorical columns (as crosstab)',
    perNode: null,
  },
  variables: (p) => crosstab.variables(p),
  firstInput: () => null,
  local: (ctx, params, input, round) => crosstab.local(ctx, params, input, round),
  toAdditive: (payload, params, ctx) => crosstab.toAdditive!(payload, params, ctx),
  aggregate(a) {
    const out = crosstab.aggregate(a);
    if (out.kind !== 'done') return out;
    const t = out.result as { rows: string[]; cols: string[]; counts: number[][] };
    const test = chiSquareIndependence(
      Float64Array.from(t.counts.flat()),
      t.rows.length,
      t.cols.length,
      a.params.correct,
    );
    return {
      kind: 'done',
      result: {
        ...(out.result as Record<string, Json>),
        algorithm: 'chisq',
        test: {
          statistic: test.statistic,
          df: test.df,
          pValue: test.pValue,
          yates: test.yates,
          expected: Array.from(test.expected),
        },
      },
    };
  },
});
