/**
 * The coded warnings of a pooled GLM fit, as R's glm.fit gives them: separation (fitted probabilities
 * numerically 0 or 1, or Poisson rates numerically 0) and non-convergence. They name terms and counts of
 * iterations, never data values.
 */
import { type ResultWarning, resultWarning } from '@fedhub/protocol';
import type { GlmSummary } from '@fedhub/stats';

/** Warnings for a pooled GLM summary (empty when the fit is clean). */
export function glmFitWarnings(g: GlmSummary): ResultWarning[] {
  const out: ResultWarning[] = [];
  if (!g.converged)
    out.push(
      resultWarning(
        'FH_WARN_NOT_CONVERGED',
        `IRLS stopped after ${g.iterations} iterations (R: "glm.fit: algorithm did not converge")`,
      ),
    );
  if (g.boundaryRows > 0) {
    const terms = g.names.filter(
      (_, j) => Math.abs(g.estimate[j]! / g.stdError[j]!) < 1e-3 || g.stdError[j]! > 1e3,
    );
    const which = terms.length ? `; look at ${terms.join(', ')}` : '';
    out.push(
      g.family === 'poisson'
        ? resultWarning(
            'FH_WARN_SEPARATION',
            `fitted rates numerically 0 occurred (R's glm.fit warning): some estimates are infinite, their standard errors and tests meaningless${which}`,
          )
        : resultWarning(
            'FH_WARN_SEPARATION',
            `fitted probabilities numerically 0 or 1 occurred (R's glm.fit warning): the outcome is (quasi-)completely separated, some estimates are infinite, their standard errors and tests meaningless${which}`,
          ),
    );
  }
  return out;
}
