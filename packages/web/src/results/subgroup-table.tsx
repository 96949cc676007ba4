/**
 * A validation's subgroup table (`validate` with `subgroup`): per declared level, pooled over every centre,
 * the records, events, AUC with its DeLong CI, Brier score, observed/expected events, and (validate 1.6.0 on)
 * the calibration slope and calibration-in-the-large with Wald CIs; or why it was
 * withheld (a centre could not release every level under its disclosure policy).
 */
import { formatEstimateCi } from '@fedhub/protocol';
import { formatNumber } from '../charts/scale.js';
import { NA } from './ci-text.js';
import type { SubgroupTable as Table } from './types.js';

export function SubgroupTable({ g }: { g: Table }) {
  if (!g.levels)
    return (
      <p data-testid="subgroup-withheld">
        Subgroups by <code>{g.column}</code>: withheld ({g.withheldReason ?? 'under the disclosure policy'}).
      </p>
    );
  return (
    <table data-testid="subgroup-table">
      <caption>
        Subgroups by <code>{g.column}</code>, pooled over every centre
      </caption>
      <thead>
        <tr>
          <th scope="col">level</th>
          <th scope="col">n</th>
          <th scope="col">events</th>
          <th scope="col">AUC (95% CI, DeLong)</th>
          <th scope="col">Brier</th>
          <th scope="col">observed / expected</th>
          <th scope="col">calibration slope (95% CI, Wald)</th>
          <th scope="col">calibration in the large (95% CI, Wald)</th>
        </tr>
      </thead>
      <tbody>
        {g.levels.map((l) => (
          <tr key={l.level}>
            <th scope="row">{l.level}</th>
            <td>{l.n}</td>
            <td>{l.events}</td>
            <td>{formatEstimateCi(l.auc, l.aucCiLower, l.aucCiUpper, 3, NA).text}</td>
            <td>{l.brier === null ? NA.missing : formatNumber(l.brier, 4)}</td>
            <td>{l.observedExpected === null ? NA.missing : formatNumber(l.observedExpected, 3)}</td>
            <td>
              {
                formatEstimateCi(
                  l.calibrationSlope ?? null,
                  l.calibrationSlopeCiLower,
                  l.calibrationSlopeCiUpper,
                  3,
                  NA,
                ).text
              }
            </td>
            <td>
              {
                formatEstimateCi(
                  l.calibrationInLarge ?? null,
                  l.calibrationInLargeCiLower,
                  l.calibrationInLargeCiUpper,
                  3,
                  NA,
                ).text
              }
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
