/**
 * `summary`: per numeric column n, missing, mean, sd and an optional histogram whose breaks are snapped
 * to the column's release resolution in the data dictionary (so no break can isolate close values).
 * Nodes release (n, missing, mean, M2) and bin counts; no minimum or maximum is ever released. The pooled
 * mean and sd are merged with Chan et al.'s pairwise formula, which equals the two-pass computation over
 * the concatenated data to rounding (about 1e-15 relative).
 */
import { type ColumnSpec, FedhubError, type Json, SummaryResultSchema } from '@fedhub/protocol';
import { z } from 'zod';
import { BinsSchema, binBreaks, ColumnParam, DatasetParam, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { noiseDescriptions } from '../noise-description.js';
import { snapBreaks } from '../precision.js';
import { type DisclosureCell, type NodePart, type Privatizer, release } from '../types.js';

export const SummaryParamsSchema = z
  .strictObject({
    dataset: DatasetParam,
    columns: z.array(ColumnParam).min(1).max(100),
    filter: FilterParam,
    bins: z.record(z.string(), BinsSchema).optional().describe('Histogram bins per column'),
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
const privatizeSummary: Privatizer<SummaryParams> = (payload, { column, noise: noiseFor }) => {
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

export const summary = defineAlgorithm<SummaryParams>({
  name: 'summary',
  // 1.1.0: results carry the noise description of nodes that release under differential privacy
  // 1.2.0: per-node counts only where the study allows per-node breakdowns
  version: '1.2.0',
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
  async local(ctx, params) {
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
        // breaks on the dictionary's release resolution: no caller-chosen break between two close values
        const breaks = snapBreaks(binBreaks(bins), ds.column(m.column));
        const h = await ds.histogram(m.column, breaks, params.filter);
        part.histogram = { ...h, breaks };
        h.counts.forEach((count, i) => {
          cells.push({
            label: `histogram bin [${breaks[i]}, ${breaks[i + 1]}${i === h.counts.length - 1 ? ']' : ')'} of "${m.column}"`,
            count,
            kind: 'bin',
          });
        });
        cells.push({
          label: `histogram values below ${breaks[0]} of "${m.column}"`,
          count: h.below,
          kind: 'bin',
        });
        cells.push({
          label: `histogram values above ${breaks.at(-1)} of "${m.column}"`,
          count: h.above,
          kind: 'bin',
        });
      }
      columns.push(part);
    }
    return release({ columns } as unknown as Json, { subsetSize, cells });
  },
  aggregate({ params, parts, releasePerNodeBreakdown }) {
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
