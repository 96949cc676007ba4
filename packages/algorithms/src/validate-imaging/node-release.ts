/**
 * What a node releases of its cases: counts of cases processed and excluded per reason, and for
 * segmentation the metric summaries (metric-summary.ts); each count is a cell of the node's gate.
 */
import type { DisclosureCell } from '../types.js';
import type { CaseOutcome } from './cases.js';
import { type NodeMetricSummary, summariseAtNode } from './metric-summary.js';
import type { SegMetrics } from './seg-metrics.js';

export interface NodeCasesRelease {
  processed: number;
  /** Per reason; where any reason's count is under the minimum cell count, every count is null and the total is given under `all reasons` (null too when under it). */
  excluded: Array<{ reason: string; count: number | null }>;
}

/** Processed and excluded counts, suppressed so that no count under `k` can be recovered from the others. */
export function casesRelease(
  outcomes: readonly CaseOutcome[],
  k: number,
): { cases: NodeCasesRelease; cells: DisclosureCell[] } {
  const byReason = new Map<string, number>();
  let processed = 0;
  for (const o of outcomes) {
    if ('reason' in o) byReason.set(o.reason, (byReason.get(o.reason) ?? 0) + 1);
    else if (!('skipped' in o)) processed++;
  }
  const entries = [...byReason].sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const small = entries.some(([, n]) => n < k);
  const excluded = small
    ? [
        ...entries.map(([reason]) => ({ reason, count: null })),
        { reason: 'all reasons', count: total >= k ? total : null },
      ]
    : entries.map(([reason, count]) => ({ reason, count }));
  const cells: DisclosureCell[] = [
    { label: 'cases processed', count: processed, kind: 'records' },
    ...excluded
      .filter((e) => e.count !== null)
      .map((e) => ({
        label: `cases excluded: ${e.reason}`,
        count: e.count as number,
        kind: 'group' as const,
      })),
  ];
  return { cases: { processed, excluded }, cells };
}

export interface SegmentationRelease {
  task: 'segmentation';
  cases: NodeCasesRelease;
  dice: NodeMetricSummary;
  hd95: NodeMetricSummary;
  surfaceDice: NodeMetricSummary[];
  /** Cases whose prediction was empty (HD95 taken as the grid's diagonal); null under the minimum cell count. */
  emptyPredictions: number | null;
}

/** The segmentation release of a node's metrics, and the cells behind it. */
export function segmentationRelease(
  metrics: readonly SegMetrics[],
  tolerances: readonly number[],
  k: number,
): { payload: Omit<SegmentationRelease, 'cases'>; cells: DisclosureCell[] } {
  const dice = summariseAtNode(
    metrics.map((m) => m.dice),
    'fraction',
    k,
  );
  const hd95 = summariseAtNode(
    metrics.map((m) => m.hd95),
    'mm',
    k,
  );
  const surfaceDice = tolerances.map((_, t) =>
    summariseAtNode(
      metrics.map((m) => m.surfaceDice[t] as number),
      'fraction',
      k,
    ),
  );
  const empties = metrics.filter((m) => m.emptyPrediction).length;
  const cells: DisclosureCell[] = [];
  const intervalCells = (what: string, s: NodeMetricSummary) => {
    for (const i of s.intervals)
      cells.push({ label: `${what} in [${i.lo}, ${i.hi})`, count: i.n, kind: 'bin' });
  };
  intervalCells('Dice', dice);
  intervalCells('HD95 (mm)', hd95);
  for (const [t, s] of surfaceDice.entries()) intervalCells(`surface Dice at ${tolerances[t]} mm`, s);
  if (empties >= k) cells.push({ label: 'empty predictions', count: empties, kind: 'group' });
  return {
    payload: {
      task: 'segmentation',
      dice,
      hd95,
      surfaceDice,
      emptyPredictions: empties === 0 || empties >= k ? empties : null,
    },
    cells,
  };
}
