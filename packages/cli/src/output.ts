/** Printing for humans (tables) and for scripts (`--json`: one JSON document on stdout). */
import { type ErrorBody, FedhubError } from '@fedhub/protocol';
import { HubRequestError } from '@fedhub/sdk';
import { formatNumber } from './format-number.js';

export { printJson, table } from './text-output.js';

/**
 * Significant-digit formatting for result tables: R's `format(x, digits = digits)` (the shared
 * `formatNumber`), counts and other integers in full, an empty cell for a missing value.
 */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return formatNumber(x, digits, { missing: '' });
}

/** The error body of anything thrown, for `--json` and for the message line. */
export function errorBody(err: unknown): ErrorBody {
  if (err instanceof FedhubError || err instanceof HubRequestError) return err.toBody();
  if (err instanceof Error) return { code: 'FH_ERR_INTERNAL', message: err.message };
  return { code: 'FH_ERR_INTERNAL', message: String(err) };
}
