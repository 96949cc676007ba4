/**
 * Number wording shared by the result formatters: p-values as R prints them.
 */

/** Smallest p-value R prints as a number (`.Machine$double.eps`); below it R's `format.pval` says "< 2e-16". */
const P_FLOOR = 2.220446049250313e-16;

/**
 * A p-value for a terminal: three significant digits, scientific notation under 1e-4, and `< 2e-16`
 * for values that underflow (as R's printCoefmat); `NA` for a missing one.
 *
 * @example
 * formatPValue(0.04567) // "0.0457"
 * formatPValue(3.1e-7) // "3.1e-7"
 * formatPValue(0) // "< 2e-16"
 */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return 'NA';
  if (p < P_FLOOR) return '< 2e-16';
  if (p < 1e-4) return p.toExponential(1);
  return String(Number(p.toPrecision(3)));
}
