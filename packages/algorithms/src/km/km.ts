/**
 * `km`: Kaplan–Meier curves (Greenwood standard errors, log-transformed 95% intervals, median survival)
 * and the log-rank test, from per-time-bin counts of events and censorings. Times are coarsened at every
 * node to `timeResolution` (tc = ceil(t / res) * res); with secure aggregation the hub sees only the
 * totals. The minimum-cell rule (the largest of the nodes' policies) applies to the released totals of each
 * curve: events and censorings are each merged over adjacent times until every released count passes,
 * and the curve is computed from the released counts only. It is never moved: a merged interval is
 * released as such, its survival given at its end (events spread over it, not pushed to its end), a
 * median inside it as that interval. With nothing merged the result equals R's survfit/survdiff on the
 * coarsened pooled rows; the log-rank test always does (it is one statistic over all times).
 */
import { FedhubError, type Json, KmResultSchema } from '@fedhub/protocol';
import { coarsenedKaplanMeier, coarsenTimes, logRankTest, sortLevels } from '@fedhub/stats';
import { z } from 'zod';
import { ADDITIVE_FIELD, sumAdditive } from '../additive.js';
import { columnParam, DatasetParam, examples, FilterParam } from '../common-params.js';
import { declaredLevels } from '../declared-levels.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { assertFactorColumn } from '../precision.js';
import { resolveTimeResolution, timeResolutionNote } from '../time-resolution.js';
import { type DatasetHandle, type DisclosureCell, release } from '../types.js';

export const KmParamsSchema = z.strictObject({
  dataset: DatasetParam,
  time: columnParam('time', 'Follow-up time column', 'months'),
  event: columnParam('event', 'Event indicator column (1 = event, 0 = censored)', 'dead'),
  group: columnParam(
    'categorical',
    'Categorical column: one curve per level, and the log-rank test between them',
    'stage',
  ).optional(),
  strata: columnParam(
    'categorical',
    'Categorical column to stratify the log-rank test by (e.g. centre)',
    'sex',
  ).optional(),
  timeResolution: z
    .number()
    .min(1e-6)
    .optional()
    .describe(
      "Event times are coarsened up to multiples of this (time unit). Default: from the time column's declared unit (days 1, weeks and months 0.1, years 0.01) or range",
    )
    .meta(examples(1)),
  confLevel: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.95)
    .describe('Confidence level of the curves')
    .meta(examples(0.95)),
  filter: FilterParam,
});
export type KmParams = z.infer<typeof KmParamsSchema>;

interface KmData {
  time: Float64Array;
  event: Float64Array;
  group: string[] | null;
  strata: string[] | null;
}

async function readKm(ds: DatasetHandle, p: KmParams): Promise<KmData> {
  for (const c of [p.time, p.event]) {
    const t = ds.column(c).type;
    if (t !== 'numeric' && t !== 'integer' && t !== 'boolean')
      throw new FedhubError('FH_ERR_COLUMN_TYPE', `column "${c}" is ${t}, not numeric`, { column: c });
  }
  const cols = [p.time, p.event, ...(p.group ? [p.group] : []), ...(p.strata ? [p.strata] : [])];
  const { data } = await ds.readColumns(cols, p.filter);
  const asText = (c: string) => {
    const v = data[c]!;
    return v instanceof Float64Array ? Array.from(v, String) : (v as string[]);
  };
  const event = data[p.event] as Float64Array;
  for (const e of event)
    if (e !== 0 && e !== 1)
      throw new FedhubError('FH_ERR_BAD_PARAMS', `column "${p.event}" must hold 0 (censored) or 1 (event)`);
  const time = data[p.time] as Float64Array;
  for (const t of time)
    if (t < 0) throw new FedhubError('FH_ERR_BAD_PARAMS', `column "${p.time}" holds negative times`);
  return {
    time: coarsenTimes(time, resolveTimeResolution(p.timeResolution, ds.column(p.time)).value),
    event,
    group: p.group ? asText(p.group) : null,
    strata: p.strata ? asText(p.strata) : null,
  };
}

