/**
 * `ttest`: two-sample t-test (Welch by default, or pooled variance) of a numeric column between two levels
 * of a grouping column, as R's t.test. Round 1 sums n and x per group (secure-aggregated), round 2 the
 * squared deviations from the pooled group means, so the variances are exact to rounding.
 */
import { FedhubError, type Json, TtestResultSchema } from '@fedhub/protocol';
import { momentsFromShiftedSums, twoSampleTTest } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam, paramMeta } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { type DatasetHandle, release } from '../types.js';

export const TtestParamsSchema = z.strictObject({
  dataset: DatasetParam,
  column: columnParam('numeric', 'Numeric outcome', 'dose_gy'),
  group: columnParam('categorical', 'Grouping column', 'sex'),
  levels: z
    .tuple([z.string(), z.string()])
    .optional()
    .describe('The two groups compared (group 1 - group 2); required if the column has more than two levels')
    .meta(paramMeta({ widget: 'levels', levelsOf: 'group', count: 2, examples: [['F', 'M']] })),
  pooled: z.boolean().default(false).describe('Pooled-variance test instead of Welch').meta(examples(false)),
  confLevel: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.95)
    .describe('Confidence level of the interval of the difference')
    .meta(examples(0.95)),
  filter: FilterParam,
});
export type TtestParams = z.infer<typeof TtestParamsSchema>;

function levelsOf(ds: DatasetHandle, p: TtestParams): [string, string] {
  if (p.levels) return p.levels;
  const spec = ds.column(p.group);
  if (spec.levels?.length === 2) return [spec.levels[0]!, spec.levels[1]!];
  throw new FedhubError('FH_ERR_BAD_PARAMS', `give "levels": the two groups of "${p.group}" to compare`, {
    column: p.group,
  });
}

async function groups(
  ds: DatasetHandle,
  p: TtestParams,
): Promise<{ a: Float64Array; b: Float64Array; levels: [string, string] }> {
  const t = ds.column(p.column).type;
  if (t !== 'numeric' && t !== 'integer')
    throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${p.column}" is ${t}, not numeric`, {
      column: p.column,
    });
  const [a, b] = levelsOf(ds, p);
  const { data } = await ds.readColumns([p.column, p.group], p.filter);
  const x = data[p.column] as Float64Array;
  const g = data[p.group]!;
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
  version: '1.1.0',
  title: 'Two-sample t-test',
  description:
    "Welch's or pooled-variance t-test of a numeric column between two groups, pooled across nodes; equals R t.test.",
  paramsSchema: TtestParamsSchema,
  resultSchema: TtestResultSchema,
  releases: {
    pooled:
      'per group: number of records, sum, then sum of squared deviations from the pooled mean (secure-aggregated)',
    perNode: null,
  },
  variables: (p) => ({ dataset: p.dataset, columns: [p.column, p.group] }),
  firstInput: () => ({ shift: null }),
  async local(ctx, params, input) {
    const ds = await ctx.dataset(params.dataset);
    const { a, b, levels } = await groups(ds, params);
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
    const t = twoSampleTTest(a, b, params.pooled, params.confLevel);
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
        nodes: parts.map((p) => p.nodeName),
      } as Json,
    };
  },
});
