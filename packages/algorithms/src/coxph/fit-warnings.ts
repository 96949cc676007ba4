/**
 * The coded warnings of a pooled Cox fit, as survival's coxph gives them: a monotone likelihood
 * (a coefficient that diverges while the log-likelihood settles) and non-convergence. They name terms,
 * never data values.
 */
import { type ResultWarning, resultWarning } from '@fedhub/protocol';
import type { CoxSummary } from '@fedhub/stats';

/** Warnings for a pooled Cox summary (empty when the fit is clean). */
export function coxFitWarnings(s: CoxSummary): ResultWarning[] {
  const out: ResultWarning[] = [];
  const infinite = s.names.filter((_, j) => s.infinite[j] === 1);
  if (infinite.length > 0)
    out.push(
      resultWarning(
        'FH_WARN_INFINITE_ESTIMATE',
        `the log-likelihood converged before ${infinite.join(', ')} (survival's coxph: "coefficient may be infinite"); its estimate, standard error and test are meaningless`,
      ),
    );
  else if (!s.converged)
    out.push(resultWarning('FH_WARN_NOT_CONVERGED', `Newton stopped after ${s.iterations} iterations`));
  return out;
}
