/** A crosstab as stacked bars: for each row level, the shares of the column levels (row percentages). */
import { crosstabCells, formatPercent } from '../charts/crosstab-percent.js';
import { toCsv } from '../charts/csv.js';
import { linearScale } from '../charts/scale.js';
import { SERIES_COLOURS, XAxis } from './axis.js';
import { Figure } from './figure.js';
import type { CrosstabResult } from './types.js';

/** The stacked bar chart (data-testid="crosstab-chart"); its CSV has counts and both percentages. */
export function CrosstabChart({ r }: { r: CrosstabResult }) {
  const width = 720;
  const rowLabels = r.rows.map((l, i) => `${l} (n = ${r.rowTotals[i]})`);
  const left = Math.min(260, 16 + Math.max(6, ...rowLabels.map((l) => l.length)) * 6.6);
  const right = 24;
  const rowH = 28;
  const top = 12;
  const plotH = Math.max(1, r.rows.length) * rowH;
  const legendY = top + plotH + 52;
  const legendRows = Math.ceil(r.cols.length / 4);
  const height = legendY + legendRows * 18 + 6;
  const x = linearScale([0, 100], [left, width - right]);
  const pct = crosstabCells(r.counts, 'row');
  const colPct = crosstabCells(r.counts, 'col');
  return (
    <Figure
      title={`${r.colVariable} within each ${r.rowVariable} (row percentages)`}
      testId="crosstab-chart"
      fileName={`crosstab-${r.rowVariable}-${r.colVariable}`}
      width={width}
      height={height}
      csv={() =>
        toCsv(
          [r.rowVariable, r.colVariable, 'count', 'row_percent', 'col_percent'],
          r.rows.flatMap((row, i) =>
            r.cols.map((col, j) => [
              row,
              col,
              r.counts[i]?.[j] ?? 0,
              pct[i]?.[j] ?? null,
              colPct[i]?.[j] ?? null,
            ]),
          ),
        )
      }
    >
      {r.rows.map((row, i) => {
        const cy = top + i * rowH + rowH / 2;
        let acc = 0;
        return (
          <g key={row}>
            <text x={left - 8} y={cy} dy="0.32em" textAnchor="end" fill="#222">
              {rowLabels[i]}
            </text>
            {r.cols.map((col, j) => {
              const p = pct[i]?.[j] ?? 0;
              const x0 = x(acc);
              acc += p;
              const w = x(acc) - x0;
              return (
                <g key={col}>
                  <rect
                    x={x0}
                    y={cy - 9}
                    width={Math.max(0, w)}
                    height={18}
                    fill={SERIES_COLOURS[j % SERIES_COLOURS.length]}
                  >
                    <title>{`${row}, ${col}: ${r.counts[i]?.[j] ?? 0} (${formatPercent(p)} of the row)`}</title>
                  </rect>
                  {w > 34 && (
                    <text x={x0 + w / 2} y={cy} dy="0.32em" textAnchor="middle" fill="#fff" fontSize={10}>
                      {formatPercent(p)}
                    </text>
                  )}
                </g>
              );
            })}
          </g>
        );
      })}
      <XAxis
        scale={x}
        ticks={[0, 20, 40, 60, 80, 100]}
        y={top + plotH + 4}
        label={`% of the ${r.rowVariable} row`}
      />
      <g transform={`translate(16,${legendY})`} data-testid="crosstab-legend">
        <text x={0} y={0} fill="#222" fontWeight={600}>
          {r.colVariable}
        </text>
        {r.cols.map((col, j) => (
          <g key={col} transform={`translate(${100 + (j % 4) * 150},${Math.floor(j / 4) * 18 - 10})`}>
            <rect width={12} height={12} fill={SERIES_COLOURS[j % SERIES_COLOURS.length]} />
            <text x={16} y={10} fill="#222">
              {col}
            </text>
          </g>
        ))}
      </g>
    </Figure>
  );
}
