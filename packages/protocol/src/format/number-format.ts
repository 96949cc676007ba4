/**
 * One number format for every result the dashboard and the CLI show. Each function is the scalar
 * equivalent of an R call, and `number-format.test.ts` checks them against R's own output captured in
 * `fixtures/r-number-format.json` (made by `scripts/r-number-format.R`):
 *
 * - {@link formatNumber}: `format(x, digits = d)` (significant digits; R's rule for fixed against
 *   scientific notation: fixed unless it is wider than the scientific form).
 * - {@link formatPValue}: `format.pval(p, digits = d)` (so `<2e-16` below machine epsilon).
 * - {@link formatFixed}: `format(round(x, k), nsmall = k)` (never `-0.000`).
 * - {@link formatBoundedScore}: the same for a score in [0, 1] (Dice), with more decimals where a score
 *   strictly inside would read as 0 or 1.
 * - {@link formatEstimateCi}: the estimate with `d` significant digits, its CI with the same decimals.
 * - {@link formatRatioCi}: odds or hazard ratios for clinicians: the same, but never in scientific notation
 *   unless the ratio is tiny (below 0.001) or huge (at least 1e6).
 *
 * Written by hand: no JavaScript library reproduces R's print rules, and results must read the same in R,
 * in the CLI and in the dashboard.
 */

/** `.Machine$double.eps`: R's `format.pval` prints anything below it as `< 2e-16`. */
export const P_VALUE_EPS = 2.220446049250313e-16;

/** How a missing value (null, undefined, NaN) is written; R writes `NA`. */
export interface MissingOption {
  missing?: string;
}

interface Sci {
  /** mantissa digits after rounding to `digits` significant digits, trailing zeros removed */
  nsig: number;
  /** decimal exponent after rounding */
  kpower: number;
}

/**
 * `x.toExponential(f)` / `x.toFixed(f)` round exact halves up; C's printf (and so R) rounds them to even:
 * 0.0625 at 2 digits is `0.062` in R. A half is exact when the digits after the kept ones are `5` and then
 * only zeros in the exact decimal expansion (`toPrecision(100)` / `toFixed(100)` give it).
 */
/** The significant digits of |x|'s exact decimal expansion (first 100). */
function exactDigits(x: number): string {
  return Math.abs(x).toPrecision(100).split('e')[0]!.replace('.', '').replace(/^0+/, '');
}

