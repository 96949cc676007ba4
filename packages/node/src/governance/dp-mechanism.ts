/**
 * Differential-privacy noise for integer statistics, sampled exactly: the discrete Laplace and discrete
 * Gaussian samplers of Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential Privacy"
 * (NeurIPS 2020), Algorithms 1-3, over exact rational arithmetic (BigInt) and a cryptographic uniform source.
 * Floating-point Laplace noise leaks through the gaps of the doubles it can produce (Mironov 2012); integer
 * noise on integer statistics has no such gaps, which is why sums are first put on an integer grid.
 *
 * Pure code: the only side effect is drawing random bytes from the source given (node:crypto by default).
 */
import { randomBytes } from 'node:crypto';

/** A source of uniform random bytes; node:crypto's CSPRNG unless a test injects another. */
export type ByteSource = (n: number) => Uint8Array;

/**
 * Uniform integers drawn by rejection from a buffered cryptographic byte stream (one syscall per 64 KiB,
 * not one per sample: a statistical test draws millions).
 */
export class UniformSource {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  constructor(private readonly bytes: ByteSource = (n) => randomBytes(n)) {}

  private next(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) {
      this.buf = this.bytes(Math.max(65536, n));
      this.pos = 0;
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Uniform on {0, ..., n-1}, n >= 1. */
  below(n: bigint): bigint {
    if (n <= 0n) throw new RangeError('below(n) needs n >= 1');
    if (n === 1n) return 0n;
    const bits = (n - 1n).toString(2).length;
    const nbytes = Math.ceil(bits / 8);
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      let v = 0n;
      for (const b of this.next(nbytes)) v = (v << 8n) | BigInt(b);
      v &= mask;
      if (v < n) return v;
    }
  }
}

/** A non-negative rational num/den (den > 0). */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** Bernoulli(num/den), 0 <= num/den <= 1. */
function bernoulli(u: UniformSource, p: Rational): boolean {
  return u.below(p.den) < p.num;
}

/** Bernoulli(exp(-gamma)) for 0 <= gamma <= 1 (CKS Algorithm 1, first part). */
function bernoulliExpNeg01(u: UniformSource, g: Rational): boolean {
  let k = 1n;
  while (bernoulli(u, { num: g.num, den: g.den * k })) k++;
  return k % 2n === 1n;
}

/** Bernoulli(exp(-gamma)) for any gamma >= 0 (CKS Algorithm 1). */
export function bernoulliExpNeg(u: UniformSource, g: Rational): boolean {
  let num = g.num;
  while (num > g.den) {
    if (!bernoulliExpNeg01(u, { num: 1n, den: 1n })) return false;
    num -= g.den;
  }
  return bernoulliExpNeg01(u, { num, den: g.den });
}

/**
 * Discrete Laplace with scale t/s: P(Y = y) proportional to exp(-|y| s / t), y integer (CKS Algorithm 2).
 */
export function sampleDiscreteLaplace(u: UniformSource, s: bigint, t: bigint): bigint {
  for (;;) {
    const U = u.below(t);
    if (!bernoulliExpNeg(u, { num: U, den: t })) continue;
    let V = 0n;
    while (bernoulliExpNeg(u, { num: 1n, den: 1n })) V++;
    const X = U + t * V;
    const Y = X / s;
    const negative = u.below(2n) === 1n;
    if (negative && Y === 0n) continue;
    return negative ? -Y : Y;
  }
}

/**
 * Discrete Gaussian with parameter sigma^2 = sigma2: P(Y = y) proportional to exp(-y^2 / (2 sigma^2))
 * (CKS Algorithm 3).
 */
export function sampleDiscreteGaussian(u: UniformSource, sigma2: Rational): bigint {
  // t = floor(sigma) + 1, computed exactly: the largest integer whose square is <= sigma^2, plus one
  let t = BigInt(Math.floor(Math.sqrt(Number(sigma2.num) / Number(sigma2.den))));
  while ((t + 1n) * (t + 1n) * sigma2.den <= sigma2.num) t++;
  while (t > 0n && t * t * sigma2.den > sigma2.num) t--;
  t += 1n;
  const { num: a, den: b } = sigma2;
  for (;;) {
    const Y = sampleDiscreteLaplace(u, 1n, t);
    const absY = Y < 0n ? -Y : Y;
    // gamma = (|Y| - sigma^2/t)^2 / (2 sigma^2) = (|Y| b t - a)^2 / (2 a b t^2)
    const d = absY * b * t - a;
    if (bernoulliExpNeg(u, { num: d * d, den: 2n * a * b * t * t })) return Y;
  }
}

