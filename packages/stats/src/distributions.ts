import { StatsError, StatsErrorCode } from './errors.js';

/**
 * Probability distributions needed by the summaries: normal, Student t and chi-square.
 * Built on log-gamma (Lanczos, g = 607/128), the regularised incomplete gamma (series / Lentz
 * continued fraction) and the regularised incomplete beta (Lentz continued fraction), which give
 * about 1e-14 relative accuracy in the ranges used for p-values and quantiles.
 */

const LANCZOS_G = 607 / 128;
const LANCZOS_C = [
  0.9999999999999971, 57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  3.399464998481189e-5, 4.652362892704858e-5, -9.837447530487956e-5, 0.0001580887032249125,
  -0.00021026444172410488, 0.00021743961811521265, -0.0001643181065367639, 8.441822398385275e-5,
  -2.6190838401581408e-5, 3.6899182659531625e-6,
] as const;
const HALF_LOG_2PI = 0.9189385332046728;
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** Natural log of |Gamma(x)| for real x (not a non-positive integer). */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0.5) {
    // Reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x).
    const s = Math.sin(Math.PI * x);
    if (s === 0) return Number.POSITIVE_INFINITY;
    return Math.log(Math.PI / Math.abs(s)) - logGamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  const z = x - 1;
  let a = LANCZOS_C[0];
  for (let i = 1; i < LANCZOS_C.length; i++) a += LANCZOS_C[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Stirling-series remainder lgamma(x) - [(x - 0.5) log x - x + 0.5 log(2 pi)] for x >= 10. */
function lgammaCorrection(x: number): number {
  const r = 1 / (x * x);
  return (
    (1 / 12 +
      r * (-1 / 360 + r * (1 / 1260 + r * (-1 / 1680 + r * (1 / 1188 + r * (-691 / 360360 + r / 156)))))) /
    x
  );
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), computed as R's `lbeta` does so that large
 * arguments (e.g. Student t with df = 1e4) do not lose digits to cancellation.
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q);
    return (
      -0.5 * Math.log(q) +
      HALF_LOG_2PI +
      corr +
      (p - 0.5) * Math.log(p / (p + q)) +
      q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const corr = lgammaCorrection(q) - lgammaCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

function gammaSeries(a: number, x: number): number {
  // P(a, x) = x^a e^-x / Gamma(a+1) * sum x^n / ((a+1)...(a+n))
  let sum = 1 / a;
  let term = sum;
  let ap = a;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaContinuedFraction(a: number, x: number): number {
  // Q(a, x) by the modified Lentz method (Numerical Recipes gcf).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Regularised lower incomplete gamma P(a, x) = gamma(a, x) / Gamma(a), a > 0, x >= 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) {
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `regularizedGammaP: need a > 0 and x >= 0 (a=${a}, x=${x})`,
    );
  }
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x), computed without cancellation. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) {
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `regularizedGammaQ: need a > 0 and x >= 0 (a=${a}, x=${x})`,
    );
  }
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  // Numerical Recipes betacf with the modified Lentz method.
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) {
    throw new StatsError(
      StatsErrorCode.InvalidArgument,
      `regularizedBeta: need a, b > 0 and 0 <= x <= 1 (x=${x}, a=${a}, b=${b})`,
    );
  }
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lbt = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lbt) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lbt) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Complement 1 - I_x(a, b) computed without cancellation in the upper tail. */
function regularizedBetaUpper(x: number, a: number, b: number): number {
  if (x === 0) return 1;
  if (x === 1) return 0;
  const lbt = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return 1 - (Math.exp(lbt) * betaContinuedFraction(a, b, x)) / a;
  return (Math.exp(lbt) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Standard normal CDF P(Z <= x) (R `pnorm(x)`); `lowerTail = false` gives P(Z > x) without
 * cancellation. Uses erfc(z) = Q(1/2, z^2).
 */
export function normalCdf(x: number, lowerTail = true): number {
  if (Number.isNaN(x)) return Number.NaN;
  const u = lowerTail ? -x : x; // result = P(Z > u)
  if (u === Number.POSITIVE_INFINITY) return 0;
  if (u === Number.NEGATIVE_INFINITY) return 1;
  const z2 = (u * u) / 2;
  const tail = z2 === 0 ? 0.5 : 0.5 * regularizedGammaQ(0.5, z2);
  return u >= 0 ? tail : 1 - tail;
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - HALF_LOG_2PI);
}

/**
 * Standard normal quantile (R `qnorm(p)`): Acklam's rational start refined by Halley steps on
 * {@link normalCdf}, accurate to ~1e-15 relative.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) {
    throw new StatsError(StatsErrorCode.InvalidArgument, `normalQuantile: p must be in [0, 1], got ${p}`);
  }
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  for (let i = 0; i < 3; i++) {
    // Phi(x) - p, evaluated in the smaller tail to keep relative accuracy.
    const err = p < 0.5 ? normalCdf(x) - p : 1 - p - normalCdf(x, false);
    const u = err / normalPdf(x);
    x = x - u / (1 + (x * u) / 2);
  }
  return x;
}

/**
 * Student t CDF with `df` > 0 degrees of freedom (R `pt(t, df)`); `lowerTail = false` for the upper
 * tail without cancellation.
 */
export function studentTCdf(t: number, df: number, lowerTail = true): number {
  if (!(df > 0))
    throw new StatsError(StatsErrorCode.InvalidArgument, `studentTCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalCdf(t, lowerTail);
  const u = lowerTail ? -t : t; // result = P(T > u)
  if (u === Number.POSITIVE_INFINITY) return 0;
  if (u === Number.NEGATIVE_INFINITY) return 1;
  // P(T > |u|) = I_{df/(df+u^2)}(df/2, 1/2) / 2; use the complementary form when u^2 is small.
  const u2 = u * u;
  let tail: number;
  if (u2 < df) {
    const y = u2 / (df + u2);
    tail = 0.5 * regularizedBetaUpper(y, 0.5, df / 2);
  } else {
    const x = df / (df + u2);
    tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  }
  return u >= 0 ? tail : 1 - tail;
}

/** Two-sided p-value 2 P(T > |t|) for Student t with `df` (df = Infinity gives the normal). */
export function studentTTwoSided(t: number, df: number): number {
  return 2 * studentTCdf(Math.abs(t), df, false);
}

/** Two-sided normal p-value 2 P(Z > |z|). */
export function normalTwoSided(z: number): number {
  return 2 * normalCdf(Math.abs(z), false);
}

/** Student t quantile (R `qt(p, df)`): bracketed Newton iteration on {@link studentTCdf}. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) {
    throw new StatsError(StatsErrorCode.InvalidArgument, `studentTQuantile: p must be in [0, 1], got ${p}`);
  }
  if (!(df > 0))
    throw new StatsError(StatsErrorCode.InvalidArgument, `studentTQuantile: df must be > 0, got ${df}`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(p);
  // Solve P(T > x) = q in the smaller tail (q = min(p, 1 - p)) so tiny p keeps full accuracy.
  const sign = p < 0.5 ? -1 : 1;
  const q = p < 0.5 ? p : 1 - p;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df, false) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return sign * Number.POSITIVE_INFINITY;
  }
  let x = Math.min(Math.max(-normalQuantile(q), lo), hi);
  const logC = -logBeta(df / 2, 0.5) - 0.5 * Math.log(df);
  for (let i = 0; i < 200; i++) {
    const f = studentTCdf(x, df, false) - q;
    if (f > 0) lo = x;
    else hi = x;
    const dens = Math.exp(logC - ((df + 1) / 2) * Math.log1p((x * x) / df));
    let nx = x + f / dens;
    if (!(nx > lo && nx < hi)) nx = 0.5 * (lo + hi);
    if (Math.abs(nx - x) <= 1e-15 * Math.abs(x) || hi - lo <= 1e-15 * hi) return sign * nx;
    x = nx;
  }
  return sign * x;
}

/** Chi-square CDF with `df` > 0 (R `pchisq(x, df)`); `lowerTail = false` for the upper tail (p-values). */
export function chiSquareCdf(x: number, df: number, lowerTail = true): number {
  if (!(df > 0))
    throw new StatsError(StatsErrorCode.InvalidArgument, `chiSquareCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return lowerTail ? 0 : 1;
  return lowerTail ? regularizedGammaP(df / 2, x / 2) : regularizedGammaQ(df / 2, x / 2);
}