type Input = { phase: 'setup' } | { phase: 'counts'; grid: number[]; groups: string[]; strata: string[] };

interface State {
  grid: number[];
  groups: string[];
  strata: string[];
  minCell: number;
  nodes: string[];
  /** The resolution the nodes coarsened to (the parameter, or the dictionary's default). */
  timeResolution?: number;
}

export const km = defineAlgorithm<KmParams>({
  name: 'km',
  // 1.1.0: curves coarsened per group under the minimum cell count, never moved (merged intervals marked)
  // 1.2.0: the set-up round sends the dictionary's time range and levels, nothing read from the data
  version: '1.2.0',
  title: 'Kaplan–Meier and log-rank',
  description:
    'Survival curves with Greenwood standard errors and log-rank tests from binned counts; equals R survfit/survdiff on the binned times.',
  paramsSchema: KmParamsSchema,
  resultSchema: KmResultSchema,
  releases: {
    pooled:
      'counts of events and censorings per coarsened time bin (secure-aggregated; bins under the minimum cell count merged)',
    perNode: null,
  },
  variables: (p) => ({
    dataset: p.dataset,
    columns: [p.time, p.event, ...(p.group ? [p.group] : []), ...(p.strata ? [p.strata] : [])],
  }),
  firstInput: () => ({ phase: 'setup' }),
  async local(ctx, params, raw) {
    const input = raw as unknown as Input;
    const ds = await ctx.dataset(params.dataset);
    let d = ctx.cache.get('km') as KmData | undefined;
    if (!d) {
      d = await readKm(ds, params);
      ctx.cache.set('km', d);
    }
    const n = d.time.length;
    if (input.phase === 'setup') {
      // everything from the dictionary, nothing from the data: the time axis up to the declared maximum
      // of the time column, the declared levels of the group and strata columns (empty ones are dropped
      // by the aggregator from the pooled, masked counts)
      const spec = ds.column(params.time);
      if (spec.max === undefined)
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `time column "${params.time}" declares no max in the data dictionary: the time grid is taken from the dictionary's range, never from the data`,
          { column: params.time, rule: 'declared-time-range' },
        );
      const res = resolveTimeResolution(params.timeResolution, spec).value;
      const step = 10 * res;
      // levels of declared categorical columns only (the node's level rules)
      for (const c of [params.group, params.strata]) if (c) assertFactorColumn(ds.column(c));
      return release(
        {
          maxTime: Math.ceil(spec.max / step) * step,
          groups: params.group ? declaredLevels(ds.column(params.group)) : [],
          strata: params.strata ? declaredLevels(ds.column(params.strata)) : [],
          minCellCount: ctx.policy.minCellCount,
          timeResolution: res,
        } as Json,
        { subsetSize: n, cells: [] },
      );
    }
    const grid = Float64Array.from(input.grid);
    const G = Math.max(1, input.groups.length);
    const S = Math.max(1, input.strata.length);
    const out = new Float64Array(grid.length * S * G * 2);
    const res = resolveTimeResolution(params.timeResolution, ds.column(params.time)).value;
    for (let i = 0; i < n; i++) {
      const k = Math.round(d.time[i]! / res);
      const g = d.group ? input.groups.indexOf(d.group[i]!) : 0;
      const s = d.strata ? input.strata.indexOf(d.strata[i]!) : 0;
      if (k < 0 || k >= grid.length || g < 0 || s < 0)
        throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'a record falls outside the agreed grid');
      out[(k * S * G + s * G + g) * 2 + (d.event[i] === 1 ? 0 : 1)]! += 1;
    }
    return release({ [ADDITIVE_FIELD]: Array.from(out) } as Json, {
      subsetSize: n,
      cells: kmCells(out, grid.length, S, input.groups),
    });
  },
  aggregate({ params, round, state, parts }) {
    if (round === 1) {
      const ps = parts.map(
        (p) =>
          p.payload as {
            maxTime: number;
            groups: string[];
            strata: string[];
            minCellCount: number;
            timeResolution?: number;
          },
      );
      const maxTime = Math.max(...ps.map((p) => p.maxTime));
      // the parameter, or the dictionary's default, as each node resolved it: the same everywhere
      const res = ps[0]!.timeResolution ?? params.timeResolution ?? 1;
      if (ps.some((p) => (p.timeResolution ?? res) !== res))
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          "the nodes' dictionaries give the time column different default resolutions; set timeResolution",
          { parameter: 'timeResolution' },
        );
      const bins = Math.round(maxTime / res) + 1;
      if (bins > 100_000)
        throw new FedhubError(
          'FH_ERR_BAD_PARAMS',
          `timeResolution ${res} gives ${bins} time bins (at most 100000): choose a coarser resolution`,
        );
      const grid = Array.from({ length: bins }, (_, k) => k * res);
      const s: State = {
        grid,
        groups: params.group ? sortLevels(ps.flatMap((p) => p.groups)) : [],
        strata: params.strata ? sortLevels(ps.flatMap((p) => p.strata)) : [],
        // levels declared by some node but held by no record are dropped after the counts round
        minCell: Math.max(...ps.map((p) => p.minCellCount)),
        nodes: parts.map((p) => p.nodeName),
        timeResolution: res,
      };
      return {
        kind: 'next-round',
        input: { phase: 'counts', grid, groups: s.groups, strata: s.strata } as unknown as Json,
        state: s as unknown as Json,
      };
    }
    const declaredState = state as unknown as State;
    const full = sumAdditive(parts);
    const { s, sum } = dropEmptyLevels(declaredState, full);
    const G = Math.max(1, s.groups.length);
    const S = Math.max(1, s.strata.length);
    const K = s.grid.length;
    // per group (summed over log-rank strata) counts on the grid
    const perGroup = Array.from({ length: G }, () => ({
      events: new Float64Array(K),
      censored: new Float64Array(K),
    }));
    for (let k = 0; k < K; k++)
      for (let st = 0; st < S; st++)
        for (let g = 0; g < G; g++) {
          perGroup[g]!.events[k]! += sum[(k * S * G + st * G + g) * 2]!;
          perGroup[g]!.censored[k]! += sum[(k * S * G + st * G + g) * 2 + 1]!;
        }
    // minimum-cell rule on the released totals, per curve: events and censorings are each merged over
    // adjacent times until every released count passes; the curve is computed from those counts only
    // and is never moved (a merged interval is marked as such, its value given at its end)
    const grid = Float64Array.from(s.grid);
    const na = (x: number) => (Number.isFinite(x) ? x : null);
    let mergedBins = 0;
    const curves = perGroup.map((c, g) => {
      const curve = coarsenedKaplanMeier(grid, c.events, c.censored, s.minCell, params.confLevel);
      mergedBins += curve.mergedTimes;
      return {
        group: s.groups[g] ?? 'all',
        start: Array.from(curve.start),
        time: Array.from(curve.time),
        coarsened: Array.from(curve.coarsened, (b) => b === 1),
        nRisk: Array.from(curve.nRisk),
        nEvent: Array.from(curve.nEvent),
        nCensor: Array.from(curve.nCensor),
        surv: Array.from(curve.surv),
        stdErr: Array.from(curve.stdErr),
        stdErrLogSurv: Array.from(curve.stdErrLogSurv),
        lower: Array.from(curve.lower, na),
        upper: Array.from(curve.upper, na),
        median: na(curve.median),
        medianInterval: curve.medianInterval ? [...curve.medianInterval] : null,
        medianLower: na(curve.medianLower),
        medianUpper: na(curve.medianUpper),
        censorings: {
          start: Array.from(curve.censorings.start),
          time: Array.from(curve.censorings.time),
          count: Array.from(curve.censorings.count),
        },
        mergedTimes: curve.mergedTimes,
      };
    });
    let logRank: Json = null;
    if (G >= 2) {
      // the test statistic is a smooth sum over every time: computed on the binned totals (survdiff on the
      // coarsened pooled rows); only its statistic, observed and expected totals are released
      const lr = logRankTest(sum, K, S, G);
      logRank = {
        chisq: lr.chisq,
        df: lr.df,
        pValue: lr.pValue,
        observed: Array.from(lr.observed),
        expected: Array.from(lr.expected),
        groups: s.groups,
        strata: s.strata.length ? s.strata : null,
      };
    }
    return {
      kind: 'done',
      result: {
        algorithm: 'km',
        time: params.time,
        event: params.event,
        group: params.group ?? null,
        ...timeResolutionNote(params.timeResolution, s.timeResolution ?? params.timeResolution ?? 1),
        confLevel: params.confLevel,
        minCellCount: s.minCell,
        mergedBins,
        coarsening: {
          timeResolution: s.timeResolution ?? params.timeResolution ?? 1,
          minCellCount: s.minCell,
          mergedTimes: mergedBins,
          curvesCoarsened: curves.filter((c) => c.mergedTimes > 0).map((c) => c.group),
        },
        curves,
        logRank,
        nodes: s.nodes,
      } as unknown as Json,
    };
  },
});

