/** The `validate` result: discrimination and calibration of a frozen model, per centre, pooled and per subgroup. */
import { formatEstimateCi, formatFixed } from '@fedhub/protocol';
import { formatNumber, pClause } from '../../charts/scale.js';
import { NA } from '../ci-text.js';
import { ForestPlot } from '../forest-plot.js';
import { SubgroupTable } from '../subgroup-table.js';
import type { ValidateResult, ValidationMetrics } from '../types.js';
import { CalibrationPlot, RocPlot } from '../validation-plots.js';
import { Pooled } from './pooled.js';

function MetricsRow({ label, m }: { label: string; m: ValidationMetrics }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{m.n}</td>
      <td>{m.events}</td>
      <td>{formatEstimateCi(m.auc, m.aucCiLower, m.aucCiUpper, 3, NA).text}</td>
      <td>{formatNumber(m.calibrationSlope, 3)}</td>
      <td>{formatFixed(m.calibrationInLarge, 3, NA)}</td>
      <td>{formatNumber(m.brier, 4)}</td>
    </tr>
  );
}

export function ValidateView({ r }: { r: ValidateResult }) {
  const hl = r.pooled.hosmerLemeshow;
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="validate-table">
        <caption>Discrimination and calibration of the frozen model, per centre and pooled</caption>
        <thead>
          <tr>
            <th scope="col">centre</th>
            <th scope="col">n</th>
            <th scope="col">events</th>
            <th scope="col">AUC (95% CI, DeLong)</th>
            <th scope="col">calibration slope</th>
            <th scope="col">calibration-in-the-large</th>
            <th scope="col">Brier</th>
          </tr>
        </thead>
        <tbody>
          {(r.perCentre ?? []).map((c) => (
            <MetricsRow key={c.centre} label={c.centre} m={c} />
          ))}
          <MetricsRow label="pooled" m={r.pooled} />
        </tbody>
      </table>
      {hl?.statistic !== undefined && (
        <p data-testid="hosmer-lemeshow">
          Hosmer–Lemeshow: chi-square {formatNumber(hl.statistic, 5)} on {hl.df} df, {pClause(hl.pValue)}
        </p>
      )}
      {r.subgroups && <SubgroupTable g={r.subgroups} />}
      {r.perCentre && r.perCentre.length > 0 && (
        <ForestPlot
          rows={[
            ...r.perCentre.map((c) => ({
              term: 'AUC',
              label: c.centre,
              estimate: c.auc,
              lower: c.aucCiLower,
              upper: c.aucCiUpper,
            })),
            {
              term: 'AUC',
              label: 'pooled',
              estimate: r.pooled.auc,
              lower: r.pooled.aucCiLower,
              upper: r.pooled.aucCiUpper,
              pooled: true,
            },
          ]}
          log={false}
          reference={0.5}
          title="AUC per centre and pooled, with 95% CI (DeLong)"
          xLabel="AUC (0.5: no discrimination)"
          textHeading="AUC (95% CI)"
          fileName={`auc-by-centre-${r.outcome}`}
        />
      )}
      <div className="figures">
        {r.pooled.roc && r.pooled.roc.length > 1 && <RocPlot r={r} />}
        {hl?.n && hl.n.length > 0 && <CalibrationPlot r={r} />}
      </div>
    </div>
  );
}
