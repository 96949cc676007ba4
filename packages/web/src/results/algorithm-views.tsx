/** The view of each algorithm's result: tables and the matching SVG charts (registered in result-view.tsx). */
import type { DvhExtractResult, LkbResult, PingResult, RadiomicsExtractResult } from '@fedhub/protocol';
import { formatNumber, formatP, pClause } from '../charts/scale.js';
import { DrlPlot } from './drl-plot.js';
import { concordanceForestRows, coxForestRows, glmCentreForestRows, glmForestRows } from './forest.js';
import { ForestPlot } from './forest-plot.js';
import { Histogram } from './histogram.js';
import { KmPlot } from './km-plot.js';
import { NtcpPlot } from './ntcp-plot.js';
import type {
  ConcordanceMetrics,
  CoxResult,
  CrosstabResult,
  DrlResult,
  GlmResult,
  KmResult,
  QuantilesResult,
  SummaryResult,
  TtestResult,
  ValidateResult,
  ValidateSurvivalResult,
  ValidationMetrics,
} from './types.js';
import { CalibrationPlot, RocPlot } from './validation-plots.js';

function Pooled({ nodes }: { nodes: string[] }) {
  return (
    <p className="muted">
      Pooled over {nodes.length} nodes: {nodes.join(', ')}
    </p>
  );
}

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
          c.histogram ? <Histogram key={c.column} column={{ ...c, histogram: c.histogram }} /> : null,
        )}
      </div>
    </div>
  );
}

