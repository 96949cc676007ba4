/** The `crosstab` and `chisq` result: the contingency table and Pearson's chi-square test. */
import { useState } from 'react';
import { type CrosstabScale, crosstabCells, formatPercent } from '../../charts/crosstab-percent.js';
import { toCsv } from '../../charts/csv.js';
import { formatNumber, pClause } from '../../charts/scale.js';
import { CrosstabChart } from '../crosstab-chart.js';
import { downloadBlob } from '../export.js';
import type { CrosstabResult } from '../types.js';
import { Pooled } from './pooled.js';

function cell(scale: CrosstabScale, n: number, p: number | null | undefined): string {
  return scale === 'count' ? String(n) : `${n} (${formatPercent(p ?? null)})`;
}

/** The table as CSV: counts with row and column percentages. */
function crosstabCsv(r: CrosstabResult): string {
  const row = crosstabCells(r.counts, 'row');
  const col = crosstabCells(r.counts, 'col');
  return toCsv(
    [r.rowVariable, r.colVariable, 'count', 'row_percent', 'col_percent'],
    r.rows.flatMap((lvl, i) =>
      r.cols.map((c, j) => [lvl, c, r.counts[i]?.[j] ?? 0, row[i]?.[j] ?? null, col[i]?.[j] ?? null]),
    ),
  );
}

export function CrosstabView({ r }: { r: CrosstabResult }) {
  const [scale, setScale] = useState<CrosstabScale>('count');
  const pct = crosstabCells(r.counts, scale === 'count' ? 'row' : scale);
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <div className="export-bar">
        <label>
          Show{' '}
          <select
            data-testid="crosstab-scale"
            value={scale}
            onChange={(e) => setScale(e.currentTarget.value as CrosstabScale)}
          >
            <option value="count">counts</option>
            <option value="row">counts and row %</option>
            <option value="col">counts and column %</option>
          </select>
        </label>
        <button
          type="button"
          onClick={() =>
            downloadBlob(
              `crosstab-${r.rowVariable}-${r.colVariable}.csv`,
              new Blob([crosstabCsv(r)], { type: 'text/csv' }),
            )
          }
        >
          Download table (CSV)
        </button>
      </div>
      <table data-testid="crosstab-table">
        <caption>
          {r.rowVariable} by {r.colVariable}
        </caption>
        <thead>
          <tr>
            <th scope="col">{`${r.rowVariable} \\ ${r.colVariable}`}</th>
            {r.cols.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
            <th scope="col">total</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((lvl, i) => (
            <tr key={lvl}>
              <th scope="row">{lvl}</th>
              {(r.counts[i] ?? []).map((n, j) => (
                <td key={r.cols[j]}>{cell(scale, n, pct[i]?.[j])}</td>
              ))}
              <td>{r.rowTotals[i]}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">total</th>
            {r.colTotals.map((n, j) => (
              <td key={r.cols[j]}>{n}</td>
            ))}
            <td>{r.total}</td>
          </tr>
        </tbody>
      </table>
      <CrosstabChart r={r} />
      {r.test && (
        <p data-testid="chisq-test">
          Pearson's chi-square{r.test.yates ? ' with Yates continuity correction' : ''}:{' '}
          {formatNumber(r.test.statistic, 5)} on {r.test.df} df, {pClause(r.test.pValue)}
        </p>
      )}
    </div>
  );
}
