/**
 * `ttest`: two-sample t-test (Welch by default, or pooled variance) of a numeric column between two levels
 * of a grouping column, or the paired t-test of two numeric columns of the same rows (`pairedWith`: each node
 * forms the per-row differences), two-sided or one-sided, as R's t.test. Round 1 sums n and x per group
 * (secure-aggregated), round 2 the squared deviations from the pooled group means, so the variances are
 * exact to rounding.
 */
import { FedhubError, type Json, TtestResultSchema } from '@fedhub/protocol';
import { momentsFromShiftedSums, oneSampleTTest, twoSampleTTest } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type AggregateOutcome, type DatasetHandle, release } from '../types.js';

export const TtestParamsSchema = z
  .strictObject({
    dataset: DatasetParam,
    column: columnParam('numeric', 'Numeric outcome', 'dose_gy'),
    group: columnParam('categorical', 'Grouping column (two-sample test)', 'sex').optional(),
    pairedWith: columnParam(
      'numeric',
      'Second numeric column of the same rows: the paired t-test of column - pairedWith (R: t.test(x, y, paired = TRUE))',
      'age',
    ).optional(),
    alternative: z
      .enum(['two.sided', 'less', 'greater'])
      .default('two.sided')
      .describe('Alternative hypothesis: the difference is not mu, less than mu, or greater than mu')
      .meta(examples('greater')),
    mu: z.number().default(0).describe('The difference under the null hypothesis').meta(examples(0)),
    levels: z
      .tuple([z.string(), z.string()])
      .optional()
      .describe(
        'The two groups compared (group 1 - group 2); required if the column has more than two levels',
      )
      .meta(paramMeta({ widget: 'levels', levelsOf: 'group', count: 2, examples: [['F', 'M']] })),
    pooled: z
      .boolean()
      .default(false)
      .describe('Pooled-variance test instead of Welch')
      .meta(examples(false)),
    confLevel: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.95)
      .describe('Confidence level of the interval of the difference')
      .meta(examples(0.95)),
    filter: FilterParam,
  })
  .refine((p) => (p.group === undefined) !== (p.pairedWith === undefined), {
    message: 'give either "group" (two groups of rows) or "pairedWith" (two columns of the same rows)',
    path: ['group'],
  });
export type TtestParams = z.infer<typeof TtestParamsSchema>;

function levelsOf(ds: DatasetHandle, p: TtestParams): [string, string] {
  if (p.levels) return p.levels;
  const spec = ds.column(p.group!);
  if (spec.levels?.length === 2) return [spec.levels[0]!, spec.levels[1]!];
  throw new FedhubError('FH_ERR_BAD_PARAMS', `give "levels": the two groups of "${p.group}" to compare`, {
    column: p.group!,
  });
}

function assertNumeric(ds: DatasetHandle, column: string): void {
  const t = ds.column(column).type;
  if (t !== 'numeric' && t !== 'integer')
    throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${column}" is ${t}, not numeric`, { column });
}

/** The per-row differences column - pairedWith, over the rows where both are present. */
async function differences(ds: DatasetHandle, p: TtestParams): Promise<Float64Array> {
  assertNumeric(ds, p.column);
  assertNumeric(ds, p.pairedWith!);
  const { data } = await ds.readColumns([p.column, p.pairedWith!], p.filter);
  const x = data[p.column] as Float64Array;
  const y = data[p.pairedWith!] as Float64Array;
  return x.map((v, i) => v - y[i]!);
}

async function groups(
  ds: DatasetHandle,
  p: TtestParams,
): Promise<{ a: Float64Array; b: Float64Array; levels: [string, string] }> {
  assertNumeric(ds, p.column);
  const [a, b] = levelsOf(ds, p);
  const { data } = await ds.readColumns([p.column, p.group!], p.filter);
  const x = data[p.column] as Float64Array;
  const g = data[p.group!]!;
  const label = (i: number) => String(g instanceof Float64Array ? g[i] : g[i]);
  const xa: number[] = [];
  const xb: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const l = label(i);
    if (l === a) xa.push(x[i]!);
    else if (l === b) xb.push(x[i]!);
  }
  return { a: Float64Array.from(xa), b: Float64Array.from(xb), levels: [a, b] };
}

