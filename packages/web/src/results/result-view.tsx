/**
 * Renders a task result with its algorithm's view. Views are registered here by algorithm name, one
 * entry per algorithm, each view in its own file under `views/` (a test walks the algorithms and fails when one has no view); a result of an
 * algorithm without a view is shown as JSON. Nothing is guessed from the result's fields.
 */
import type { ComponentType } from 'react';
import { CoxView } from './views/coxph.js';
import { CrosstabView } from './views/crosstab.js';
import { DrlView } from './views/drl-survey.js';
import { DvhBandsView } from './views/dvh-bands.js';
import { DvhExtractView } from './views/dvh-extract.js';
import { GlmView } from './views/glm.js';
import { KmView } from './views/km.js';
import { LkbView } from './views/lkb.js';
import { PingView } from './views/ping.js';
import { QuantilesView } from './views/quantiles.js';
import { RadiomicsExtractView } from './views/radiomics-extract.js';
import { SummaryView } from './views/summary.js';
import { TtestView } from './views/ttest.js';
import { ValidateView } from './views/validate.js';
import { ValidateImagingView } from './views/validate-imaging.js';
import { ValidateSurvivalView } from './views/validate-survival.js';

/** The view of each algorithm's result, by algorithm name. */
// biome-ignore lint/suspicious/noExplicitAny: each view reads the result shape of its own algorithm
export const RESULT_VIEWS: Readonly<Record<string, ComponentType<{ r: any }>>> = {
  ping: PingView,
  summary: SummaryView,
  crosstab: CrosstabView,
  chisq: CrosstabView,
  quantiles: QuantilesView,
  ttest: TtestView,
  glm: GlmView,
  coxph: CoxView,
  km: KmView,
  validate: ValidateView,
  'validate-survival': ValidateSurvivalView,
  'drl-survey': DrlView,
  'radiomics-extract': RadiomicsExtractView,
  lkb: LkbView,
  'dvh-extract': DvhExtractView,
  'dvh-bands': DvhBandsView,
  'validate-imaging': ValidateImagingView,
};

export function ResultView({ algorithm, result }: { algorithm: string; result: unknown }) {
  const View = Object.hasOwn(RESULT_VIEWS, algorithm) ? RESULT_VIEWS[algorithm] : undefined;
  if (!View || result === null || typeof result !== 'object')
    return <pre className="json">{JSON.stringify(result, null, 2)}</pre>;
  return (
    <>
      <View r={result} />
      <ResultWarnings result={result} />
    </>
  );
}

/** The result's coded warnings (separation, infinite estimates, missing values dropped, ...), as R prints them. */
function ResultWarnings({ result }: { result: object }) {
  const ws = (result as { warnings?: unknown }).warnings;
  if (!Array.isArray(ws) || ws.length === 0) return null;
  return (
    <ul className="warnings" aria-label="warnings">
      {ws.map((w) => {
        const { code, message } = w as { code?: string; message?: string };
        return (
          <li key={`${code}:${message}`} role="alert">
            <strong>Warning</strong> ({code}): {message}
          </li>
        );
      })}
    </ul>
  );
}
