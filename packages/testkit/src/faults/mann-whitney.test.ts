import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from './mann-whitney.js';

// Made by fixtures/mann-whitney.py with scipy.stats.mannwhitneyu (two-sided, asymptotic, continuity).
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/mann-whitney.json', import.meta.url), 'utf8'),
) as {
  cases: Array<{ name: string; x: number[]; y: number[]; u: number; p: number }>;
};

describe('Mann-Whitney U against scipy', () => {
  for (const c of fixture.cases)
    it(c.name, () => {
      const r = mannWhitneyU(c.x, c.y);
      expect(r.u).toBe(c.u);
      expect(Math.abs(r.p - c.p)).toBeLessThan(1e-6 * Math.max(c.p, 1e-3));
    });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/at least one value/);
  });
});
