import { chiSquareCdf, studentTCdf, studentTQuantile, studentTTwoSided } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';

/** Summary of one group for the two-sample t-tests. */
export interface GroupMoments {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n - 1). */
  readonly variance: number;
}

/** Two-sample t-test result (R t.test): the difference is mean1 - mean2. */
export interface TTestResult {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly ciLower: number;
  readonly ciUpper: number;
  readonly difference: number;
}

/** The alternative hypothesis of a t-test, as R's t.test `alternative`. */
export type TTestAlternative = 'two.sided' | 'less' | 'greater';

/** p-value and interval of a t statistic for an estimate with its standard error (R's t.test). */
function tInference(
  estimate: number,
  se: number,
  df: number,
  nullValue: number,
  level: number,
  alternative: TTestAlternative,
): TTestResult {
  const t = (estimate - nullValue) / se;
  if (alternative === 'less') {
    const q = studentTQuantile(level, df);
    return {
      statistic: t,
      df,
      pValue: studentTCdf(t, df),
      ciLower: -Infinity,
      ciUpper: estimate + q * se,
      difference: estimate,
    };
  }
  if (alternative === 'greater') {
    const q = studentTQuantile(level, df);
    return {
      statistic: t,
      df,
      pValue: studentTCdf(t, df, false),
      ciLower: estimate - q * se,
      ciUpper: Infinity,
      difference: estimate,
    };
  }
  const q = studentTQuantile(1 - (1 - level) / 2, df);
  return {
    statistic: t,
    df,
    pValue: studentTTwoSided(t, df),
    ciLower: estimate - q * se,
    ciUpper: estimate + q * se,
    difference: estimate,
  };
}

/**
 * Welch (default) or pooled-variance two-sample t-test from per-group (n, mean, var); two-sided unless
 * `alternative` says otherwise (one-sided intervals then have an infinite end, as R's).
 */
export function twoSampleTTest(
  a: GroupMoments,
  b: GroupMoments,
  pooled = false,
  level = 0.95,
  alternative: TTestAlternative = 'two.sided',
  mu = 0,
): TTestResult {
  if (a.n < 2 || b.n < 2)
    throw new StatsError(StatsErrorCode.InvalidArgument, 'twoSampleTTest: each group needs n >= 2');
  const diff = a.mean - b.mean;
  let se: number;
  let df: number;
  if (pooled) {
    df = a.n + b.n - 2;
    const v = ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / df;
    se = Math.sqrt(v * (1 / a.n + 1 / b.n));
  } else {
    const va = a.variance / a.n;
    const vb = b.variance / b.n;
    se = Math.sqrt(va + vb);
    df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  }
  return tInference(diff, se, df, mu, level, alternative);
}

/**
 * One-sample t-test of the mean against `mu`, from (n, mean, var): with the per-row differences of two
 * columns, R's paired t.test(x, y, paired = TRUE) (`difference` is then the mean difference).
 */
export function oneSampleTTest(
  m: GroupMoments,
  mu = 0,
  level = 0.95,
  alternative: TTestAlternative = 'two.sided',
): TTestResult {
  if (m.n < 2) throw new StatsError(StatsErrorCode.InvalidArgument, 'oneSampleTTest: needs n >= 2');
  return tInference(m.mean, Math.sqrt(m.variance / m.n), m.n - 1, mu, level, alternative);
}

/** Chi-square test of independence result (R chisq.test). */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly expected: Float64Array;
  readonly yates: boolean;
}

/**
 * Chi-square test of independence for an r x c table (row-major counts; the table is additive across
 * nodes). As R's chisq.test: Yates' continuity correction for 2 x 2 tables by default, using
 * YATES = min(0.5, |O - E|) over all cells; none for larger tables.
 */
export function chiSquareIndependence(
  table: Float64Array,
  nrow: number,
  ncol: number,
  correct = true,
): ChiSquareResult {
  if (table.length !== nrow * ncol || nrow < 2 || ncol < 2) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `chiSquareIndependence: need an r x c table with r, c >= 2`,
    );
  }
  const rs = new Float64Array(nrow);
  const cs = new Float64Array(ncol);
  let n = 0;
  for (let i = 0; i < nrow; i++) {
    for (let j = 0; j < ncol; j++) {
      const v = table[i * ncol + j]!;
      rs[i]! += v;
      cs[j]! += v;
      n += v;
    }
  }
  const e = new Float64Array(nrow * ncol);
  for (let i = 0; i < nrow; i++) for (let j = 0; j < ncol; j++) e[i * ncol + j] = (rs[i]! * cs[j]!) / n;
  const yates = correct && nrow === 2 && ncol === 2;
  let y = 0;
  if (yates) {
    y = 0.5;
    for (let k = 0; k < 4; k++) y = Math.min(y, Math.abs(table[k]! - e[k]!));
  }
  let stat = 0;
  for (let k = 0; k < e.length; k++) stat += (Math.abs(table[k]! - e[k]!) - y) ** 2 / e[k]!;
  const df = (nrow - 1) * (ncol - 1);
  return { statistic: stat, df, pValue: chiSquareCdf(stat, df, false), expected: e, yates };
}
