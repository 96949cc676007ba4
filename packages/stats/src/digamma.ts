import { StatsError, StatsErrorCode } from './errors.js';

/*
 * digamma and trigamma for x > 0, written by hand (no maintained JavaScript library the project uses has them):
 * the recurrence psi(x) = psi(x + 1) - 1/x shifts x to at least 10, where the asymptotic series with
 * Bernoulli numbers is accurate to double precision. Checked against R's digamma/trigamma (digamma.test.ts).
 */

function positive(name: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x))
    throw new StatsError(StatsErrorCode.InvalidArgument, `${name}: x must be finite and > 0, got ${x}`);
}

/** psi(x) = d/dx log Gamma(x), x > 0 (R's digamma). */
export function digamma(x: number): number {
  positive('digamma', x);
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const r = 1 / (x * x);
  // ln x - 1/(2x) - sum B_2k / (2k x^2k)
  const series =
    r *
    (1 / 12 -
      r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760 - r * (1 / 12)))))));
  return shift + Math.log(x) - 0.5 / x - series;
}

/** psi'(x), x > 0 (R's trigamma). */
export function trigamma(x: number): number {
  positive('trigamma', x);
  let shift = 0;
  while (x < 10) {
    shift += 1 / (x * x);
    x += 1;
  }
  const r = 1 / (x * x);
  // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
  const series =
    (1 / x) *
    (1 +
      0.5 / x +
      r *
        (1 / 6 - r * (1 / 30 - r * (1 / 42 - r * (1 / 30 - r * (5 / 66 - r * (691 / 2730 - r * (7 / 6))))))));
  return shift + series;
}