export function CrosstabView({ r }: { r: CrosstabResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="crosstab-table">
        <caption>
          {r.rowVariable} by {r.colVariable}
        </caption>
        <thead>
          <tr>
            <th scope="col">{`${r.rowVariable} \\ ${r.colVariable}`}</th>
            {r.cols.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
            <th scope="col">total</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((lvl, i) => (
            <tr key={lvl}>
              <th scope="row">{lvl}</th>
              {(r.counts[i] ?? []).map((n, j) => (
                <td key={r.cols[j]}>{n}</td>
              ))}
              <td>{r.rowTotals[i]}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">total</th>
            {r.colTotals.map((n, j) => (
              <td key={r.cols[j]}>{n}</td>
            ))}
            <td>{r.total}</td>
          </tr>
        </tbody>
      </table>
      {r.test && (
        <p data-testid="chisq-test">
          Pearson's chi-square{r.test.yates ? ' with Yates continuity correction' : ''}:{' '}
          {formatNumber(r.test.statistic, 5)} on {r.test.df} df, {pClause(r.test.pValue)}
        </p>
      )}
    </div>
  );
}

export function GlmView({ r }: { r: GlmResult }) {
  const ratio = r.link === 'logit' || r.link === 'log';
  const ratioName = r.link === 'logit' ? 'odds ratio' : 'rate ratio';
  return (
    <div>
      <p>
        <code>{`glm(${r.formula}, family = ${r.family}(${r.link}))`}</code>, n = {r.n}
      </p>
      <Pooled nodes={r.nodes} />
      <table data-testid="glm-table">
        <caption>Coefficients</caption>
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">estimate</th>
            <th scope="col">std. error</th>
            <th scope="col">p</th>
            <th scope="col">95% CI</th>
            {ratio && <th scope="col">{ratioName} (95% CI)</th>}
          </tr>
        </thead>
        <tbody>
          {r.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{formatNumber(c.estimate, 5)}</td>
              <td>{formatNumber(c.stdError, 4)}</td>
              <td>{formatP(c.pValue)}</td>
              <td>{`${formatNumber(c.ciLower)} to ${formatNumber(c.ciUpper)}`}</td>
              {ratio && (
                <td>{`${formatNumber(Math.exp(c.estimate))} (${formatNumber(Math.exp(c.ciLower ?? Number.NaN))} to ${formatNumber(Math.exp(c.ciUpper ?? Number.NaN))})`}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Residual deviance {formatNumber(r.deviance, 6)} on {r.dfResidual} df; AIC {formatNumber(r.aic, 6)}
      </p>
      <ForestPlot
        rows={glmForestRows(r.coefficients, ratio)}
        log={ratio}
        title={
          ratio ? `${ratioName[0]?.toUpperCase()}${ratioName.slice(1)}s with 95% CI` : 'Estimates with 95% CI'
        }
        xLabel={ratio ? `${ratioName} (log scale)` : 'estimate'}
        fileName="glm-forest"
      />
      {r.perCentre && r.perCentre.length > 0 && (
        <>
          <ForestPlot
            rows={glmCentreForestRows(r.coefficients, r.perCentre, ratio)}
            log={ratio}
            title={`By centre: each centre's own fit and the pooled estimate (${ratio ? `${ratioName}s` : 'estimates'} with 95% CI)`}
            xLabel={ratio ? `${ratioName} (log scale)` : 'estimate'}
            fileName="glm-forest-by-centre"
          />
          {r.perCentre.some((c) => c.error) && (
            <p className="muted" data-testid="centre-not-estimable">
              Not estimable at:{' '}
              {r.perCentre
                .filter((c) => c.error)
                .map((c) => `${c.centre} (${c.error})`)
                .join(', ')}
            </p>
          )}
        </>
      )}
    </div>
  );
}

export function CoxView({ r }: { r: CoxResult }) {
  return (
    <div>
      <p>
        <code>{`coxph(${r.formula})`}</code>, n = {r.n}, events = {r.events}; concordance{' '}
        {formatNumber(r.concordance.value)}; likelihood ratio test {pClause(r.likelihoodRatio.pValue)}
      </p>
      <Pooled nodes={r.nodes} />
      <table data-testid="cox-table">
        <caption>Hazard ratios</caption>
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">coef</th>
            <th scope="col">HR</th>
            <th scope="col">std. error</th>
            <th scope="col">p</th>
            <th scope="col">HR 95% CI</th>
          </tr>
        </thead>
        <tbody>
          {r.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{formatNumber(c.estimate, 5)}</td>
              <td>{formatNumber(c.hazardRatio)}</td>
              <td>{formatNumber(c.stdError)}</td>
              <td>{formatP(c.pValue)}</td>
              <td>{`${formatNumber(c.hrLower)} to ${formatNumber(c.hrUpper)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ForestPlot
        rows={coxForestRows(r.coefficients)}
        log
        title="Hazard ratios with 95% CI"
        xLabel="hazard ratio (log scale)"
        fileName="cox-forest"
      />
    </div>
  );
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
              <td>{c.nRisk[0] ?? 0}</td>
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

export function DrlView({ r }: { r: DrlResult }) {
  return (
    <div>
      <p className="muted">{r.method}</p>
      <Pooled nodes={r.nodes} />
      <div className="figures">
        {r.results.map((s) => (
          <DrlPlot key={`${s.exam}/${s.group}/${s.phantom}/${s.quantity}`} s={s} />
        ))}
      </div>
    </div>
  );
}

function MetricsRow({ label, m }: { label: string; m: ValidationMetrics }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{m.n}</td>
      <td>{m.events}</td>
      <td>{`${formatNumber(m.auc, 3)} (${formatNumber(m.aucCiLower, 3)} to ${formatNumber(m.aucCiUpper, 3)})`}</td>
      <td>{formatNumber(m.calibrationSlope, 3)}</td>
      <td>{formatNumber(m.calibrationInLarge, 3)}</td>
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
      <div className="figures">
        {r.pooled.roc && r.pooled.roc.length > 1 && <RocPlot r={r} />}
        {hl?.n && hl.n.length > 0 && <CalibrationPlot r={r} />}
      </div>
    </div>
  );
}

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
          {r.strata ? `, pairs within ${r.strata}` : ''}, per centre and pooled
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
        times coarsened to {r.timeResolution}, scores to {r.scoreResolution}. Standard error as
        survival::concordance (infinitesimal jackknife).
      </p>
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

export function TtestView({ r }: { r: TtestResult }) {
  return (
    <div>
      <Pooled nodes={r.nodes} />
      <table data-testid="ttest-table">
        <caption>
          {r.method}: {r.column} by {r.group}
        </caption>
        <thead>
          <tr>
            <th scope="col">{r.group}</th>
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

/** The view of any algorithm's result; unknown shapes are shown as JSON. */
export function PingView({ r }: { r: PingResult }) {
  return (
    <p data-testid="ping">
      {r.nodes.length} node(s) answered: {r.nodes.join(', ')}
    </p>
  );
}

export function RadiomicsExtractView({ r }: { r: RadiomicsExtractResult }) {
  return (
    <div>
      <p className="muted">
        Features extracted for {String(r.processed ?? 0)} of {String(r.patients ?? 0)} patients; they stay at
        each node as a derived dataset.
      </p>
      <table data-testid="radiomics-table">
        <caption>Derived datasets</caption>
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">dataset</th>
            <th scope="col">features</th>
          </tr>
        </thead>
        <tbody>
          {r.nodes.map((n) => (
            <tr key={n.node}>
              <th scope="row">{n.node}</th>
              <td>{String(n.output ?? '')}</td>
              <td>{String(n.features ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DvhExtractView({ r }: { r: DvhExtractResult }) {
  return (
    <div>
      <p className="muted">
        DVHs computed for {String(r.processed ?? 0)} of {String(r.patients ?? 0)} patients; they stay at each
        node as derived datasets.
      </p>
      <table data-testid="dvh-extract-table">
        <caption>Derived datasets</caption>
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">dataset</th>
          </tr>
        </thead>
        <tbody>
          {r.nodes.map((n) => (
            <tr key={n.node}>
              <th scope="row">{n.node}</th>
              <td>{String(n.output ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
