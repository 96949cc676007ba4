/** The `summary` result: per-column n, missing, mean and sd, with each column's histogram. */
import { formatNumber } from '../../charts/scale.js';
import { Histogram } from '../histogram.js';
import { MergedBinsNote } from '../merged-bins.js';
import type { SummaryResult } from '../types.js';
import { Pooled } from './pooled.js';

export function SummaryView({ r }: { r: SummaryResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="summary-table">
        <caption>Summary statistics</caption>
        <thead>
          <tr>
            <th scope="col">column</th>
            <th scope="col">n</th>
            <th scope="col">missing</th>
            <th scope="col">mean</th>
            <th scope="col">sd</th>
          </tr>
        </thead>
        <tbody>
          {r.columns.map((c) => (
            <tr key={c.column}>
              <th scope="row">{c.column}</th>
              <td>{c.n}</td>
              <td>{c.missing}</td>
              <td>{formatNumber(c.mean)}</td>
              <td>{formatNumber(c.sd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="figures">
        {r.columns.map((c) =>
          // every bin merged into one (fewer than two released edges): the note below says so, no plot
          c.histogram && c.histogram.breaks.length >= 2 ? (
            <Histogram key={c.column} column={{ ...c, histogram: c.histogram }} />
          ) : null,
        )}
      </div>
      {r.columns.map((c) => (
        <MergedBinsNote key={c.column} column={c.column} histogram={c.histogram} />
      ))}
    </div>
  );
}
