/** The `quantiles` result: the quantile table. */
import { formatNumber } from '../../charts/scale.js';
import type { QuantilesResult } from '../types.js';
import { Pooled } from './pooled.js';

export function QuantilesView({ r }: { r: QuantilesResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="quantiles-table">
        <caption>
          Quantiles of {r.column} (n = {r.n}, R type {r.type})
        </caption>
        <thead>
          <tr>
            <th scope="col">probability</th>
            <th scope="col">value</th>
          </tr>
        </thead>
        <tbody>
          {r.quantiles.map((q) => (
            <tr key={q.prob}>
              <th scope="row">{q.prob}</th>
              <td>{formatNumber(q.value, 6)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