export const ttest = defineAlgorithm<TtestParams>({
  name: 'ttest',
  // 1.1.0: the result names the two levels compared (from the parameters or the data dictionary)
  // 1.2.0: one-sided alternatives, mu, and the paired test (pairedWith)
  version: '1.2.0',
  title: 't-test',
  description:
    "Welch's or pooled-variance t-test of a numeric column between two groups, or the paired t-test of two columns, two- or one-sided, pooled across nodes; equals R t.test.",
  paramsSchema: TtestParamsSchema,
  resultSchema: TtestResultSchema,
  releases: {
    pooled:
      'per group (paired: of the per-row differences): number of records, sum, then sum of squared deviations from the pooled mean (secure-aggregated)',
    perNode: null,
  },
  variables: (p) => ({ dataset: p.dataset, columns: [p.column, (p.group ?? p.pairedWith)!] }),
  firstInput: () => ({ shift: null }),
  async local(ctx, params, input) {
    const ds = await ctx.dataset(params.dataset);
    const shift = (input as { shift: [number, number] | null }).shift;
    const sums = (x: Float64Array, c: number) => {
      let s1 = 0;
      let s2 = 0;
      for (const v of x) {
        s1 += v - c;
        s2 += (v - c) * (v - c);
      }
      return [x.length, s1, s2];
    };
    if (params.pairedWith !== undefined) {
      // the per-row differences never leave the node: only their count and sums do
      const dif = await differences(ds, params);
      const vec = shift ? sums(dif, shift[0]) : [dif.length, sums(dif, 0)[1]!];
      return release({ [ADDITIVE_FIELD]: vec } as Json, {
        subsetSize: dif.length,
        cells: [{ label: 'records with both columns', count: dif.length, kind: 'records' }],
      });
    }
    const { a, b, levels } = await groups(ds, params);
    const vec = shift
      ? [...sums(a, shift[0]), ...sums(b, shift[1])]
      : [a.length, sums(a, 0)[1]!, b.length, sums(b, 0)[1]!];
    // the two levels compared come from the parameters or the data dictionary, never from the data
    return release({ [ADDITIVE_FIELD]: vec, levels } as Json, {
      subsetSize: a.length + b.length,
      cells: [
        { label: `records of the first group of ${params.group}`, count: a.length, kind: 'group' },
        { label: `records of the second group of ${params.group}`, count: b.length, kind: 'group' },
      ],
    });
  },
  aggregate({ params, round, state, parts }) {
    const sum = sumAdditive(parts);
    if (params.pairedWith !== undefined) return aggregatePaired(params, round, state, sum, parts);
    if (round === 1) {
      if (sum[0]! < 2 || sum[2]! < 2)
        throw new FedhubError(
          'FH_ERR_SMALL_SUBSET',
          'each group needs at least two records across the nodes',
        );
      const shift = [sum[1]! / sum[0]!, sum[3]! / sum[2]!];
      const first = parts[0]?.payload as { levels?: [string, string] } | undefined;
      const levels = params.levels ?? first?.levels ?? null;
      return { kind: 'next-round', input: { shift } as Json, state: { shift, levels } as Json };
    }
    const { shift, levels } = state as { shift: [number, number]; levels?: [string, string] | null };
    const [sa, sb] = shift;
    const a = momentsFromShiftedSums(sum.subarray(0, 3), sa);
    const b = momentsFromShiftedSums(sum.subarray(3, 6), sb);
    const t = twoSampleTTest(a, b, params.pooled, params.confLevel, params.alternative, params.mu);
    return {
      kind: 'done',
      result: {
        algorithm: 'ttest',
        method: params.pooled ? 'Two Sample t-test' : 'Welch Two Sample t-test',
        column: params.column,
        group: params.group,
        groups: [
          { level: levels?.[0] ?? 'group 1', n: a.n, mean: a.mean, sd: a.sd },
          { level: levels?.[1] ?? 'group 2', n: b.n, mean: b.mean, sd: b.sd },
        ],
        statistic: t.statistic,
        df: t.df,
        pValue: t.pValue,
        difference: t.difference,
        ciLower: t.ciLower,
        ciUpper: t.ciUpper,
        confLevel: params.confLevel,
        alternative: params.alternative,
        mu: params.mu,
        nodes: parts.map((p) => p.nodeName),
      } as Json,
    };
  },
});

/** The paired test: round 1 the differences' count and sum, round 2 their squared deviations from the mean. */
function aggregatePaired(
  params: TtestParams,
  round: number,
  state: Json | undefined,
  sum: Float64Array,
  parts: { nodeName: string }[],
): AggregateOutcome {
  if (round === 1) {
    if (sum[0]! < 2)
      throw new FedhubError(
        'FH_ERR_SMALL_SUBSET',
        'the paired test needs at least two records across the nodes',
      );
    const shift = [sum[1]! / sum[0]!, 0];
    return { kind: 'next-round', input: { shift } as Json, state: { shift } as Json };
  }
  const { shift } = state as { shift: [number, number] };
  const m = momentsFromShiftedSums(sum.subarray(0, 3), shift[0]);
  const t = oneSampleTTest(m, params.mu, params.confLevel, params.alternative);
  return {
    kind: 'done',
    result: {
      algorithm: 'ttest',
      method: 'Paired t-test',
      column: params.column,
      pairedWith: params.pairedWith!,
      groups: [{ level: `${params.column} - ${params.pairedWith}`, n: m.n, mean: m.mean, sd: m.sd }],
      statistic: t.statistic,
      df: t.df,
      pValue: t.pValue,
      difference: t.difference,
      ciLower: t.ciLower,
      ciUpper: t.ciUpper,
      confLevel: params.confLevel,
      alternative: params.alternative,
      mu: params.mu,
      nodes: parts.map((p) => p.nodeName),
    } as Json,
  };
}
