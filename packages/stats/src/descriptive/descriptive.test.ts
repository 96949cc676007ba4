import { describe, expect, it } from 'vitest';
import { sumPartials } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import { histogramLocalPartial, mergeHistograms } from './histogram.js';
import {
  mergeMoments,
  momentsFromShiftedSums,
  shiftedMomentsLocalPartial,
  shiftFromSum,
  sumLocalPartial,
  welford,
} from './moments.js';
import { countAtMostLocalPartial, federatedQuantilesType7, quantileType7 } from './quantiles.js';
import { chiSquareIndependence, twoSampleTTest } from './tests.js';

interface TRef {
  statistic: number;
  df: number;
  p: number;
  ciLower: number;
  ciUpper: number;
}
interface ChiRef {
  table: number[];
  nrow: number;
  ncol: number;
  statistic: number;
  df: number;
  p: number;
}
const fx = readFixtureJson<{
  ageMean: number;
  ageSd: number;
  ageVar: number;
  big: number[];
  bigNode: string[];
  bigMean: number;
  bigSd: number;
  bigVar: number;
  probs: number[];
  ageQuantiles: number[];
  doseQuantiles: number[];
  welch: TRef;
  pooled: TRef;
  chisq2x2: ChiRef;
  chisq2x2NoCorrect: ChiRef;
  chisq4x2: ChiRef;
}>('descriptive.json');
const cohort = readCohortNodes();

function additiveMoments(parts: readonly Float64Array[]) {
  const shift = shiftFromSum(sumPartials(parts.map(sumLocalPartial)));
  return momentsFromShiftedSums(sumPartials(parts.map((x) => shiftedMomentsLocalPartial(x, shift))), shift);
}

describe('descriptive statistics against R', () => {
  it('pooled mean, var and sd of age (additive shifted sums and Chan merge)', () => {
    const ages = cohort.map((c) => c.numeric['age']!);
    const m = additiveMoments(ages);
    expect(relDiff(m.mean, fx.ageMean)).toBeLessThan(1e-14);
    expect(relDiff(m.variance, fx.ageVar)).toBeLessThan(1e-13);
    expect(relDiff(m.sd, fx.ageSd)).toBeLessThan(1e-13);
    const c = mergeMoments(ages.map((x) => welford(x)));
    expect(relDiff(c.mean, fx.ageMean)).toBeLessThan(1e-13);
    expect(relDiff(c.variance, fx.ageVar)).toBeLessThan(1e-12);
  });
  it('badly scaled data (1e9 + N(0, 1e-3)): the error analysis holds to 1e-12 relative', () => {
    const nodes = ['A', 'B', 'C'].map((k) => Float64Array.from(fx.big.filter((_, i) => fx.bigNode[i] === k)));
    const m = additiveMoments(nodes);
    expect(relDiff(m.mean, fx.bigMean)).toBeLessThan(1e-15);
    expect(relDiff(m.variance, fx.bigVar)).toBeLessThan(1e-12);
    expect(relDiff(m.sd, fx.bigSd)).toBeLessThan(1e-12);
    // Chan merge of Welford summaries on a shared shift keeps the accuracy; without a shift it does not.
    const shift = shiftFromSum(sumPartials(nodes.map(sumLocalPartial)));
    const c = mergeMoments(nodes.map((x) => welford(x, shift)));
    expect(relDiff(c.mean, fx.bigMean)).toBeLessThan(1e-15);
    expect(relDiff(c.variance, fx.bigVar)).toBeLessThan(1e-12);
    const unshifted = mergeMoments(nodes.map((x) => welford(x)));
    expect(relDiff(unshifted.variance, fx.bigVar)).toBeGreaterThan(1e-9);
    // The textbook one-pass formula (sum x^2 - n mean^2) loses every digit here: shows why the shift.
    let s = 0;
    let s2 = 0;
    for (const v of fx.big) {
      s += v;
      s2 += v * v;
    }
    const naive = (s2 - (s * s) / fx.big.length) / (fx.big.length - 1);
    expect(relDiff(naive, fx.bigVar)).toBeGreaterThan(1e-2);
  });
  it('R type-7 quantiles: plain and federated bisection on counts', () => {
    const all = cohort.flatMap((c) => [...c.numeric['age']!]);
    const plain = quantileType7(all, fx.probs);
    fx.ageQuantiles.forEach((q, j) => {
      expect(plain[j]).toBe(q);
    });
    for (const [col, ref] of [
      ['age', fx.ageQuantiles],
      ['dose_gy', fx.doseQuantiles],
    ] as const) {
      const parts = cohort.map((c) => c.numeric[col]!);
      const countAll = (cuts: Float64Array) =>
        sumPartials(parts.map((x) => countAtMostLocalPartial(x, cuts)));
      const n = parts.reduce((a, x) => a + x.length, 0);
      const q = federatedQuantilesType7(countAll, n, fx.probs, -1000, 1000, 1e-10);
      ref.forEach((r, j) => {
        expect(Math.abs(q[j]! - r)).toBeLessThan(1e-9);
      });
    }
  });
  it('Welch and pooled two-sample t-tests from per-group (n, mean, var)', () => {
    const groups = ['F', 'M'].map((sex) =>
      additiveMoments(cohort.map((c) => c.numeric['age']!.filter((_, i) => c.text['sex']![i] === sex))),
    );
    for (const [pooled, ref] of [
      [false, fx.welch],
      [true, fx.pooled],
    ] as const) {
      const t = twoSampleTTest(groups[0]!, groups[1]!, pooled);
      expect(relDiff(t.statistic, ref.statistic)).toBeLessThan(1e-11);
      expect(relDiff(t.df, ref.df)).toBeLessThan(1e-11);
      expect(relDiff(t.pValue, ref.p)).toBeLessThan(1e-9);
      expect(relDiff(t.ciLower, ref.ciLower)).toBeLessThan(1e-10);
      expect(relDiff(t.ciUpper, ref.ciUpper)).toBeLessThan(1e-10);
    }
  });
  it('chi-square test of independence (Yates for 2x2 by default, none for 4x2)', () => {
    for (const [ref, correct] of [
      [fx.chisq2x2, true],
      [fx.chisq2x2NoCorrect, false],
      [fx.chisq4x2, true],
    ] as const) {
      const r = chiSquareIndependence(Float64Array.from(ref.table), ref.nrow, ref.ncol, correct);
      expect(relDiff(r.statistic, ref.statistic)).toBeLessThan(1e-12);
      expect(r.df).toBe(ref.df);
      expect(relDiff(r.pValue, ref.p)).toBeLessThan(1e-10);
    }
  });
  it('histograms merge by addition and count as R hist (right-closed)', () => {
    const breaks = Float64Array.from([0, 50, 60, 70, 120]);
    const merged = mergeHistograms(cohort.map((c) => histogramLocalPartial(c.numeric['age']!, breaks)));
    const all = cohort.flatMap((c) => [...c.numeric['age']!]);
    expect(merged[1]).toBe(all.filter((v) => v > 50 && v <= 60).length);
    expect(merged.reduce((a, b) => a + b, 0)).toBe(all.length);
  });
});
