/** The `km` result: median survival per group, log-rank test and the Kaplan-Meier plot. */
import { formatAtRisk } from '../../charts/paths.js';
import { formatNumber, pClause } from '../../charts/scale.js';
import { KmPlot } from '../km-plot.js';
import type { KmResult } from '../types.js';
import { Pooled } from './pooled.js';

export function KmView({ r }: { r: KmResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="km-table">
        <caption>Median survival</caption>
        <thead>
          <tr>
            <th scope="col">group</th>
            <th scope="col">n</th>
            <th scope="col">median</th>
            <th scope="col">95% CI</th>
          </tr>
        </thead>
        <tbody>
          {r.curves.map((c) => (
            <tr key={c.group}>
              <th scope="row">{c.group}</th>
              <td>{formatAtRisk(c.nRisk[0] ?? 0)}</td>
              <td>{c.median ?? 'not reached'}</td>
              <td>{`${c.medianLower ?? 'NA'} to ${c.medianUpper ?? 'NA'}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.logRank && (
        <p data-testid="log-rank">
          Log-rank test: chi-square {formatNumber(r.logRank.chisq, 5)} on {r.logRank.df} df,{' '}
          {pClause(r.logRank.pValue)}
        </p>
      )}
      <KmPlot result={r} />
    </div>
  );
}
