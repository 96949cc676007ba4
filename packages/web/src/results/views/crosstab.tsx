/** The `crosstab` and `chisq` result: the contingency table and Pearson's chi-square test. */
import { formatNumber, pClause } from '../../charts/scale.js';
import type { CrosstabResult } from '../types.js';
import { Pooled } from './pooled.js';

export function CrosstabView({ r }: { r: CrosstabResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
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
                <td key={r.cols[j]}>{n}</td>
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
      {r.test && (
        <p data-testid="chisq-test">
          Pearson's chi-square{r.test.yates ? ' with Yates continuity correction' : ''}:{' '}
          {formatNumber(r.test.statistic, 5)} on {r.test.df} df, {pClause(r.test.pValue)}
        </p>
      )}
    </div>
  );
}
