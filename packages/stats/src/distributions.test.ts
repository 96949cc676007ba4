import { describe, expect, it } from 'vitest';
import {
  chiSquareCdf,
  logGamma,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './distributions.js';
import { readFixtureJson, relDiff } from './test-support.js';

interface DistFixture {
  pnorm: { x: number[]; p: number[]; q: number[] };
  qnorm: { p: number[]; x: number[] };
  pt: { t: number[]; df: number[]; p: number[]; q: number[] };
  qt: { p: number[]; df: number[]; t: number[] };
  pchisq: { x: number[]; df: number[]; p: number[]; q: number[] };
  lgamma: { x: number[]; y: number[] };
}
const fx = readFixtureJson<DistFixture>('distributions.json');

/** Worst relative error over a fixture table (values below 1e-300 compared absolutely). */
function worst(got: number[], want: number[], floor = 1e-300): number {
  return Math.max(...got.map((g, i) => relDiff(g, want[i]!, floor)));
}

describe('distributions against R (pnorm, qnorm, pt, qt, pchisq, lgamma)', () => {
  it('normal CDF, both tails', () => {
    expect(
      worst(
        fx.pnorm.x.map((x) => normalCdf(x)),
        fx.pnorm.p,
      ),
    ).toBeLessThan(1e-12);
    expect(
      worst(
        fx.pnorm.x.map((x) => normalCdf(x, false)),
        fx.pnorm.q,
      ),
    ).toBeLessThan(1e-12);
  });
  it('normal quantile', () => {
    expect(
      worst(
        fx.qnorm.p.map((p) => normalQuantile(p)),
        fx.qnorm.x,
      ),
    ).toBeLessThan(1e-12);
  });
  it('Student t CDF, both tails', () => {
    expect(
      worst(
        fx.pt.t.map((t, i) => studentTCdf(t, fx.pt.df[i]!)),
        fx.pt.p,
      ),
    ).toBeLessThan(1e-12);
    expect(
      worst(
        fx.pt.t.map((t, i) => studentTCdf(t, fx.pt.df[i]!, false)),
        fx.pt.q,
      ),
    ).toBeLessThan(1e-12);
  });
  it('Student t quantile', () => {
    expect(
      worst(
        fx.qt.p.map((p, i) => studentTQuantile(p, fx.qt.df[i]!)),
        fx.qt.t,
        1e-3,
      ),
    ).toBeLessThan(1e-12);
  });
  it('chi-square CDF, both tails', () => {
    expect(
      worst(
        fx.pchisq.x.map((x, i) => chiSquareCdf(x, fx.pchisq.df[i]!)),
        fx.pchisq.p,
      ),
    ).toBeLessThan(1e-12);
    expect(
      worst(
        fx.pchisq.x.map((x, i) => chiSquareCdf(x, fx.pchisq.df[i]!, false)),
        fx.pchisq.q,
      ),
    ).toBeLessThan(1e-12);
  });
  it('log-gamma', () => {
    expect(worst(fx.lgamma.x.map(logGamma), fx.lgamma.y)).toBeLessThan(1e-12);
  });
  it('rejects invalid arguments', () => {
    expect(() => normalQuantile(1.5)).toThrow(/\[0, 1\]/);
    expect(() => studentTCdf(1, -1)).toThrow(/df/);
  });
});