/**
 * The cells behind a node's count partial: per curve (group), its records and events. The
 * time bins themselves are released only summed over nodes (masked) and merged by the aggregator until
 * each released count passes the minimum cell count.
 */
function kmCells(out: Float64Array, K: number, S: number, groups: string[]): DisclosureCell[] {
  const G = Math.max(1, groups.length);
  const cells: DisclosureCell[] = [];
  for (let g = 0; g < G; g++) {
    let events = 0;
    let censored = 0;
    for (let k = 0; k < K; k++)
      for (let st = 0; st < S; st++) {
        events += out[(k * S * G + st * G + g) * 2]!;
        censored += out[(k * S * G + st * G + g) * 2 + 1]!;
      }
    const curve = groups.length ? `curve ${g + 1}` : 'the curve';
    cells.push(
      { label: `records of ${curve}`, count: events + censored, kind: 'group' },
      { label: `events of ${curve}`, count: events, kind: 'outcome' },
    );
  }
  return cells;
}

/**
 * The counts without the groups and strata that no record holds (declared levels absent from the pooled
 * data): an empty group has no curve and would make the log-rank variance singular.
 */
function dropEmptyLevels(s: State, sum: Float64Array): { s: State; sum: Float64Array } {
  const G = Math.max(1, s.groups.length);
  const S = Math.max(1, s.strata.length);
  const K = s.grid.length;
  const groupTotal = new Float64Array(G);
  const strataTotal = new Float64Array(S);
  for (let k = 0; k < K; k++)
    for (let st = 0; st < S; st++)
      for (let g = 0; g < G; g++) {
        const at = (k * S * G + st * G + g) * 2;
        const c = sum[at]! + sum[at + 1]!;
        groupTotal[g]! += c;
        strataTotal[st]! += c;
      }
  const keepG = s.groups.length ? s.groups.map((_, g) => g).filter((g) => groupTotal[g]! > 0) : [0];
  const keepS = s.strata.length ? s.strata.map((_, st) => st).filter((st) => strataTotal[st]! > 0) : [0];
  if (keepG.length === G && keepS.length === S) return { s, sum };
  const g2 = keepG.length;
  const s2 = keepS.length;
  const out = new Float64Array(K * s2 * g2 * 2);
  for (let k = 0; k < K; k++)
    keepS.forEach((st, si) => {
      keepG.forEach((g, gi) => {
        const from = (k * S * G + st * G + g) * 2;
        const to = (k * s2 * g2 + si * g2 + gi) * 2;
        out[to] = sum[from]!;
        out[to + 1] = sum[from + 1]!;
      });
    });
  return {
    s: {
      ...s,
      groups: s.groups.length ? keepG.map((g) => s.groups[g]!) : [],
      strata: s.strata.length ? keepS.map((st) => s.strata[st]!) : [],
    },
    sum: out,
  };
}
