import { describe, expect, it } from 'vitest';
import { readFixtureJson, relDiff } from '../test-support.js';
import { fisherExact } from './fisher.js';

const fx = readFixtureJson<{
  tables: Array<{
    name: string;
    nrow: number;
    ncol: number;
    counts: number[];
    pValue: number;
    oddsRatio: number | null;
    ci: Array<number | null>;
  }>;
}>('fisher.json');

describe("Fisher's exact test equals R fisher.test (scripts/make-fisher-fixture.R)", () => {
  for (const t of fx.tables) {
    it(t.name, () => {
      const r = fisherExact(Float64Array.from(t.counts), t.nrow, t.ncol)!;
      expect(relDiff(r.pValue, t.pValue)).toBeLessThan(1e-9);
      if (t.oddsRatio === null) {
        expect(r.oddsRatio).toBeNull();
        return;
      }
      // R finds the odds ratio and its limits with uniroot on u in (0, 1) for values under 1 and on
      // 1/u above, to uniroot's default tolerance (eps^0.25 = 1.2e-4): compare on that scale
      const near = (got: number | null, want: number | null) => {
        if (want === 0 || want === Number.POSITIVE_INFINITY) expect(got).toBe(want);
        else if (want! <= 1) expect(Math.abs(got! - want!)).toBeLessThan(2.5e-4);
        else expect(Math.abs(1 / got! - 1 / want!)).toBeLessThan(2.5e-4);
      };
      near(r.oddsRatio, t.oddsRatio);
      near(r.ciLower, t.ci[0]!);
      near(r.ciUpper, t.ci[1]!);
    });
  }
  it('refuses tables whose margins allow too many tables to enumerate, and bad counts', () => {
    expect(fisherExact(Float64Array.from([40, 30, 20, 35, 25, 30, 20, 30, 40]), 3, 3, 0.95, 1000)).toBeNull();
    expect(() => fisherExact(Float64Array.from([1, 2, 3]), 1, 3)).toThrow(/r x c/);
    expect(() => fisherExact(Float64Array.from([1, -2, 3, 4]), 2, 2)).toThrow(/non-negative/);
  });
});
