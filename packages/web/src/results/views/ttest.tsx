/** The `ttest` result: group means and Welch/Student t-test. */
import { formatNumber, pClause } from '../../charts/scale.js';
import type { TtestResult } from '../types.js';
import { Pooled } from './pooled.js';

export function TtestView({ r }: { r: TtestResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="ttest-table">
        <caption>
          {r.method}: {r.column} {r.pairedWith ? `and ${r.pairedWith}` : `by ${r.group}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">{r.group ?? 'difference'}</th>
            <th scope="col">n</th>
            <th scope="col">mean</th>
            <th scope="col">sd</th>
          </tr>
        </thead>
        <tbody>
          {r.groups.map((g) => (
            <tr key={g.level}>
              <th scope="row">{g.level}</th>
              <td>{g.n}</td>
              <td>{formatNumber(g.mean, 5)}</td>
              <td>{formatNumber(g.sd, 5)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        t = {formatNumber(r.statistic, 5)}, df = {formatNumber(r.df, 5)}, {pClause(r.pValue)}; difference{' '}
        {formatNumber(r.difference, 5)} ({Math.round(r.confLevel * 100)}% CI {formatNumber(r.ciLower, 5)} to{' '}
        {formatNumber(r.ciUpper, 5)})
      </p>
    </div>
  );
}
