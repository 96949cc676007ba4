/** Row and column percentages of a released contingency table (pure). */

/** How a crosstab cell is shown: the count, its share of the row, or of the column. */
export type CrosstabScale = 'count' | 'row' | 'col';

/**
 * Each cell as a percentage of its row total (`row`) or column total (`col`); a row or column with total 0
 * gives nulls. `count` returns the counts.
 */
export function crosstabCells(
  counts: readonly (readonly number[])[],
  scale: CrosstabScale,
): (number | null)[][] {
  if (scale === 'count') return counts.map((r) => [...r]);
  const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const nCols = Math.max(0, ...counts.map((r) => r.length));
  const colTotals = Array.from({ length: nCols }, (_, j) => counts.reduce((a, r) => a + (r[j] ?? 0), 0));
  return counts.map((r, i) =>
    r.map((n, j) => {
      const t = scale === 'row' ? rowTotals[i] : colTotals[j];
      return t ? (100 * n) / t : null;
    }),
  );
}

/** A percentage for a table cell: one decimal, `–` when undefined. */
export function formatPercent(p: number | null): string {
  return p === null || !Number.isFinite(p) ? '–' : `${p.toFixed(1).replace(/^-0\.0$/, '0.0')}%`;
}
