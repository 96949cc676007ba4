/**
 * The Wilson score interval of a proportion (R's `prop.test(x, n, correct = FALSE)$conf.int`), for the
 * observed event rate of a released calibration group: computed in the browser from released counts only.
 */

/** 97.5% standard normal quantile: a 95% two-sided interval. */
const Z95 = 1.959963984540054;

/** [lower, upper] of the Wilson interval of `x` events out of `n` (null when n is 0). */
export function wilsonInterval(x: number, n: number, z = Z95): [number, number] | null {
  if (!(n > 0)) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
