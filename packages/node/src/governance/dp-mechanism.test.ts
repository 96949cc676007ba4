/**
 * Statistical test of the noise mechanisms: samples of M(D) and M(D') on neighbouring counts (differing
 * by one), the empirical privacy loss |log P(M(D)=o) / P(M(D')=o)| over every output seen often enough,
 * less a confidence margin, must stay within the stated epsilon; the sampler's variance must match the
 * distribution's exact variance; and a mechanism calibrated for the wrong sensitivity must be caught.
 */
import { describe, expect, it } from 'vitest';
import {
  type Calibration,
  calibrate,
  discreteGaussianVariance,
  gaussianSigma,
  sampleNoise,
  UniformSource,
} from './dp-mechanism.js';

const N = 150_000;
/** Standard errors of margin: ~15 outputs are compared, so 4.5 keeps a false alarm below 1e-4. */
const Z = 4.5;

function samples(c: Calibration, count: number, u = new UniformSource()): Map<number, number> {
  const h = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const o = count + sampleNoise(u, c);
    h.set(o, (h.get(o) ?? 0) + 1);
  }
  return h;
}

/**
 * The largest lower confidence bound of the privacy loss over outputs seen at least `minCount` times in
 * both histograms (log of a ratio of two Poisson counts: standard error sqrt(1/a + 1/b)), and the largest
 * point estimate.
 */
function empiricalLoss(p: Map<number, number>, q: Map<number, number>, minCount: number) {
  let lower = 0;
  let point = 0;
  let outputs = 0;
  for (const [o, a] of p) {
    const b = q.get(o) ?? 0;
    if (a < minCount || b < minCount) continue;
    outputs++;
    const l = Math.abs(Math.log(a / b));
    point = Math.max(point, l);
    lower = Math.max(lower, l - Z * Math.sqrt(1 / a + 1 / b));
  }
  return { lower, point, outputs };
}

function shift(h: Map<number, number>, by: number): Map<number, number> {
  return new Map([...h].map(([o, n]) => [o + by, n]));
}

function variance(h: Map<number, number>, centre: number): number {
  let s = 0;
  let s2 = 0;
  for (const [o, n] of h) {
    s += (o - centre) * n;
    s2 += (o - centre) ** 2 * n;
  }
  return s2 / N - (s / N) ** 2;
}

describe('discrete Laplace mechanism (epsilon = 1, sensitivity 1)', () => {
  const c = calibrate({ mechanism: 'laplace', epsilon: 1, delta: 0, sensitivity: 1 });
  const onD = samples(c, 40);
  const onNeighbour = samples(c, 41);

  it('has an empirical privacy loss within epsilon, and its loss is not trivially small', () => {
    const loss = empiricalLoss(onD, onNeighbour, 300);
    expect(loss.outputs).toBeGreaterThan(8);
    expect(loss.lower).toBeLessThanOrEqual(1);
    // pure epsilon-DP with this noise is tight: every output has loss exactly epsilon
    expect(loss.point).toBeGreaterThan(0.9);
  });

  it('has the variance of the discrete Laplace distribution, 2p/(1-p)^2 with p = exp(-epsilon)', () => {
    const p = Math.exp(-1);
    expect(c.variance).toBeCloseTo((2 * p) / (1 - p) ** 2, 12);
    // the sample variance's standard error is about sqrt((mu4 - var^2) / N); mu4 < 10 var^2 here
    expect(Math.abs(variance(onD, 40) - c.variance)).toBeLessThan(5 * Math.sqrt((9 * c.variance ** 2) / N));
  });

  it('detects a mechanism calibrated for sensitivity 1 used where one record moves the count by 2', () => {
    const loss = empiricalLoss(onD, shift(onNeighbour, 1), 300);
    expect(loss.lower).toBeGreaterThan(1);
  });
});

describe('discrete Gaussian mechanism (epsilon = 1, delta = 1e-5, sensitivity 1)', () => {
  const c = calibrate({ mechanism: 'discrete-gaussian', epsilon: 1, delta: 1e-5, sensitivity: 1 });
  const onD = samples(c, 100);
  const onNeighbour = samples(c, 101);

  it('calibrates sigma by the zCDP conversion: rho + 2 sqrt(rho log(1/delta)) = epsilon', () => {
    const rho = 1 / (2 * c.scale ** 2);
    expect(rho + 2 * Math.sqrt(rho * Math.log(1e5))).toBeCloseTo(1, 12);
    expect(gaussianSigma(1, 1e-5, 3)).toBeCloseTo(3 * c.scale, 12);
  });

  it('has an empirical privacy loss within epsilon on every well-sampled output', () => {
    // outputs with probability >= 2e-3 lie well inside |o - c - 1/2| <= epsilon sigma^2, where the loss is
    // at most epsilon; the tail beyond it holds less than delta
    const loss = empiricalLoss(onD, onNeighbour, 300);
    expect(loss.outputs).toBeGreaterThan(20);
    expect(loss.lower).toBeLessThanOrEqual(1);
    expect(loss.point).toBeGreaterThan(0.3);
  });

  it('has the exact variance of the discrete Gaussian and mean zero', () => {
    expect(c.variance).toBeLessThan(c.scale ** 2);
    expect(c.variance).toBeCloseTo(discreteGaussianVariance(c.scale), 12);
    const se = Math.sqrt((2 * c.variance ** 2) / N);
    expect(Math.abs(variance(onD, 100) - c.variance)).toBeLessThan(5 * se);
    let mean = 0;
    for (const [o, n] of onD) mean += ((o - 100) * n) / N;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(c.variance / N));
  });

  it('detects a mechanism calibrated for sensitivity 1 used where one record moves the count by 4', () => {
    const loss = empiricalLoss(onD, shift(onNeighbour, 3), 300);
    expect(loss.lower).toBeGreaterThan(1);
  });
});

describe('uniform source', () => {
  it('draws every value of a small range about equally often (chi-square, 5 df)', () => {
    const u = new UniformSource();
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[Number(u.below(6n))]++;
    const chi2 = counts.reduce((s, n) => s + (n - 10_000) ** 2 / 10_000, 0);
    // 99.99th percentile of chi-square with 5 degrees of freedom
    expect(chi2).toBeLessThan(25.74);
  });
});
