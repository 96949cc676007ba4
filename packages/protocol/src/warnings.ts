/**
 * The catalogue of coded warnings a result may carry: the fit or test ran, but a statistician should
 * read it with care (R prints these as `Warning message:` lines). Each is `{ code, message }`; the
 * message names columns, terms or counts of the pooled release, never a data value.
 *
 * @example
 * { code: 'FH_WARN_SEPARATION', message: 'fitted probabilities numerically 0 or 1 occurred: ...' }
 */
import { z } from 'zod';

export const WARNING_CATALOGUE = {
  FH_WARN_SEPARATION: 'Fitted probabilities numerically 0 or 1 occurred: the data separate the outcome',
  FH_WARN_INFINITE_ESTIMATE: 'A coefficient diverges (monotone likelihood): its estimate is infinite',
  FH_WARN_NOT_CONVERGED: 'The fit did not converge',
  FH_WARN_SMALL_EXPECTED: 'Chi-squared approximation may be incorrect: expected counts under 5',
  FH_WARN_MISSING_DROPPED: 'Records with a missing value were dropped',
  FH_WARN_TIMES_COARSENED: 'Times were rounded to the time resolution before fitting',
} as const;
export type WarningCode = keyof typeof WARNING_CATALOGUE;

export const ResultWarningSchema = z
  .object({
    code: z.enum(Object.keys(WARNING_CATALOGUE) as [WarningCode, ...WarningCode[]]),
    message: z.string().max(500),
  })
  .meta({ id: 'ResultWarning' });
export type ResultWarning = z.infer<typeof ResultWarningSchema>;

/** A warning with the catalogue's text, followed by a specific detail when given. */
export function resultWarning(code: WarningCode, detail?: string): ResultWarning {
  return { code, message: detail ? `${WARNING_CATALOGUE[code]}: ${detail}` : WARNING_CATALOGUE[code] };
}
