/**
 * `summary`: per numeric column n, missing, mean, sd and an optional histogram with caller-chosen bins.
 * Nodes release (n, missing, mean, M2) and bin counts; no minimum or maximum is ever released. The pooled
 * mean and sd are merged with Chan et al.'s pairwise formula, which equals the two-pass computation over
 * the concatenated data to rounding (about 1e-15 relative).
 */
import { FedhubError, type Json } from '@fedhub/protocol';
import { z } from 'zod';
import { BinsSchema, binBreaks, ColumnParam, DatasetParam, FilterParam } from '../common-params.js';
import { defineAlgorithm } from '../define-algorithm.js';
import { noiseDescriptions } from '../noise-description.js';
import type { NodePart } from '../types.js';

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
  histogram?: { counts: number[]; below: number; above: number };
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

export const summary = defineAlgorithm<SummaryParams>({
  name: 'summary',
  // 1.1.0: results carry the noise description of nodes that release under differential privacy
  // 1.2.0: per-node counts only where the study allows per-node breakdowns
  version: '1.2.0',
  title: 'Descriptive statistics',
  description: 'n, missing, mean, standard deviation and histograms of numeric columns, pooled across nodes.',
  paramsSchema: SummaryParamsSchema,
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
    const cells: Array<{ label: string; count: number }> = [];
    const columns: ColumnPart[] = [];
    for (const m of moments) {
      const part: ColumnPart = { column: m.column, n: m.n, missing: m.missing, mean: m.mean, m2: m.m2 };
      cells.push({ label: `n of "${m.column}"`, count: m.n });
      const bins = params.bins?.[m.column];
      if (bins) {
        const breaks = binBreaks(bins);
        const h = await ds.histogram(m.column, breaks, params.filter);
        part.histogram = h;
        h.counts.forEach((count, i) => {
          cells.push({
            label: `histogram bin [${breaks[i]}, ${breaks[i + 1]}${i === h.counts.length - 1 ? ']' : ')'} of "${m.column}"`,
            count,
          });
        });
        cells.push({ label: `histogram values below ${breaks[0]} of "${m.column}"`, count: h.below });
        cells.push({ label: `histogram values above ${breaks.at(-1)} of "${m.column}"`, count: h.above });
      }
      columns.push(part);
    }
    return { payload: { columns } as unknown as Json, disclosure: { subsetSize, cells } };
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
        histogram: hist && bins ? { breaks: binBreaks(bins), ...hist } : null,
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
