/** The `km` result: median survival per group, log-rank test and the Kaplan-Meier plot. */
import { formatAtRisk, kmGroupSize } from '../../charts/paths.js';
import { formatNumber, pClause } from '../../charts/scale.js';
import { KmPlot } from '../km-plot.js';
import type { KmCurve, KmResult } from '../types.js';
import { Pooled } from './pooled.js';

/**
 * The median as released: a time, "not reached", or "~m in (a, b]" when it falls inside a merged interval
 * (the data place it only within that interval).
 */
export function kmMedianText(c: Pick<KmCurve, 'median' | 'medianInterval'>): string {
  if (c.median === null) return 'not reached';
  if (c.medianInterval)
    return `~${formatNumber(c.median, 4)} in (${c.medianInterval[0]}, ${c.medianInterval[1]}]`;
  return formatNumber(c.median, 6);
}

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
              <td>{formatAtRisk(kmGroupSize(c))}</td>
              <td>{kmMedianText(c)}</td>
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
