/** Printing for humans (tables) and for scripts (`--json`: one JSON document on stdout). */
import { type ErrorBody, FedhubError } from '@fedhub/protocol';
import { HubRequestError } from '@fedhub/sdk';

export { printJson, table } from './text-output.js';

/** Significant-digit formatting for result tables. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '';
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(digits)).toString();
}

/** The error body of anything thrown, for `--json` and for the message line. */
export function errorBody(err: unknown): ErrorBody {
  if (err instanceof FedhubError || err instanceof HubRequestError) return err.toBody();
  if (err instanceof Error) return { code: 'FH_ERR_INTERNAL', message: err.message };
  return { code: 'FH_ERR_INTERNAL', message: String(err) };
}
