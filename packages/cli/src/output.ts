/** Printing for humans (tables) and for scripts (`--json`: one JSON document on stdout). */
import { type ErrorBody, FedhubError } from '@fedhub/protocol';
import { HubRequestError } from '@fedhub/sdk';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain text table with aligned columns. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const isNum = headers.map(
    (_, i) => cells.length > 0 && cells.every((r) => /^-?[\d.,e+-]*$/.test(r[i] ?? '')),
  );
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (isNum[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

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