function toExponential(x: number, f: number): string {
  const rounded = x.toExponential(f);
  if (x === 0) return rounded;
  const digits = exactDigits(x);
  const last = Number(digits[f] ?? '0');
  if (!/^50*$/.test(digits.slice(f + 1)) || last % 2 !== 0) return rounded;
  // an exact half after an even digit: keep the truncated digits (round half to even)
  const e = Math.floor(Math.log10(Math.abs(x)));
  const mant = f > 0 ? `${digits[0]}.${digits.slice(1, f + 1)}` : digits.slice(0, 1);
  return `${x < 0 ? '-' : ''}${mant}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

function toFixed(x: number, f: number): string {
  const rounded = x.toFixed(f);
  if (Math.abs(x) >= 1e21) return rounded;
  const exact = Math.abs(x).toFixed(100);
  const [int = '0', frac = ''] = exact.split('.');
  if (!/^50*$/.test(frac.slice(f))) return rounded;
  const keptDigits = `${int}${frac.slice(0, f)}`;
  const last = Number(keptDigits.at(-1) ?? '0');
  if (last % 2 !== 0) return rounded;
  const body = f > 0 ? `${int}.${frac.slice(0, f)}` : int;
  return `${x < 0 ? '-' : ''}${body}`;
}

function sciParts(x: number, digits: number): Sci {
  const [mant = '0', exp = '0'] = toExponential(Math.abs(x), Math.max(0, digits - 1)).split('e');
  const mantDigits = mant.replace('.', '').replace(/0+$/, '');
  return { nsig: Math.max(1, mantDigits.length), kpower: Number(exp) };
}

/** Removes the sign of a printed zero (`-0`, `-0.00`, `-0e+00`). */
function unsignZero(s: string): string {
  return /^-0(\.0*)?(e[+-]\d+)?$/.test(s) ? s.slice(1) : s;
}

function sciString(x: number, nsig: number): string {
  const [mant = '0', exp = '0'] = toExponential(x, nsig - 1).split('e');
  const e = Number(exp);
  const abs = String(Math.abs(e)).padStart(2, '0');
  return unsignZero(`${mant}e${e < 0 ? '-' : '+'}${abs}`);
}

function missing(x: number | null | undefined, opt?: MissingOption): string | undefined {
  if (x === null || x === undefined || Number.isNaN(x)) return opt?.missing ?? 'NA';
  if (x === Number.POSITIVE_INFINITY) return 'Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

/**
 * R's `format(x, digits = digits)` for one number: at most `digits` significant digits (fewer when the
 * trailing ones are zeros), fixed notation unless it is wider than scientific (R's `scipen = 0`).
 *
 * @example
 * formatNumber(1159.1042406142994) // "1159"
 * formatNumber(0.000012345, 3) // "1.23e-05"
 * formatNumber(-1e-12, 3) // "-1e-12"
 */
export function formatNumber(x: number | null | undefined, digits = 4, opt?: MissingOption): string {
  const m = missing(x, opt);
  if (m !== undefined) return m;
  const v = x as number;
  if (v === 0) return '0';
  const d = Math.min(15, Math.max(1, Math.round(digits)));
  const { nsig, kpower } = sciParts(v, d);
  const neg = v < 0 ? 1 : 0;
  const rgt = Math.max(0, nsig - kpower - 1);
  const left = Math.max(1, kpower + 1);
  const fixedWidth = neg + left + (rgt > 0 ? rgt + 1 : 0);
  const sciWidth = neg + (nsig > 1 ? nsig + 1 : 1) + (Math.abs(kpower) >= 100 ? 5 : 4);
  if (fixedWidth <= sciWidth) return unsignZero(toFixed(v, rgt));
  return sciString(v, nsig);
}

/**
 * R's `format.pval(p, digits = digits)` for one p-value: `<2e-16` below machine epsilon (`< 2.2e-16` at
 * 4 digits), otherwise
 * {@link formatNumber} with `digits` significant digits.
 *
 * @example
 * formatPValue(0.04567) // "0.0457"
 * formatPValue(3.1e-7) // "3.1e-07"
 * formatPValue(0) // "<2e-16"
 */
export function formatPValue(p: number | null | undefined, digits = 3, opt?: MissingOption): string {
  const m = missing(p, opt);
  if (m !== undefined) return m;
  if ((p as number) < P_VALUE_EPS) {
    const d = Math.max(1, digits - 2);
    return `<${d === 1 ? '' : ' '}${formatNumber(P_VALUE_EPS, d)}`;
  }
  return formatNumber(p, digits);
}

/**
 * R's `format(round(x, decimals), nsmall = decimals)`: exactly `decimals` decimals, no `-0.000`.
 *
 * @example
 * formatFixed(-0.0001, 3) // "0.000"
 */
export function formatFixed(x: number | null | undefined, decimals: number, opt?: MissingOption): string {
  const m = missing(x, opt);
  if (m !== undefined) return m;
  return unsignZero(toFixed(x as number, Math.min(20, Math.max(0, Math.round(decimals)))));
}

/**
 * A score bounded by 0 and 1 (Dice, surface Dice, a proportion) with `decimals` decimals, as
 * {@link formatFixed}, except that a score strictly between the bounds never reads as one: where R would
 * print `1.000` for 0.9996 (a perfect overlap it is not), more decimals are shown, up to `decimals` + 6
 * (`0.9996`); likewise near 0. Exactly 0 and 1 print as `0.000` and `1.000`.
 *
 * @example
 * formatBoundedScore(0.97349) // "0.973"
 * formatBoundedScore(0.99962) // "0.9996"
 * formatBoundedScore(1) // "1.000"
 */
export function formatBoundedScore(x: number | null | undefined, decimals = 3, opt?: MissingOption): string {
  const m = missing(x, opt);
  if (m !== undefined) return m;
  const v = x as number;
  let k = Math.max(0, Math.round(decimals));
  let s = formatFixed(v, k);
  const atBound = (t: string) => Number(t) === 0 || Number(t) === 1;
  while (v > 0 && v < 1 && atBound(s) && k < decimals + 6) s = formatFixed(v, ++k);
  return s;
}

/**
 * Decimals that show `x` with `digits` significant digits in fixed notation (trailing zeros dropped as
 * R does), e.g. 3 for 0.0123 at 3 digits, 0 for 1234.
 */
export function decimalsFor(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  const { nsig, kpower } = sciParts(x, Math.min(15, Math.max(1, Math.round(digits))));
  return Math.max(0, nsig - kpower - 1);
}

/** An estimate and its confidence interval, each as printed. */
export interface FormattedEstimate {
  estimate: string;
  lower: string;
  upper: string;
  /** `"1.23 (0.98 to 1.55)"` */
  text: string;
}

function ciText(e: string, lo: string, hi: string, opt?: MissingOption): string {
  const na = opt?.missing ?? 'NA';
  return lo === na && hi === na ? e : `${e} (${lo} to ${hi})`;
}

/**
 * An estimate with `digits` significant digits and its CI bounds with the same number of decimals as the
 * estimate (so `0.512 (0.301 to 0.723)`, not `0.512 (0.3012 to 0.72)`); an estimate near zero gets no more
 * decimals than `digits` significant digits of the CI's half-width. An estimate that R would print in
 * scientific notation keeps its bounds in scientific notation with the same significant digits.
 */
export function formatEstimateCi(
  estimate: number | null | undefined,
  lower: number | null | undefined,
  upper: number | null | undefined,
  digits = 3,
  opt?: MissingOption,
): FormattedEstimate {
  const est = formatNumber(estimate, digits, opt);
  if (/e[+-]/.test(est)) {
    const lo = formatNumber(lower, digits, opt);
    const hi = formatNumber(upper, digits, opt);
    return { estimate: est, lower: lo, upper: hi, text: ciText(est, lo, hi, opt) };
  }
  // the decimals that show the estimate with `digits` significant digits, but no finer than the interval
  // itself warrants (-0.008341 with a CI half-width of 0.48 is -0.0083, not -0.008341)
  const half =
    Number.isFinite(lower) && Number.isFinite(upper)
      ? Math.abs((upper as number) - (lower as number)) / 2
      : 0;
  const estDec = Number.isFinite(estimate) ? decimalsFor(estimate as number, digits) : 0;
  const dec = half > 0 ? Math.min(estDec, decimalsFor(half, digits)) : estDec;
  const lo = formatFixed(lower, dec, opt);
  const hi = formatFixed(upper, dec, opt);
  const e = Number.isFinite(estimate) ? formatFixed(estimate, dec, opt) : est;
  return { estimate: e, lower: lo, upper: hi, text: ciText(e, lo, hi, opt) };
}

/** Below this, or at 1e6 and above, a ratio is shown in scientific notation even to clinicians. */
const RATIO_FIXED_RANGE: readonly [number, number] = [1e-3, 1e6];

/**
 * An odds ratio or hazard ratio and its CI for clinicians: `digits` significant digits, the CI with the
 * estimate's decimals, and fixed notation unless the ratio is below 0.001 or at least a million.
 *
 * @example
 * formatRatioCi(0.000234, 0.0001, 0.0005) // scientific: the ratio is tiny
 * formatRatioCi(2.3456, 1.0312, 5.3355) // { text: "2.35 (1.03 to 5.34)" }
 */
export function formatRatioCi(
  ratio: number | null | undefined,
  lower: number | null | undefined,
  upper: number | null | undefined,
  digits = 3,
  opt?: MissingOption,
): FormattedEstimate {
  const r = ratio ?? Number.NaN;
  if (!Number.isFinite(r) || (r >= RATIO_FIXED_RANGE[0] && r < RATIO_FIXED_RANGE[1])) {
    const dec = Number.isFinite(r) ? decimalsFor(r, digits) : 0;
    const e = Number.isFinite(r) ? formatFixed(r, dec, opt) : formatNumber(ratio, digits, opt);
    const lo = formatFixed(lower, dec, opt);
    const hi = formatFixed(upper, dec, opt);
    return { estimate: e, lower: lo, upper: hi, text: ciText(e, lo, hi, opt) };
  }
  const e = sciString(r, sciParts(r, digits).nsig);
  const lo = Number.isFinite(lower)
    ? sciString(lower as number, sciParts(lower as number, digits).nsig)
    : formatNumber(lower, digits, opt);
  const hi = Number.isFinite(upper)
    ? sciString(upper as number, sciParts(upper as number, digits).nsig)
    : formatNumber(upper, digits, opt);
  return { estimate: e, lower: lo, upper: hi, text: ciText(e, lo, hi, opt) };
}
