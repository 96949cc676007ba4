/**
 * `chisq`: Pearson's chi-square test of independence of two categorical columns over the pooled table
 * (as R's chisq.test: Yates' continuity correction for 2 x 2 unless `correct` is false), and on request
 * Fisher's exact test on the same pooled table (R's fisher.test). As R's `chisq.test(table(x, y))`,
 * records with a missing value in either column are dropped unless `keepMissing` makes "(missing)" a
 * level; a warning says when expected counts fall under 5. Each node's table passes the minimum-cell
 * rule exactly as in `crosstab`, whose local half it reuses.
 */

import { ChisqResultSchema, type Json, type ResultWarning, resultWarning } from '@fedhub/protocol';
import { chiSquareIndependence, fisherExact } from '@fedhub/stats';
import { z } from 'zod';
import { examples } from '../common-params.js';
import { CrosstabParamsSchema, crosstab, MISSING_LEVEL } from '../crosstab/crosstab.js';
import { defineAlgorithm } from '../define-algorithm.js';

export const ChisqParamsSchema = CrosstabParamsSchema.extend({
  correct: z.boolean().default(true).describe("Yates' correction for 2 x 2 tables").meta(examples(true)),
  keepMissing: z
    .boolean()
    .default(false)
    .describe('Count missing values as a level of their own (R drops them: the default)')
    .meta(examples(false)),
  exact: z
    .boolean()
    .default(false)
    .describe("Also run Fisher's exact test on the pooled table")
    .meta(examples(true)),
});
export type ChisqParams = z.infer<typeof ChisqParamsSchema>;

interface PooledTable {
  rows: string[];
  cols: string[];
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
}

/** The pooled table without the "(missing)" level and without rows or columns left empty. */
export function dropMissing(t: PooledTable): PooledTable & { missingDropped: number } {
  const keepRows = t.rows.map((r) => r !== MISSING_LEVEL);
  const keepCols = t.cols.map((c) => c !== MISSING_LEVEL);
  const rowSum = (i: number) => t.counts[i]!.reduce((a, v, j) => a + (keepCols[j] ? v : 0), 0);
  const colSum = (j: number) => t.counts.reduce((a, r, i) => a + (keepRows[i] ? r[j]! : 0), 0);
  const rows = t.rows.map((_, i) => i).filter((i) => keepRows[i] && rowSum(i) > 0);
  const cols = t.cols.map((_, j) => j).filter((j) => keepCols[j] && colSum(j) > 0);
  const counts = rows.map((i) => cols.map((j) => t.counts[i]![j]!));
  const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const colTotals = cols.map((_, j) => counts.reduce((a, r) => a + r[j]!, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  return {
    rows: rows.map((i) => t.rows[i]!),
    cols: cols.map((j) => t.cols[j]!),
    counts,
    rowTotals,
    colTotals,
    total,
    missingDropped: t.total - total,
  };
}

export const chisq = defineAlgorithm<ChisqParams>({
  name: 'chisq',
  // 1.1.0: missing values dropped by default, warning on small expected counts, Fisher's exact test
  // 1.2.0: counts on the dictionary's grid, masked (crosstab 1.2.0)
  version: '1.2.0',
  title: 'Chi-square test of independence',
  description:
    "Pearson's chi-square test (and Fisher's exact test) on the pooled contingency table of two categorical columns; equals R chisq.test and fisher.test.",
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
    const pooled = out.result as unknown as PooledTable;
    const t = a.params.keepMissing ? { ...pooled, missingDropped: 0 } : dropMissing(pooled);
    const warnings: ResultWarning[] = [];
    if (t.missingDropped > 0)
      warnings.push(
        resultWarning(
          'FH_WARN_MISSING_DROPPED',
          `${t.missingDropped} records with "${a.params.rows}" or "${a.params.cols}" missing (keepMissing counts them as a level)`,
        ),
      );
    if (t.rows.length < 2 || t.cols.length < 2) {
      return {
        kind: 'done',
        result: {
          ...(out.result as Record<string, Json>),
          ...t,
          algorithm: 'chisq',
          test: null,
          fisher: null,
          warnings: [
            ...warnings,
            resultWarning('FH_WARN_SMALL_EXPECTED', 'the table has fewer than two rows or columns: no test'),
          ],
        } as unknown as Json,
      };
    }
    const flat = Float64Array.from(t.counts.flat());
    const test = chiSquareIndependence(flat, t.rows.length, t.cols.length, a.params.correct);
    const small = test.expected.filter((e) => e < 5).length;
    if (small > 0)
      warnings.push(
        resultWarning(
          'FH_WARN_SMALL_EXPECTED',
          `${small} of ${test.expected.length} cells${a.params.exact ? '' : " (exact: true gives Fisher's exact test)"}`,
        ),
      );
    let fisher: Json = null;
    if (a.params.exact) {
      const f = fisherExact(flat, t.rows.length, t.cols.length);
      fisher = f
        ? { pValue: f.pValue, oddsRatio: f.oddsRatio, ciLower: f.ciLower, ciUpper: f.ciUpper }
        : { pValue: null, oddsRatio: null, ciLower: null, ciUpper: null, tooLarge: true };
    }
    return {
      kind: 'done',
      result: {
        ...(out.result as Record<string, Json>),
        rows: t.rows,
        cols: t.cols,
        counts: t.counts,
        rowTotals: t.rowTotals,
        colTotals: t.colTotals,
        total: t.total,
        missingDropped: t.missingDropped,
        algorithm: 'chisq',
        test: {
          statistic: test.statistic,
          df: test.df,
          pValue: test.pValue,
          yates: test.yates,
          expected: Array.from(test.expected),
        },
        fisher,
        warnings,
      } as unknown as Json,
    };
  },
});