/** Rounds a positive double UP to a rational with denominator 10^6 (rounding up keeps the guarantee). */
export function rationalAtLeast(x: number): Rational {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`expected a positive finite number, got ${x}`);
  const den = 1_000_000n;
  return { num: BigInt(Math.ceil(x * 1_000_000)), den };
}

export type MechanismName = 'discrete-gaussian' | 'laplace';

/**
 * How to noise one integer statistic whose value changes by at most `sensitivity` (an integer, in the L1
 * norm for Laplace, L2 for the Gaussian) when one record is added or removed.
 */
export interface NoiseSpec {
  mechanism: MechanismName;
  epsilon: number;
  /** 0 for the discrete Laplace mechanism (pure epsilon-DP). */
  delta: number;
  sensitivity: number;
}

/** The calibrated noise parameter: discrete Laplace scale b (P ~ exp(-|y|/b)) or discrete Gaussian sigma. */
export interface Calibration extends NoiseSpec {
  /** Laplace: scale = sensitivity / epsilon. Gaussian: sigma. */
  scale: number;
  /** The exact variance of the noise distribution (for error bars and the statistical test). */
  variance: number;
}

/**
 * zCDP for the discrete Gaussian: rho = Delta^2 / (2 sigma^2) (CKS Theorem 4), converted to (epsilon, delta)
 * by epsilon = rho + 2 sqrt(rho log(1/delta)) (Bun & Steinke 2016, Proposition 1.3); inverted here.
 */
export function gaussianSigma(epsilon: number, delta: number, sensitivity: number): number {
  if (!(delta > 0 && delta < 1)) throw new RangeError('the discrete Gaussian needs 0 < delta < 1');
  const L = Math.log(1 / delta);
  const sqrtRho = Math.sqrt(L + epsilon) - Math.sqrt(L);
  return sensitivity / Math.sqrt(2 * sqrtRho * sqrtRho);
}

/**
 * Variance of the discrete Gaussian with parameter sigma, summed to where the terms vanish (beyond 12 sigma
 * they are below 1e-31 of the total). From sigma 100 on it equals sigma^2 to double precision (by Poisson
 * summation the gap is of order sigma^4 exp(-2 pi^2 sigma^2)), and the sum would take milliseconds.
 */
export function discreteGaussianVariance(sigma: number): number {
  if (sigma >= 100) return sigma * sigma;
  let z = 1;
  let m = 0;
  const kMax = Math.ceil(12 * sigma) + 2;
  for (let k = 1; k <= kMax; k++) {
    const w = Math.exp((-k * k) / (2 * sigma * sigma));
    z += 2 * w;
    m += 2 * k * k * w;
  }
  return m / z;
}

/** Variance of the discrete Laplace with P ~ exp(-|y|/b): 2p/(1-p)^2 with p = exp(-1/b). */
export function discreteLaplaceVariance(b: number): number {
  const p = Math.exp(-1 / b);
  return (2 * p) / ((1 - p) * (1 - p));
}

export function calibrate(spec: NoiseSpec): Calibration {
  if (!(spec.epsilon > 0) || !Number.isFinite(spec.epsilon)) throw new RangeError('epsilon must be > 0');
  if (!Number.isInteger(spec.sensitivity) || spec.sensitivity < 1)
    throw new RangeError('sensitivity must be a positive integer');
  if (spec.mechanism === 'laplace') {
    const scale = spec.sensitivity / spec.epsilon;
    return { ...spec, delta: 0, scale, variance: discreteLaplaceVariance(scale) };
  }
  const sigma = gaussianSigma(spec.epsilon, spec.delta, spec.sensitivity);
  return { ...spec, scale: sigma, variance: discreteGaussianVariance(sigma) };
}

/** Draws one noise value (an integer) for a calibrated mechanism. */
export function sampleNoise(u: UniformSource, c: Calibration): number {
  if (c.mechanism === 'laplace') {
    // scale b = t/s with b rounded up: the noise is at least as wide as calibrated
    const b = rationalAtLeast(c.scale);
    return Number(sampleDiscreteLaplace(u, b.den, b.num));
  }
  return Number(sampleDiscreteGaussian(u, rationalAtLeast(c.scale * c.scale)));
}
