/** The `coxph` result: hazard ratios table and forest plot. */
import { formatRatioCi } from '@fedhub/protocol';
import { formatNumber, formatP, pClause } from '../../charts/scale.js';
import { ciRange, NA } from '../ci-text.js';
import { coxForestRows, withReferenceLevels } from '../forest.js';
import { ForestPlot } from '../forest-plot.js';
import { CoxExtrasView } from '../model-extras-view.js';
import type { CoxResult } from '../types.js';
import { Pooled } from './pooled.js';

export function CoxView({ r }: { r: CoxResult }) {
  return (
    <div>
      <p>
        <code>{`coxph(${r.formula})`}</code>, n = {r.n}, events = {r.events}; concordance{' '}
        {formatNumber(r.concordance.value)}; likelihood ratio test {pClause(r.likelihoodRatio.pValue)}
      </p>
      {r.timeResolution !== undefined && (
        <p className="muted" data-testid="cox-time-resolution">
          Event times coarsened up to multiples of {r.timeResolution} (timeResolution, in the time column's
          unit)
        </p>
      )}
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
              <td>{formatRatioCi(c.hazardRatio, c.hrLower, c.hrUpper, 3, NA).estimate}</td>
              <td>{formatNumber(c.stdError)}</td>
              <td>{formatP(c.pValue)}</td>
              <td>{ciRange(formatRatioCi(c.hazardRatio, c.hrLower, c.hrUpper, 3, NA))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ForestPlot
        rows={withReferenceLevels(coxForestRows(r.coefficients), r.levels, 1)}
        log
        title="Hazard ratios with 95% CI"
        xLabel="hazard ratio (log scale)"
        textHeading="HR (95% CI)"
        fileName="cox-forest"
      />
      <CoxExtrasView r={r} />
    </div>
  );
}
