/** The `lkb` result: LKB NTCP estimates with profile-likelihood intervals and the NTCP curve. */
import { type LkbResult, ntcpReferencesFor } from '@fedhub/protocol';
import { formatNumber } from '../../charts/scale.js';
import { NtcpPlot } from '../ntcp-plot.js';

export function LkbView({ r }: { r: LkbResult }) {
  const names = ['TD50', 'm', 'n'] as const;
  const bound = (b: number | null, open: string) => (b === null ? open : formatNumber(b, 4));
  const organ = ntcpReferencesFor(r.organ);
  return (
    <div>
      <p className="muted">
        Lyman–Kutcher–Burman NTCP: {r.patients} patients, {r.events} with the complication; log-likelihood{' '}
        {formatNumber(r.logLik, 8)}
      </p>
      <table data-testid="lkb-table">
        <caption>Estimates with {Math.round(r.confLevel * 100)}% profile-likelihood intervals</caption>
        <thead>
          <tr>
            <th scope="col">parameter</th>
            <th scope="col">estimate</th>
            <th scope="col">interval</th>
          </tr>
        </thead>
        <tbody>
          {names.map((k) => {
            const b = r.profileIntervals?.[k];
            return (
              <tr key={k}>
                <th scope="row">{k === 'TD50' ? 'TD50 (Gy)' : k}</th>
                <td>{formatNumber(r.estimates[k], 4)}</td>
                <td>{b ? `${bound(b[0], '-∞')} to ${bound(b[1], '∞')}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {organ ? (
        <table data-testid="ntcp-references">
          <caption>
            Published parameters for {organ.organ}
            {organ.organ === r.organ ? '' : ` (${r.organ})`}, fitted on other cohorts: for comparison, not as
            a check
          </caption>
          <thead>
            <tr>
              <th scope="col">source</th>
              <th scope="col">endpoint</th>
              <th scope="col">TD50 (Gy)</th>
              <th scope="col">m</th>
              <th scope="col">n</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">this federation</th>
              <td>as fitted</td>
              <td>{formatNumber(r.estimates.TD50, 3)}</td>
              <td>{formatNumber(r.estimates.m, 3)}</td>
              <td>{formatNumber(r.estimates.n, 3)}</td>
            </tr>
            {organ.references.map((ref) => (
              <tr key={`${ref.source}-${ref.endpoint}`}>
                <th scope="row">{ref.source}</th>
                <td>{ref.endpoint}</td>
                <td>{formatNumber(ref.TD50)}</td>
                <td>{formatNumber(ref.m)}</td>
                <td>{formatNumber(ref.n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : r.organ ? (
        <p className="muted">No published reference parameters for the structure {r.organ}.</p>
      ) : null}
      {r.ntcpCurve ? (
        <NtcpPlot curve={r.ntcpCurve} confLevel={r.confLevel} references={organ?.references ?? []} />
      ) : null}
    </div>
  );
}
