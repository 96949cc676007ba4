/** The `validate-survival` result: Harrell's C of a frozen survival model, per centre and pooled. */
import { formatNumber } from '../../charts/scale.js';
import { concordanceForestRows } from '../forest.js';
import { ForestPlot } from '../forest-plot.js';
import type { ConcordanceMetrics, ValidateSurvivalResult } from '../types.js';
import { Pooled } from './pooled.js';

function ConcordanceRow({ label, m }: { label: string; m: ConcordanceMetrics }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{m.n}</td>
      <td>{m.events}</td>
      <td>{formatNumber(m.concordance, 3)}</td>
      <td>{formatNumber(m.stdError, 3)}</td>
      <td>{`${formatNumber(m.ciLower, 3)} to ${formatNumber(m.ciUpper, 3)}`}</td>
    </tr>
  );
}

export function ValidateSurvivalView({ r }: { r: ValidateSurvivalResult }) {
  const p = r.pooled;
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="validate-survival-table">
        <caption>
          Harrell's C of the frozen model on Surv({r.time}, {r.event})
          {r.strata ? `, pairs within strata of ${r.strata}` : ''}
          {r.adjustForCentre ? ', pairs within each centre (a model stratified by centre)' : ''}, per centre
          and pooled
        </caption>
        <thead>
          <tr>
            <th scope="col">centre</th>
            <th scope="col">n</th>
            <th scope="col">events</th>
            <th scope="col">Harrell's C</th>
            <th scope="col">std. error</th>
            <th scope="col">95% CI</th>
          </tr>
        </thead>
        <tbody>
          {(r.perCentre ?? []).map((c) => (
            <ConcordanceRow key={c.centre} label={c.centre} m={c} />
          ))}
          <ConcordanceRow label="pooled" m={p} />
        </tbody>
      </table>
      <p className="muted" data-testid="concordance-pairs">
        Pooled pairs: {p.concordant} concordant, {p.discordant} discordant, {p.tiedScore} tied on the score;
        times coarsened to {r.timeResolution}
        {r.timeResolutionBasis?.startsWith('default') ? ` (${r.timeResolutionBasis})` : ''}, scores to{' '}
        {r.scoreResolution}. Standard error as survival::concordance (infinitesimal jackknife).
      </p>
      {p.uno && (
        <p data-testid="uno-c">
          Uno's C (censoring weights 1/G²
          {r.strata ? ` with G per stratum of ${r.strata}` : r.adjustForCentre ? ' with G per centre' : ''},
          survival::concordance timewt = "n/G2"): {formatNumber(p.uno.concordance, 3)} (95% CI{' '}
          {formatNumber(p.uno.ciLower, 3)} to {formatNumber(p.uno.ciUpper, 3)})
        </p>
      )}
      {p.timeDependentAuc && (
        <table data-testid="td-auc-table">
          <caption>Time-dependent AUC (cumulative cases, dynamic controls, IPCW; Blanche 2013)</caption>
          <thead>
            <tr>
              <th scope="col">time</th>
              <th scope="col">AUC</th>
              <th scope="col">std. error</th>
              <th scope="col">95% CI</th>
              <th scope="col">cases</th>
              <th scope="col">controls</th>
              <th scope="col">exact at time</th>
            </tr>
          </thead>
          <tbody>
            {p.timeDependentAuc.map((a) => (
              <tr key={a.time}>
                <th scope="row">{a.time}</th>
                <td>{a.auc === null ? 'not estimable' : formatNumber(a.auc, 3)}</td>
                <td>{a.auc === null || a.se == null ? '' : formatNumber(a.se, 3)}</td>
                <td>
                  {a.auc === null || a.lower == null || a.upper == null
                    ? ''
                    : `${formatNumber(a.lower, 3)} to ${formatNumber(a.upper, 3)}`}
                </td>
                <td>{a.cases ?? ''}</td>
                <td>{a.controls ?? ''}</td>
                <td>{a.timeUsed ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.timeDependentAuc?.some((a) => a.se != null) && (
        <p className="muted" data-testid="td-auc-note">
          AUC(t) standard error as timeROC (iid = TRUE) on the coarsened data; 95% CI Wald on the AUC scale,
          clipped to [0, 1].
        </p>
      )}
      <ForestPlot
        rows={concordanceForestRows(r)}
        log={false}
        reference={0.5}
        title="Harrell's C with 95% CI, per centre and pooled"
        xLabel="Harrell's C (0.5: no discrimination)"
        fileName="concordance-by-centre"
      />
    </div>
  );
}
