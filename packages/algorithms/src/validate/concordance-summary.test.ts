/**
 * Harrell's C and its variance from binned counts against survival::concordance on a small set built for
 * the edge cases (strata, one without events; ties on time, score and both; censorings at event times and
 * before a stratum's first event). Reference: packages/stats/scripts/make-survival-validation-fixture.R.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concordanceLocalPartial, localEventTimes } from '@fedhub/stats';
import { describe, expect, it } from 'vitest';
import {
  concordanceMoments,
  concordanceSummary,
  summaryFromMoments,
  timeDependentAuc,
  unoTimeWeights,
} from './concordance-summary.js';

interface Ref {
  concordance: number;
  variance: number;
  concordant: number;
  discordant: number;
  tiedScore: number;
  tiedTime: number;
  tiedBoth: number;
}
const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../stats/fixtures/survival-validation.json', import.meta.url)),
    'utf8',
  ),
) as {
  toy: { time: number[]; event: number[]; stratum: number[]; score: number[]; pooled: Ref; stratified: Ref };
};
const toy = fixture.toy;

function summarise(strata: Int32Array | null) {
  const time = Float64Array.from(toy.time);
  const event = Float64Array.from(toy.event);
  const score = Float64Array.from(toy.score);
  const grid = localEventTimes(time, event, strata);
  const scoreGrid = { min: 0, width: 1, bins: 5 };
  return concordanceSummary(
    concordanceLocalPartial(time, event, strata, score, grid, scoreGrid),
    grid.strata,
    scoreGrid.bins,
  );
}

function same(got: ReturnType<typeof concordanceSummary>, want: Ref) {
  expect([got.concordant, got.discordant, got.tiedScore, got.tiedTime, got.tiedBoth]).toEqual([
    want.concordant,
    want.discordant,
    want.tiedScore,
    want.tiedTime,
    want.tiedBoth,
  ]);
  expect(Math.abs(got.concordance - want.concordance)).toBeLessThan(1e-14);
  expect(Math.abs(got.variance - want.variance) / want.variance).toBeLessThan(1e-12);
}

describe('concordanceSummary equals survival::concordance(reverse = TRUE)', () => {
  it('without strata', () => same(summarise(null), toy.pooled));
  it('with strata (pairs within strata; a stratum without events adds nothing)', () =>
    same(summarise(Int32Array.from(toy.stratum)), toy.stratified));
  it('refuses a partial of the wrong length', () => {
    expect(() => concordanceSummary(new Float64Array(3), new Int32Array(1), 2)).toThrow(/expected 4/);
  });
});

describe("Uno's C and the time-dependent AUC from the same binned counts", () => {
  const ref = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../stats/fixtures/validation-intervals.json', import.meta.url)),
      'utf8',
    ),
  ) as {
    toy: {
      time: number[];
      event: number[];
      score: number[];
      uno: { concordance: number; variance: number; harrell: number };
      aucTimes: number[];
      auc: number[];
    };
  };
  const t = ref.toy;
  const time = Float64Array.from(t.time);
  const event = Float64Array.from(t.event);
  const grid = localEventTimes(time, event, null);
  const sum = concordanceLocalPartial(time, event, null, Float64Array.from(t.score), grid, {
    min: 0,
    width: 1,
    bins: 5,
  });
  it('Uno\'s C and its variance equal concordance(timewt = "n/G2")', () => {
    const w = unoTimeWeights(sum, grid.strata, 5)!;
    const uno = concordanceSummary(sum, grid.strata, 5, w);
    expect(Math.abs(uno.concordance - t.uno.concordance)).toBeLessThan(1e-14);
    expect(Math.abs(uno.variance - t.uno.variance) / t.uno.variance).toBeLessThan(1e-12);
    expect(Math.abs(concordanceSummary(sum, grid.strata, 5).concordance - t.uno.harrell)).toBeLessThan(1e-14);
  });
  it('AUC(t) equals the IPCW estimator written out in R (censorings before the first event included)', () => {
    t.aucTimes.forEach((at, i) => {
      const a = timeDependentAuc(sum, grid, 5, at, 1)!;
      // event times are 2..6 in steps of 1, so the time used is the time asked
      expect(a.timeUsed).toBe(at);
      expect(Math.abs(a.auc - t.auc[i]!)).toBeLessThan(1e-14);
    });
    expect(timeDependentAuc(sum, grid, 5, 1, 1)).toBeNull();
    expect(timeDependentAuc(sum, grid, 5, 6, 1)).toBeNull();
  });
  it("declines with strata without the strata's record totals (the censorings before each stratum's first event no longer cancel)", () => {
    expect(unoTimeWeights(sum, Int32Array.from([0, 0, 1]), 5)).toBeNull();
  });
});

describe('Uno\'s C with strata equals concordance(..., strata, timewt = "n/G2")', () => {
  const ref = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../stats/fixtures/survival-strata.json', import.meta.url)),
      'utf8',
    ),
  ) as {
    toy: {
      time: number[];
      event: number[];
      stratum: number[];
      score: number[];
      uno: {
        concordance: number;
        variance: number;
        concordant: number;
        discordant: number;
        tiedScore: number;
      };
      harrell: { concordance: number; variance: number };
    };
  };
  const t = ref.toy;
  const time = Float64Array.from(t.time);
  const event = Float64Array.from(t.event);
  const strata = Int32Array.from(t.stratum);
  const grid = localEventTimes(time, event, strata);
  const sum = concordanceLocalPartial(time, event, strata, Float64Array.from(t.score), grid, {
    min: 0,
    width: 1,
    bins: 5,
  });
  // records per stratum code (every record of the toy, censored before its stratum's first event or not)
  const totals = [0, 0, 0, 0];
  for (const s of t.stratum) totals[s]! += 1;

  it('G per stratum from its own records; a stratum of one event weighted 1, one of none adds nothing', () => {
    const w = unoTimeWeights(sum, grid.strata, 5, totals)!;
    const uno = concordanceSummary(sum, grid.strata, 5, w);
    expect(Math.abs(uno.concordant - t.uno.concordant) / t.uno.concordant).toBeLessThan(1e-13);
    expect(Math.abs(uno.discordant - t.uno.discordant) / t.uno.discordant).toBeLessThan(1e-13);
    expect(Math.abs(uno.tiedScore - t.uno.tiedScore) / t.uno.tiedScore).toBeLessThan(1e-13);
    expect(Math.abs(uno.concordance - t.uno.concordance)).toBeLessThan(1e-14);
    expect(Math.abs(uno.variance - t.uno.variance) / t.uno.variance).toBeLessThan(1e-12);
    const harrell = concordanceSummary(sum, grid.strata, 5);
    expect(Math.abs(harrell.concordance - t.harrell.concordance)).toBeLessThan(1e-14);
    expect(Math.abs(harrell.variance - t.harrell.variance) / t.harrell.variance).toBeLessThan(1e-12);
  });
  it("needs the records censored before a stratum's first event: G started at 1 there differs from R", () => {
    // totals equal to each stratum's records at risk at its first event time: G(t_1-) = 1 in every stratum
    const first = new Map<number, number>();
    t.stratum.forEach((s, i) => {
      if (t.event[i] === 1) first.set(s, Math.min(first.get(s) ?? Number.POSITIVE_INFINITY, t.time[i]!));
    });
    const atFirst = totals.map(
      (_, s) => t.time.filter((x, i) => t.stratum[i] === s && x >= (first.get(s) ?? 0)).length,
    );
    expect(atFirst).not.toEqual(totals);
    const w = unoTimeWeights(sum, grid.strata, 5, atFirst)!;
    const u = concordanceSummary(sum, grid.strata, 5, w).concordance;
    expect(Math.abs(u - t.uno.concordance)).toBeGreaterThan(1e-6);
  });

  it('each stratum summarised alone, its moments summed: the same C and variance (pairs compared within a centre)', () => {
    const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]!);
    let harrell = new Float64Array(8);
    let uno = new Float64Array(8);
    for (const s of [0, 1, 2, 3]) {
      const keep = t.stratum.flatMap((x, i) => (x === s ? [i] : []));
      const ts = Float64Array.from(keep, (i) => t.time[i]!);
      const es = Float64Array.from(keep, (i) => t.event[i]!);
      const g = localEventTimes(ts, es, null);
      const part = concordanceLocalPartial(
        ts,
        es,
        null,
        Float64Array.from(keep, (i) => t.score[i]!),
        g,
        {
          min: 0,
          width: 1,
          bins: 5,
        },
      );
      harrell = add(harrell, concordanceMoments(part, g.strata, 5));
      uno = add(
        uno,
        concordanceMoments(part, g.strata, 5, unoTimeWeights(part, g.strata, 5, [keep.length])!),
      );
    }
    const h = summaryFromMoments(harrell);
    expect(Math.abs(h.concordance - t.harrell.concordance)).toBeLessThan(1e-14);
    expect(Math.abs(h.variance - t.harrell.variance) / t.harrell.variance).toBeLessThan(1e-10);
    const u = summaryFromMoments(uno);
    expect(Math.abs(u.concordance - t.uno.concordance)).toBeLessThan(1e-14);
    expect(Math.abs(u.variance - t.uno.variance) / t.uno.variance).toBeLessThan(1e-10);
  });
});

describe("AUC(t)'s standard error equals timeROC's iid s.e. on the coarsened data the partial describes", () => {
  const ref = JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../stats/fixtures/auc-t-variance.json', import.meta.url)),
      'utf8',
    ),
  ) as {
    toy: { time: number[]; event: number[]; score: number[]; times: number[]; auc: number[]; se: number[] };
  };
  const t = ref.toy;
  const time = Float64Array.from(t.time);
  const event = Float64Array.from(t.event);
  const grid = localEventTimes(time, event, null);
  const sum = concordanceLocalPartial(time, event, null, Float64Array.from(t.score), grid, {
    min: 0,
    width: 1,
    bins: 5,
  });
  it('on the toy set (censorings before the first event time, ties on time, score and both), to 1e-12', () => {
    // records censored before the first event time are not in the partial: they count in n only
    expect(t.time.some((x, i) => t.event[i] === 0 && x < grid.times[0]!)).toBe(true);
    t.times.forEach((at, i) => {
      const a = timeDependentAuc(sum, grid, 5, at, 1, t.time.length)!;
      expect(Math.abs(a.auc - t.auc[i]!)).toBeLessThan(1e-14);
      expect(Math.abs(a.se - t.se[i]!) / t.se[i]!).toBeLessThan(1e-12);
      expect(a.lower).toBeCloseTo(Math.max(0, a.auc - 1.959963984540054 * a.se), 14);
      expect(a.upper).toBeCloseTo(Math.min(1, a.auc + 1.959963984540054 * a.se), 14);
    });
  });
  it('n counts every record of the stratum (timeROC divides by n - 1): left at those at risk at the first event time, the s.e. differs', () => {
    const a = timeDependentAuc(sum, grid, 5, 3, 1)!;
    expect(Math.abs(a.se - t.se[1]!) / t.se[1]!).toBeGreaterThan(1e-4);
  });
});
