import { regularizedBeta } from '../distributions.js';
import { StatsError, StatsErrorCode } from '../errors.js';

/**
 * Distribution-free confidence interval of a quantile from order statistics (Conover, Practical
 * Nonparametric Statistics, 3rd ed., 1999, section 3.2): the number of values at or below the p-quantile is
 * Binomial(n, p), so with l = qbinom(a/2, n, p) and u = qbinom(1 - a/2, n, p) + 1 the interval
 * [x_(l), x_(u)] covers the quantile with probability pbinom(u - 1, n, p) - pbinom(l - 1, n, p) >= 1 - a.
 * For the median this is DescTools::MedianCI(method = "exact"): k = qbinom(a/2, n, 1/2), [x_(k), x_(n-k+1)].
 * An end beyond the sample (l = 0 or u = n + 1) is unbounded (null).
 *
 * @example
 * orderStatisticCi(100, 0.5, 0.95); // { lower: 40, upper: 61, coverage: 0.9648 }
 */
export function orderStatisticCi(
  n: number,
  p: number,
  level = 0.95,
): { lower: number | null; upper: number | null; coverage: number } {
  if (!(Number.isInteger(n) && n >= 1) || !(p > 0 && p < 1) || !(level > 0 && level < 1))
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `orderStatisticCi: need an integer n >= 1, 0 < p < 1 and 0 < level < 1 (n=${n}, p=${p}, level=${level})`,
    );
  const a = (1 - level) / 2;
  const l = binomialQuantile(a, n, p);
  const u = binomialQuantile(1 - a, n, p) + 1;
  const cdf = (k: number) => (k < 0 ? 0 : binomialCdf(k, n, p));
  return {
    lower: l >= 1 ? l : null,
    upper: u <= n ? u : null,
    coverage: cdf(u - 1) - cdf(l - 1),
  };
}

/** P(X <= k) for X ~ Binomial(n, p) (R pbinom), through the regularised incomplete beta. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return regularizedBeta(1 - p, n - k, k + 1);
}

/**
 * The smallest k with P(X <= k) >= q (R qbinom; q taken 64 machine epsilons lower, R's fuzz for the left
 * continuity of the search).
 */
export function binomialQuantile(q: number, n: number, p: number): number {
  const target = q * (1 - 64 * Number.EPSILON);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (binomialCdf(mid, n, p) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
