/**
 * `summary`: per numeric column n, missing, mean, sd and an optional histogram whose breaks are snapped
 * to the column's release resolution in the data dictionary (so no break can isolate close values).
 * Nodes release (n, missing, mean, M2) and bin counts; no minimum or maximum is ever released. The pooled
 * mean and sd are merged with Chan et al.'s pairwise formula, which equals the two-pass computation over
 * the concatenated data to rounding (about 1e-15 relative).
 */
import { type ColumnSpec, FedhubError, type Json, SummaryResultSchema } from '@fedhub/protocol';
import { z } from 'zod';
import { ADDITIVE_FIELD, MASKED_FIELD, sumAdditive } from '../additive.js';
import {
  BinsSchema,
  binBreaks,
  ColumnParam,
  DatasetParam,
  FilterParam,
  paramMeta,
} from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { noiseDescriptions } from '../noise-description.js';
import { snapBreaks } from '../precision.js';
import {
  type DatasetHandle,
  type DisclosureCell,
  type NodePart,
  type Privatizer,
  release,
} from '../types.js';
import { mergeAdjacentBins } from '../validate/score-merge.js';

export const SummaryParamsSchema = z
  .strictObject({
    dataset: DatasetParam,
    columns: z
      .array(ColumnParam)
      .min(1)
      .max(100)
      .describe('Columns to describe')
      .meta(paramMeta({ columnKind: 'numeric', examples: [['age', 'dose_gy']] })),
    filter: FilterParam,
    bins: z
      .record(z.string(), BinsSchema)
      .optional()
      .describe("Histogram bins per column, on the dictionary's declared range")
      .meta(
        paramMeta({
          widget: 'bins',
          levelsOf: 'columns',
          examples: [
            { age: { from: 20, to: 100, width: 10 } },
            { dose_gy: { breaks: [20, 50, 60, 70, 90] } },
          ],
        }),
      ),
  })
  .superRefine((p, ctx) => {
    for (const [col, bins] of Object.entries(p.bins ?? {})) {
      if (!p.columns.includes(col))
        ctx.addIssue({ code: 'custom', path: ['bins', col], message: `"${col}" is not among columns` });
      try {
        binBreaks(bins);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['bins', col], message: (e as Error).message });
      }
    }
  });
export type SummaryParams = z.infer<typeof SummaryParamsSchema>;

interface ColumnPart {
  column: string;
  n: number;
  missing: number;
  mean: number;
  m2: number;
  histogram?: { counts: number[]; below: number; above: number; breaks?: number[] };
}

