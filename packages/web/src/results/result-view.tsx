/** Renders a task result: tables and the matching SVG charts, by the result's shape. */
import { formatNumber, formatP, pClause } from '../charts/scale.js';
import { DrlPlot } from './drl-plot.js';
import { coxForestRows, glmForestRows } from './forest.js';
import { ForestPlot } from './forest-plot.js';
import { Histogram } from './histogram.js';
import { KmPlot } from './km-plot.js';
import {
  type CoxResult,
  type CrosstabResult,
  type DrlResult,
  type GlmResult,
  type KmResult,
  resultKind,
  type SummaryResult,
} from './types.js';

function Pooled({ nodes }: { nodes: string[] }) {
  return (
    <p className="muted">
      Pooled over {nodes.length} nodes: {nodes.join(', ')}
    </p>
  );
}

function SummaryView({ r }: { r: SummaryResult }) {
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

function CrosstabView({ r }: { r: CrosstabResult }) {
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
    </div>
  );
}

function GlmView({ r }: { r: GlmResult }) {
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
    </div>
  );
}

function CoxView({ r }: { r: CoxResult }) {
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

function KmView({ r }: { r: KmResult }) {
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

function DrlView({ r }: { r: DrlResult }) {
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

/** The view of any algorithm's result; unknown shapes are shown as JSON. */
export function ResultView({ result }: { result: unknown }) {
  switch (resultKind(result)) {
    case 'summary':
      return <SummaryView r={result as SummaryResult} />;
    case 'crosstab':
      return <CrosstabView r={result as CrosstabResult} />;
    case 'glm':
      return <GlmView r={result as GlmResult} />;
    case 'coxph':
      return <CoxView r={result as CoxResult} />;
    case 'km':
      return <KmView r={result as KmResult} />;
    case 'drl-survey':
      return <DrlView r={result as DrlResult} />;
    default:
      return <pre className="json">{JSON.stringify(result, null, 2)}</pre>;
  }
}
