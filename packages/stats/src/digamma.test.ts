import { describe, expect, it } from 'vitest';
import { digamma, trigamma } from './digamma.js';
import { readFixtureJson, relDiff } from './test-support.js';

const fx = readFixtureJson<{ gammaFunctions: { x: number[]; digamma: number[]; trigamma: number[] } }>(
  'glm-expect.json',
).gammaFunctions;

describe('digamma and trigamma equal R', () => {
  fx.x.forEach((x, i) => {
    it(`x = ${x}`, () => {
      expect(Math.abs(digamma(x) - fx.digamma[i]!)).toBeLessThan(
        1e-13 * Math.max(1, Math.abs(fx.digamma[i]!)),
      );
      expect(relDiff(trigamma(x), fx.trigamma[i]!)).toBeLessThan(1e-13);
    });
  });
  it('refuses x <= 0', () => {
    expect(() => digamma(0)).toThrow(/x must be finite and > 0/);
    expect(() => trigamma(-1)).toThrow(/x must be finite and > 0/);
  });
});