/** Chan, Golub & LeVeque (1979): merge (n, mean, M2) of two disjoint sets. */
export function mergeMoments(
  a: { n: number; mean: number; m2: number },
  b: { n: number; mean: number; m2: number },
): { n: number; mean: number; m2: number } {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

function declaredBounds(spec: ColumnSpec): { min: number; max: number } {
  if (spec.min === undefined || spec.max === undefined)
    throw new FedhubError(
      'FH_ERR_DP_REQUIRED',
      `column "${spec.name}" declares no min and max in the data dictionary; a differentially private sum needs both`,
      { column: spec.name },
    );
  return { min: spec.min, max: spec.max };
}

/**
 * Noisy n and missing (one partition), sum and sum of squares (bounded by the dictionary's range) and
 * histogram counts per column; mean and M2 recomputed from the noisy sums (post-processing).
 */
const privatizeSummary: Privatizer<SummaryParams> = (payload, { params, column, noise: noiseFor }) => {
  // the merge round: the node's own cell counts are noised before its merge is computed from them (the
  // crossings leave, never the counts); the counts of the common merged bins are noised in the next
  // round. Both rounds are releases charged to the budget.
  if (isMergeRound(payload)) {
    // the sums of the next round need every column's declared range: refused now, before more is spent
    for (const c of params.columns) declaredBounds(column(c));
    const m = payload as unknown as { mergeBreaks: Record<string, number[]>; [ADDITIVE_FIELD]: number[] };
    const cols = Object.keys(m.mergeBreaks);
    const noise = noiseFor(cols.length);
    const out: number[] = [];
    let at = 0;
    for (const c of cols) {
      const k = m.mergeBreaks[c]!.length + 1;
      out.push(
        ...noise.counts(`histogram cells before merging of "${c}"`, m[ADDITIVE_FIELD].slice(at, at + k)),
      );
      at += k;
    }
    return { ...m, [ADDITIVE_FIELD]: out } as unknown as Json;
  }
  const columns = (payload as unknown as { columns: ColumnPart[] }).columns;
  const noise = noiseFor(columns.reduce((s, c) => s + 3 + (c.histogram ? 1 : 0), 0));
  const out = columns.map((c) => {
    const { min, max } = declaredBounds(column(c.column));
    const bound = Math.max(Math.abs(min), Math.abs(max));
    // n and missing partition the records: one release of sensitivity 1
    const [n, missing] = noise.counts(`n and missing of "${c.column}"`, [c.n, c.missing]) as [number, number];
    // a column with no value has no defined mean: its sums are 0
    const exactSum = c.n > 0 && Number.isFinite(c.mean) ? c.n * c.mean : 0;
    const exactSumSq = c.n > 0 && Number.isFinite(c.mean) ? c.m2 + c.n * c.mean * c.mean : 0;
    const sum = noise.sum(`sum of "${c.column}"`, exactSum, bound);
    const sumSq = noise.sum(`sum of squares of "${c.column}"`, exactSumSq, bound * bound);
    const mean = n > 0 ? Math.min(max, Math.max(min, sum / n)) : 0;
    const part: ColumnPart = {
      column: c.column,
      n,
      missing,
      mean,
      m2: n > 0 ? Math.max(0, sumSq - n * mean * mean) : 0,
    };
    if (c.histogram) {
      const k = c.histogram.counts.length;
      const noisy = noise.counts(`histogram of "${c.column}"`, [
        ...c.histogram.counts,
        c.histogram.below,
        c.histogram.above,
      ]);
      part.histogram = {
        counts: noisy.slice(0, k),
        below: noisy[k]!,
        above: noisy[k + 1]!,
        ...(c.histogram.breaks ? { breaks: c.histogram.breaks } : {}),
      };
    }
    return part;
  });
  return { ...(payload as object), columns: out } as unknown as Json;
};
/** The input of the counts round: per column with bins, the boundaries no node's merge crosses. */
interface CountsInput {
  phase: 'counts';
  kept: Record<string, number[]>;
}

/** The state between the rounds: per column, the requested (snapped) breaks and those kept. */
interface MergeState {
  requested: Record<string, number[]>;
  kept: Record<string, number[]>;
}

/** The merge round's payload: the snapped breaks (public) and the masked crossings. */
function isMergeRound(payload: Json): boolean {
  return (
    payload !== null && typeof payload === 'object' && !Array.isArray(payload) && 'mergeBreaks' in payload
  );
}

/**
 * The boundaries (the requested breaks, below | bin 1 | ... | bin k | above) this node's own merge
 * crosses: adjacent cells merged until each non-empty group holds at least `minCell` records (from both
 * ends inwards, as score-merge.ts); 1 where a group spans the boundary. Nothing is crossed under a policy
 * of one record per cell.
 */
export function crossedBoundaries(cells: readonly number[], minCell: number): number[] {
  const out = new Array<number>(cells.length - 1).fill(0);
  if (minCell <= 1) return out;
  for (const g of mergeAdjacentBins(cells, minCell, Number.POSITIVE_INFINITY))
    for (let b = g.from; b < g.to; b++) out[b] = 1;
  return out;
}

/** Counts on the kept breaks (fewer than two: everything below the one break, or below none). */
async function countsOn(
  ds: DatasetHandle,
  column: string,
  kept: number[],
  n: number,
  filter: SummaryParams['filter'],
): Promise<{ counts: number[]; below: number; above: number }> {
  if (kept.length >= 2) return ds.histogram(column, kept, filter);
  if (kept.length === 0) return { counts: [], below: n, above: 0 };
  // one break b: bins are [b_i, b_{i+1}), so b's right side is x >= b (the closed bin [b, b] and above)
  const h = await ds.histogram(column, [kept[0]!, kept[0]!], filter);
  return { counts: [], below: h.below, above: h.counts[0]! + h.above };
}

/**
 * The requested bins (1-based; 0 is below the first break, k + 1 above the last) that the merge joined,
 * with the edges of each joined interval (null: unbounded).
 */
export function mergedBins(
  requested: number[],
  kept: number[],
): Array<{ bins: [number, number]; from: number | null; to: number | null }> {
  const keep = new Set(kept);
  const out: Array<{ bins: [number, number]; from: number | null; to: number | null }> = [];
  const k = requested.length - 1;
  let start = 0;
  for (let cell = 0; cell <= k + 1; cell++) {
    // the boundary after `cell` is requested[cell]; the last cell has none
    const closes = cell === k + 1 || keep.has(requested[cell]!);
    if (!closes) continue;
    if (cell > start)
      out.push({
        bins: [start, cell],
        from: start === 0 ? null : requested[start - 1]!,
        to: cell === k + 1 ? null : requested[cell]!,
      });
    start = cell + 1;
  }
  return out;
}

/** The public centre the moments are summed about: the declared range's midpoint, else 0. */
export function momentShift(spec: { min?: number | undefined; max?: number | undefined }): number {
  return spec.min !== undefined && spec.max !== undefined ? (spec.min + spec.max) / 2 : 0;
}

/** Pools the nodes' additive vectors (masked or not): n, missing, sums about the shift, histograms. */
function aggregateAdditive(
  params: SummaryParams,
  parts: NodePart[],
  perNodeAllowed: boolean,
  merge: MergeState | null,
) {
  const payloads = parts.map(
    (p) => p.payload as unknown as { shifts: number[]; perNode?: Array<{ column: string; n: number }> },
  );
  const shifts = payloads[0]!.shifts;
  for (const p of payloads)
    if (JSON.stringify(p.shifts) !== JSON.stringify(shifts))
      throw new FedhubError(
        'FH_ERR_ALGORITHM_FAILED',
        "the nodes' dictionaries declare different ranges for the summarised columns",
      );
  const sum = sumAdditive(parts);
  let at = 0;
  const columns = params.columns.map((col, k) => {
    const [n, missing, s1, s2] = [sum[at]!, sum[at + 1]!, sum[at + 2]!, sum[at + 3]!];
    at += 4;
    const N = Math.round(n);
    const bins = params.bins?.[col];
    let histogram = null;
    if (bins) {
      const breaks = merge?.kept[col] ?? binBreaks(bins);
      const k2 = Math.max(0, breaks.length - 1);
      const requested = merge?.requested[col];
      histogram = {
        breaks,
        counts: Array.from(sum.subarray(at, at + k2), Math.round),
        below: Math.round(sum[at + k2]!),
        above: Math.round(sum[at + k2 + 1]!),
        // the bins asked for (on the dictionary's resolution) and those the nodes' merge joined
        ...(requested ? { requestedBreaks: requested, mergedBins: mergedBins(requested, breaks) } : {}),
      };
      at += k2 + 2;
    }
    const m2 = N > 0 ? Math.max(0, s2 - (s1 * s1) / N) : 0;
    const perNode = parts.map((p, i) => ({
      node: p.nodeName,
      n: payloads[i]!.perNode?.find((x) => x.column === col)?.n ?? null,
    }));
    return {
      column: col,
      n: N,
      missing: Math.round(missing),
      mean: N > 0 ? shifts[k]! + s1 / N : null,
      sd: N > 1 ? Math.sqrt(m2 / (N - 1)) : null,
      variance: N > 1 ? m2 / (N - 1) : null,
      histogram,
      ...(perNodeAllowed && perNode.every((p) => p.n !== null) ? { perNode } : {}),
    };
  });
  return {
    kind: 'done' as const,
    result: {
      algorithm: 'summary',
      nodes: parts.map((p) => p.nodeName),
      columns,
      ...noiseDescriptions(parts),
    } as unknown as Json,
  };
}

export const summary = defineAlgorithm<SummaryParams>({
  name: 'summary',
  // 1.1.0: results carry the noise description of nodes that release under differential privacy
  // 1.2.0: per-node counts only where the study allows per-node breakdowns
  // 1.3.0: every number in the additive vector (masked: the hub learns only sums across nodes)
  // 1.4.0: histogram bins merged at the nodes (a masked round of crossed boundaries, then the counts on
  // the common merged bins): one small bin no longer refuses the task
  version: '1.4.0',
  title: 'Descriptive statistics',
  description: 'n, missing, mean, standard deviation and histograms of numeric columns, pooled across nodes.',
  paramsSchema: SummaryParamsSchema,
  resultSchema: SummaryResultSchema,
  releases: {
    pooled:
      'per column: number of records, number missing, mean and sum of squared deviations; histogram counts where bins are requested (each non-zero count, the missing ones included, at least the minimum cell count)',
    perNode: 'records per node',
  },
  privatize: privatizeSummary,
  variables: (p) => ({ dataset: p.dataset, columns: [...p.columns] }),
  firstInput: () => null,
  async local(ctx, params, raw) {
    const ds = await ctx.dataset(params.dataset);
    for (const c of params.columns) {
      const spec = ds.column(c);
      if (spec.type !== 'numeric' && spec.type !== 'integer')
        throw new FedhubError(
          'FH_ERR_COLUMN_TYPE',
          `column "${c}" is ${spec.type}; summary needs numeric columns`,
          { column: c },
        );
    }
    const subsetSize = await ds.count(params.filter);
    const binned = params.columns.filter((c) => params.bins?.[c]);
    const input = raw as unknown as CountsInput | null;
    if (binned.length > 0 && input?.phase !== 'counts') {
      // round 1 (bins requested): per boundary of the requested bins, masked, 1 where this node's own
      // merge crosses it; no count leaves the node in this round
      // (the cell counts ride in the vector only until toAdditive turns them into the crossings, after the
      // node's differential privacy where the dataset requires it)
      const mergeBreaks: Record<string, number[]> = {};
      const cellCounts: number[] = [];
      for (const c of binned) {
        const breaks = snapBreaks(binBreaks(params.bins![c]!), ds.column(c));
        const h = await ds.histogram(c, breaks, params.filter);
        mergeBreaks[c] = breaks;
        cellCounts.push(h.below, ...h.counts, h.above);
      }
      return release(
        { mergeBreaks, minCell: ctx.policy.minCellCount, [ADDITIVE_FIELD]: cellCounts } as unknown as Json,
        { subsetSize, cells: [], additiveLayout: 'declared' },
      );
    }
    const moments = await ds.moments(params.columns, params.filter);
    const cells: DisclosureCell[] = [];
    const columns: ColumnPart[] = [];
    for (const m of moments) {
      const part: ColumnPart = { column: m.column, n: m.n, missing: m.missing, mean: m.mean, m2: m.m2 };
      cells.push({ label: `n of "${m.column}"`, count: m.n, kind: 'records' });
      // the number missing is released: a count like any other (one missing value is one record)
      cells.push({ label: `missing of "${m.column}"`, count: m.missing, kind: 'missing' });
      const bins = params.bins?.[m.column];
      if (bins) {
        // the common merged bins (round 2): breaks on the dictionary's release resolution (no
        // caller-chosen break between two close values) that no node's merge crosses, so every count is
        // a union of this node's own groups of at least the minimum cell count
        const breaks = input?.kept[m.column] ?? snapBreaks(binBreaks(bins), ds.column(m.column));
        const h = await countsOn(ds, m.column, breaks, m.n, params.filter);
        part.histogram = { ...h, breaks };
        h.counts.forEach((count, i) => {
          cells.push({
            label: `histogram bin [${breaks[i]}, ${breaks[i + 1]}${i === h.counts.length - 1 ? ']' : ')'} of "${m.column}"`,
            count,
            kind: 'bin',
          });
        });
        cells.push({
          label: `histogram values below ${breaks[0] ?? '(no break)'} of "${m.column}"`,
          count: h.below,
          kind: 'bin',
        });
        cells.push({
          label: `histogram values above ${breaks.at(-1) ?? '(no break)'} of "${m.column}"`,
          count: h.above,
          kind: 'bin',
        });
      }
      columns.push(part);
    }
    return release({ columns } as unknown as Json, { subsetSize, cells });
  },
  toAdditive(payload, params, ctx) {
    // the merge round: each column's cell counts become the boundaries this node's merge crosses
    if (isMergeRound(payload)) {
      const m = payload as unknown as {
        mergeBreaks: Record<string, number[]>;
        minCell: number;
        [ADDITIVE_FIELD]: number[];
      };
      const crossings: number[] = [];
      let at = 0;
      for (const c of Object.keys(m.mergeBreaks)) {
        const k = m.mergeBreaks[c]!.length + 1;
        crossings.push(...crossedBoundaries(m[ADDITIVE_FIELD].slice(at, at + k), m.minCell));
        at += k;
      }
      const { minCell: _minCell, ...rest } = m;
      return { ...rest, [ADDITIVE_FIELD]: crossings } as unknown as Json;
    }
    const p = payload as unknown as { columns: ColumnPart[]; [k: string]: unknown };
    const vector: number[] = [];
    const shifts: number[] = [];
    // the public layout: each column's name and number of entries (n, missing, two sums, histogram)
    const layout: Array<[string, number]> = [];
    for (const col of params.columns) {
      const start = vector.length;
      const c = p.columns.find((x) => x.column === col);
      if (!c) throw new FedhubError('FH_ERR_ALGORITHM_FAILED', `no partial for column "${col}"`);
      const shift = momentShift(ctx.column(params.dataset, col));
      shifts.push(shift);
      // sums about a public shift (the declared range's midpoint): additive, and exact in the ring
      const d = c.n > 0 ? c.mean - shift : 0;
      vector.push(c.n, c.missing, c.n * d, c.m2 + c.n * d * d);
      if (params.bins?.[col]) {
        const h = c.histogram ?? {
          counts: binBreaks(params.bins[col]!)
            .slice(1)
            .map(() => 0),
          below: 0,
          above: 0,
        };
        vector.push(...h.counts, h.below, h.above);
      }
      layout.push([col, vector.length - start]);
    }
    const { columns: _columns, ...rest } = p;
    return {
      ...rest,
      layout,
      shifts,
      ...(ctx.releasePerNodeBreakdown
        ? { perNode: p.columns.map((c) => ({ column: c.column, n: c.n })) }
        : {}),
      [ADDITIVE_FIELD]: vector,
    } as unknown as Json;
  },
  aggregate({ params, parts, state, releasePerNodeBreakdown }) {
    const first = parts[0]?.payload as Record<string, unknown> | undefined;
    if (first && isMergeRound(first as Json)) {
      // the boundaries some node's merge crosses are removed: the rest are the common merged bins
      const requested = (first as unknown as { mergeBreaks: Record<string, number[]> }).mergeBreaks;
      for (const p of parts)
        if (
          JSON.stringify((p.payload as unknown as { mergeBreaks: unknown }).mergeBreaks) !==
          JSON.stringify(requested)
        )
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            "the nodes' dictionaries declare different resolutions for the binned columns",
          );
      const crossed = sumAdditive(parts);
      const kept: Record<string, number[]> = {};
      let at = 0;
      for (const c of params.columns.filter((x) => params.bins?.[x])) {
        const breaks = requested[c]!;
        kept[c] = breaks.filter((_, b) => Math.round(crossed[at + b]!) === 0);
        at += breaks.length;
      }
      return {
        kind: 'next-round',
        input: { phase: 'counts', kept } satisfies CountsInput as unknown as Json,
        state: { requested, kept } satisfies MergeState as unknown as Json,
      };
    }
    if (first && (ADDITIVE_FIELD in first || MASKED_FIELD in first))
      return aggregateAdditive(
        params,
        parts,
        releasePerNodeBreakdown === true,
        (state as unknown as MergeState | null) ?? null,
      );
    const byNode = parts.map((p: NodePart) => ({
      node: p.nodeName,
      columns: (p.payload as unknown as { columns: ColumnPart[] }).columns,
    }));
    const columns = params.columns.map((col) => {
      let acc = { n: 0, mean: 0, m2: 0 };
      let missing = 0;
      let hist: { counts: number[]; below: number; above: number } | undefined;
      let breaks: number[] | undefined;
      const perNode: Array<{ node: string; n: number }> = [];
      for (const { node, columns: cols } of byNode) {
        const c = cols.find((x) => x.column === col);
        if (!c)
          throw new FedhubError(
            'FH_ERR_ALGORITHM_FAILED',
            `node ${node} returned no result for column "${col}"`,
          );
        acc = mergeMoments(acc, c);
        missing += c.missing;
        perNode.push({ node, n: c.n });
        if (c.histogram) {
          breaks ??= c.histogram.breaks;
          if (!hist) hist = { counts: c.histogram.counts.map(() => 0), below: 0, above: 0 };
          c.histogram.counts.forEach((v, i) => {
            hist!.counts[i] = (hist!.counts[i] ?? 0) + v;
          });
          hist.below += c.histogram.below;
          hist.above += c.histogram.above;
        }
      }
      const bins = params.bins?.[col];
      return {
        column: col,
        n: acc.n,
        missing,
        mean: acc.n > 0 ? acc.mean : null,
        sd: acc.n > 1 ? Math.sqrt(acc.m2 / (acc.n - 1)) : null,
        variance: acc.n > 1 ? acc.m2 / (acc.n - 1) : null,
        histogram: hist && bins ? { breaks: breaks ?? binBreaks(bins), ...hist } : null,
        ...(releasePerNodeBreakdown === true ? { perNode } : {}),
      };
    });
    return {
      kind: 'done',
      result: {
        algorithm: 'summary',
        nodes: byNode.map((b) => b.node),
        columns,
        ...noiseDescriptions(parts),
      } as unknown as Json,
    };
  },
});
