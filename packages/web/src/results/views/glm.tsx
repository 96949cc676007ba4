/** The `glm` result: coefficients table, forest plot and per-centre forest plot. */
import { formatEstimateCi, formatRatioCi } from '@fedhub/protocol';
import { formatNumber, formatP } from '../../charts/scale.js';
import { ciRange, NA } from '../ci-text.js';
import { glmCentreForestRows, glmForestRows, withReferenceLevels } from '../forest.js';
import { ForestPlot } from '../forest-plot.js';
import { GlmExtrasView } from '../model-extras-view.js';
import type { GlmResult } from '../types.js';
import { Pooled } from './pooled.js';

export function GlmView({ r }: { r: GlmResult }) {
  const ratio = r.link === 'logit' || r.link === 'log';
  const ratioName = r.link === 'logit' ? 'odds ratio' : 'rate ratio';
  return (
    <div>
      <p>
        <code>{`glm(${r.formula}, family = ${r.family}(${r.link}))`}</code>, n = {r.n}
      </p>
      <Pooled nodes={r.nodes} />
      {r.ciMethod === 'profile' && (
        <p className="muted" data-testid="glm-ci-method">
          Intervals: profile likelihood, as R confint(fit) (MASS profile.glm).
        </p>
      )}
      <table data-testid="glm-table">
        <caption>Coefficients</caption>
        <thead>
          <tr>
            <th scope="col">term</th>
            <th scope="col">estimate</th>
            <th scope="col">std. error</th>
            <th scope="col">p</th>
            <th scope="col">{r.ciMethod === 'profile' ? 'profile 95% CI' : '95% CI'}</th>
            {ratio && <th scope="col">{ratioName} (95% CI)</th>}
          </tr>
        </thead>
        <tbody>
          {r.coefficients.map((c) => (
            <tr key={c.term}>
              <th scope="row">{c.term}</th>
              <td>{formatEstimateCi(c.estimate, c.ciLower, c.ciUpper, 4, NA).estimate}</td>
              <td>{formatNumber(c.stdError, 4)}</td>
              <td>{formatP(c.pValue)}</td>
              <td>{ciRange(formatEstimateCi(c.estimate, c.ciLower, c.ciUpper, 4, NA))}</td>
              {ratio && (
                <td>
                  {c.term === '(Intercept)'
                    ? ''
                    : formatRatioCi(
                        Math.exp(c.estimate),
                        Math.exp(c.ciLower ?? Number.NaN),
                        Math.exp(c.ciUpper ?? Number.NaN),
                        3,
                        NA,
                      ).text}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Residual deviance {formatNumber(r.deviance, 6)} on {r.dfResidual} df; AIC {formatNumber(r.aic, 6)}
      </p>
      <GlmExtrasView r={r} />
      <ForestPlot
        rows={withReferenceLevels(glmForestRows(r.coefficients, ratio), r.levels, ratio ? 1 : 0)}
        log={ratio}
        title={
          ratio ? `${ratioName[0]?.toUpperCase()}${ratioName.slice(1)}s with 95% CI` : 'Estimates with 95% CI'
        }
        xLabel={ratio ? `${ratioName} (log scale)` : 'estimate'}
        textHeading={ratio ? `${r.link === 'logit' ? 'OR' : 'ratio'} (95% CI)` : 'estimate (95% CI)'}
        fileName="glm-forest"
      />
      {r.perCentre && r.perCentre.length > 0 && (
        <>
          <ForestPlot
            rows={glmCentreForestRows(r.coefficients, r.perCentre, ratio, r.levels)}
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
