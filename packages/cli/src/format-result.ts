/** Human-readable rendering of algorithm results; unknown shapes fall back to JSON. */
import type { TaskDetail } from '@fedhub/protocol';
import { num, table } from './output.js';

interface SummaryColumn {
  column: string;
  n: number;
  missing: number;
  mean: number | null;
  sd: number | null;
  histogram: { breaks: number[]; counts: number[]; below: number; above: number } | null;
  perNode: Array<{ node: string; n: number }>;
}

function bar(count: number, max: number, width = 30): string {
  return '#'.repeat(max > 0 ? Math.round((count / max) * width) : 0);
}

function formatSummary(r: { columns: SummaryColumn[]; nodes: string[] }): string {
  const out = [`Pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')})`, ''];
  out.push(
    table(
      ['column', 'n', 'missing', 'mean', 'sd'],
      r.columns.map((c) => [c.column, c.n, c.missing, num(c.mean), num(c.sd)]),
    ),
  );
  for (const c of r.columns) {
    if (!c.histogram) continue;
    const h = c.histogram;
    const max = Math.max(...h.counts, h.below, h.above);
    out.push('', `Histogram of ${c.column}`);
    const rows: string[][] = [];
    if (h.below > 0) rows.push([`< ${h.breaks[0]}`, String(h.below), bar(h.below, max)]);
    h.counts.forEach((n, i) => {
      rows.push([
        `[${h.breaks[i]}, ${h.breaks[i + 1]}${i === h.counts.length - 1 ? ']' : ')'}`,
        String(n),
        bar(n, max),
      ]);
    });
    if (h.above > 0) rows.push([`> ${h.breaks.at(-1)}`, String(h.above), bar(h.above, max)]);
    out.push(table(['bin', 'count', ''], rows));
  }
  return out.join('\n');
}

function formatCrosstab(r: {
  rowVariable: string;
  colVariable: string;
  rows: string[];
  cols: string[];
  counts: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
  nodes: string[];
}): string {
  const header = [`${r.rowVariable} \\ ${r.colVariable}`, ...r.cols, 'total'];
  const rows = r.rows.map((lvl, i) => [lvl, ...(r.counts[i] ?? []), r.rowTotals[i]]);
  rows.push(['total', ...r.colTotals, r.total]);
  return [`Pooled over ${r.nodes.length} nodes (${r.nodes.join(', ')})`, '', table(header, rows)].join('\n');
}

/** A task's outcome for a terminal: the result table, or each node's refusal with its reason. */
export function formatTaskOutcome(task: TaskDetail): string {
  if (
    task.status === 'completed' &&
    task.result &&
    typeof task.result === 'object' &&
    !Array.isArray(task.result)
  ) {
    const r = task.result as Record<string, unknown>;
    if (r.algorithm === 'summary') return formatSummary(r as unknown as Parameters<typeof formatSummary>[0]);
    if (r.algorithm === 'crosstab')
      return formatCrosstab(r as unknown as Parameters<typeof formatCrosstab>[0]);
    return JSON.stringify(task.result, null, 2);
  }
  const lines = [
    `Task ${task.id} ${task.status}${task.error ? `: ${task.error.code}: ${task.error.message}` : ''}`,
  ];
  for (const run of task.runs)
    if (run.error)
      lines.push(`  ${run.nodeName} (round ${run.round}): ${run.error.code}: ${run.error.message}`);
  return lines.join('\n');
}
