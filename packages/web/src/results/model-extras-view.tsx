/**
 * The models' optional sections: the GLM's negative binomial theta, robust standard errors and likelihood-ratio
 * tests; coxph's per-term Wald tests and proportional-hazards test.
 */
import { formatNumber, formatP, pClause } from '../charts/scale.js';
import { CoxCurvesPlot } from './cox-curves-plot.js';
import type { CoxResult, GlmResult } from './types.js';

const ROBUST_TITLE: Record<string, string> = {
  HC0: 'Robust (sandwich HC0) standard errors',
  'cluster-centre': 'Cluster-robust standard errors, the centre as the cluster',
  'cluster-column': 'Cluster-robust standard errors, clusters from the cluster column',
};

export function GlmExtrasView({ r }: { r: GlmResult }) {
  return (
    <>
      {typeof r.theta === 'number' && (
        <p data-testid="glm-theta">
          Negative binomial theta {formatNumber(r.theta, 6)} (std. error {formatNumber(r.seTheta, 4)})
        </p>
      )}
      {r.robust && (
        <table data-testid="glm-robust-table">
          <caption>
            {ROBUST_TITLE[r.robust.type] ?? r.robust.type}
            {typeof r.robust.clusters === 'number' ? ` (${r.robust.clusters} clusters)` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">term</th>
              <th scope="col">estimate</th>
              <th scope="col">robust s.e.</th>
              <th scope="col">p</th>
              <th scope="col">95% CI</th>
            </tr>
          </thead>
          <tbody>
            {r.robust.coefficients.map((c) => (
              <tr key={c.term}>
                <th scope="row">{c.term}</th>
                <td>{formatNumber(c.estimate, 5)}</td>
                <td>{formatNumber(c.stdError, 4)}</td>
                <td>{formatP(c.pValue)}</td>
                <td>{`${formatNumber(c.ciLower)} to ${formatNumber(c.ciUpper)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.anova && (
        <table data-testid="glm-anova-table">
          <caption>Analysis of deviance: terms added sequentially, likelihood-ratio tests</caption>
          <thead>
            <tr>
              <th scope="col">term</th>
              <th scope="col">df</th>
              <th scope="col">deviance</th>
              <th scope="col">resid. df</th>
              <th scope="col">resid. deviance</th>
              <th scope="col">p</th>
            </tr>
          </thead>
          <tbody>
            {r.anova.map((a) => (
              <tr key={a.term}>
                <th scope="row">{a.term}</th>
                <td>{a.df}</td>
                <td>{formatNumber(a.deviance, 6)}</td>
                <td>{a.residDf}</td>
                <td>{formatNumber(a.residDeviance, 6)}</td>
                <td>{formatP(a.pValue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ChiSquareTable({ caption, rows, testId }: { caption: string; rows: CoxTestRow[]; testId: string }) {
  return (
    <table data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">term</th>
          <th scope="col">chi-square</th>
          <th scope="col">df</th>
          <th scope="col">p</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.term}>
            <th scope="row">{t.term}</th>
            <td>{formatNumber(t.chisq, 5)}</td>
            <td>{t.df}</td>
            <td>{formatP(t.pValue)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type CoxTestRow = NonNullable<CoxResult['termTests']>[number];

function CoxRobustTable({ robust }: { robust: NonNullable<CoxResult['robust']> }) {
  const by =
    robust.cluster === 'individual'
      ? 'every record its own cluster'
      : robust.cluster === 'centre'
        ? 'the centre as the cluster'
        : `clusters of ${robust.cluster}`;
  const tests = [
    robust.wald.statistic !== null
      ? `robust Wald test ${formatNumber(robust.wald.statistic)} on ${robust.wald.df} df, ${pClause(robust.wald.pValue)}`
      : null,
    robust.score && robust.score.statistic !== null
      ? `robust score test ${formatNumber(robust.score.statistic)} on ${robust.score.df} df, ${pClause(robust.score.pValue)}`
      : null,
  ].filter((t): t is string => t !== null);
  return (
    <>
      <table data-testid="cox-robust">
        <caption>{`Robust standard errors (${by}, ${robust.clusters} clusters)`}</caption>
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">robust se</th>
            <th scope="col">z</th>
            <th scope="col">p</th>
            <th scope="col">HR 95% CI</th>
          </tr>
        </thead>
        <tbody>
          {robust.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{formatNumber(c.robustSe)}</td>
              <td>{formatNumber(c.z)}</td>
              <td>{formatP(c.pValue)}</td>
              <td>{`${formatNumber(c.hrLower, 3)} to ${formatNumber(c.hrUpper, 3)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tests.length > 0 && (
        <p className="muted" data-testid="cox-robust-tests">
          {tests.join('; ')}
        </p>
      )}
    </>
  );
}

export function CoxExtrasView({ r }: { r: CoxResult }) {
  return (
    <>
      {r.termTests && r.termTests.length > 0 && (
        <ChiSquareTable
          testId="cox-term-tests"
          caption="Wald tests per term (a factor's levels together)"
          rows={r.termTests}
        />
      )}
      {r.proportionalHazards && (
        <ChiSquareTable
          testId="cox-ph-test"
          caption={`Proportional-hazards test (cox.zph, transform "${r.proportionalHazards.transform}")`}
          rows={r.proportionalHazards.table}
        />
      )}
      {r.robust && <CoxRobustTable robust={r.robust} />}
      {r.survivalCurves && (
        <CoxCurvesPlot curves={r.survivalCurves} time={/Surv\(\s*([^,\s]+)/.exec(r.formula)?.[1] ?? 'time'} />
      )}
    </>
  );
}
