/** The `lkb` result: LKB NTCP estimates with profile-likelihood intervals and the NTCP curve. */
import type { LkbResult } from '@fedhub/protocol';
import { formatNumber } from '../../charts/scale.js';
import { NtcpPlot } from '../ntcp-plot.js';

export function LkbView({ r }: { r: LkbResult }) {
  const names = ['TD50', 'm', 'n'] as const;
  const bound = (b: number | null, open: string) => (b === null ? open : formatNumber(b, 4));
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
      {r.ntcpCurve ? <NtcpPlot curve={r.ntcpCurve} confLevel={r.confLevel} /> : null}
    </div>
  );
}
