import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decimalsFor,
  formatBoundedScore,
  formatEstimateCi,
  formatFixed,
  formatNumber,
  formatPValue,
  formatRatioCi,
} from './number-format.js';

interface Fixture {
  format: Array<{ x: number; digits: number; r: string }>;
  formatPval: Array<{ p: number; digits: number; r: string }>;
  fixed: Array<{ x: number; decimals: number; r: string }>;
}
// made by packages/protocol/scripts/make-number-format-fixture.R
const R = JSON.parse(
  readFileSync(new URL('./fixtures/r-number-format.json', import.meta.url), 'utf8'),
) as Fixture;

describe("number format against R's print rules", () => {
  it('formatNumber(x, d) equals format(x, digits = d)', () => {
    const wrong = R.format
      .filter((c) => formatNumber(c.x, c.digits) !== c.r)
      .map((c) => ({ ...c, ours: formatNumber(c.x, c.digits) }));
    expect(wrong).toEqual([]);
    expect(R.format.length).toBeGreaterThan(300);
  });

  it('formatPValue(p, d) equals format.pval(p, digits = d)', () => {
    const wrong = R.formatPval
      .filter((c) => formatPValue(c.p, c.digits) !== c.r)
      .map((c) => ({ ...c, ours: formatPValue(c.p, c.digits) }));
    expect(wrong).toEqual([]);
    expect(formatPValue(0)).toBe('<2e-16');
    expect(formatPValue(1e-300, 4)).toBe('< 2.2e-16');
  });

  it('formatFixed(x, k) equals format(round(x, k), nsmall = k): never -0.000', () => {
    const wrong = R.fixed
      .filter((c) => formatFixed(c.x, c.decimals) !== c.r)
      .map((c) => ({ ...c, ours: formatFixed(c.x, c.decimals) }));
    expect(wrong).toEqual([]);
    expect(formatFixed(-0.0001, 3)).toBe('0.000');
    expect(formatNumber(-0)).toBe('0');
  });

  it("formatBoundedScore(x, k) is R's fixed format for a [0, 1] score, with more decimals where R's reads as a bound", () => {
    const scores = R.fixed.filter((c) => c.x >= 0 && c.x <= 1 && c.decimals >= 1 && c.decimals <= 3);
    expect(scores.length).toBeGreaterThan(20);
    let widened = 0;
    for (const c of scores) {
      const ours = formatBoundedScore(c.x, c.decimals);
      const rOnBound = c.x > 0 && c.x < 1 && (Number(c.r) === 0 || Number(c.r) === 1);
      if (!rOnBound) {
        expect(ours, `${c.x} at ${c.decimals} decimals`).toBe(c.r);
        continue;
      }
      // R prints 0.99962 as "1.000": ours shows the first number of decimals at which R's print of it is
      // off the bound, and that print
      widened++;
      const k = ours.split('.')[1]!.length;
      expect(k, `${c.x} at ${c.decimals} decimals`).toBeGreaterThan(c.decimals);
      const rAtK = R.fixed.find((f) => f.x === c.x && f.decimals === k);
      if (rAtK) expect(ours).toBe(rAtK.r);
      expect(Number(ours) > 0 && Number(ours) < 1, ours).toBe(true);
    }
    expect(widened).toBeGreaterThan(3);
    expect(formatBoundedScore(0.99962)).toBe('0.9996');
    expect(formatBoundedScore(0.00031)).toBe('0.0003');
    expect(formatBoundedScore(1)).toBe('1.000');
    expect(formatBoundedScore(0)).toBe('0.000');
    expect(formatBoundedScore(null, 3, { missing: '–' })).toBe('–');
  });

  it('writes missing values as NA or as asked', () => {
    expect(formatNumber(null)).toBe('NA');
    expect(formatNumber(Number.NaN, 3, { missing: '–' })).toBe('–');
    expect(formatPValue(undefined, 3, { missing: '' })).toBe('');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('Inf');
  });
});

describe('estimates with confidence intervals', () => {
  it('gives the CI the decimals of the estimate', () => {
    expect(decimalsFor(0.0123, 3)).toBe(4);
    expect(decimalsFor(1234, 3)).toBe(0);
    expect(formatEstimateCi(0.51234, 0.30123, 0.7233, 3).text).toBe('0.512 (0.301 to 0.723)');
    expect(formatEstimateCi(-1.5, -2.98765, -0.00001, 3).text).toBe('-1.5 (-3.0 to 0.0)');
    expect(formatEstimateCi(12.345, null, null, 3).text).toBe('12.3');
    // near zero: the interval's precision, not the estimate's, sets the decimals
    expect(formatEstimateCi(-0.008341, -0.491088, 0.474407, 4).text).toBe('-0.0083 (-0.4911 to 0.4744)');
    expect(formatEstimateCi(0.1711, 0.1397, 0.2024, 4).text).toBe('0.1711 (0.1397 to 0.2024)');
    expect(formatEstimateCi(1.2e-7, 1e-8, 3e-7, 3).text).toBe('1.2e-07 (1e-08 to 3e-07)');
  });

  it('shows odds ratios in fixed notation unless tiny or huge', () => {
    expect(formatRatioCi(2.3456, 1.0312, 5.3355).text).toBe('2.35 (1.03 to 5.34)');
    expect(formatRatioCi(0.00123, 0.0004, 0.0039).text).toBe('0.00123 (0.00040 to 0.00390)');
    expect(formatRatioCi(123456.7, 2345.1, 6.5e6).text).toBe('123457 (2345 to 6500000)');
    expect(formatRatioCi(0.000234, 0.0001, 0.00051).text).toBe('2.34e-04 (1e-04 to 5.1e-04)');
    expect(formatRatioCi(3.2e7, 1e6, 1e9).estimate).toBe('3.2e+07');
  });
});
