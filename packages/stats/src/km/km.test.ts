import { describe, expect, it } from 'vitest';
import { coarsenTimes } from '../cox/grid.js';
import { mergeLevels } from '../formula/levels.js';
import { sumPartials } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import { cellCounts, localTimes, mergeTimes, survivalCountsLocalPartial } from './counts.js';
import { kaplanMeier } from './kaplan-meier.js';
import { logRankTest } from './log-rank.js';
import { mergeBinsToMinCount } from './merge-bins.js';

interface KmRef {
  strata: string[];
  time: number[];
  nRisk: number[];
  nEvent: number[];
  nCensor: number[];
  surv: number[];
  stdErrLogS: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  median: (number | null)[];
  medianLower: (number | null)[];
  medianUpper: (number | null)[];
}
const fx = readFixtureJson<{
  overall: KmRef;
  bySex: KmRef;
  logrankStage: { chisq: number; df: number; p: number; observed: number[]; expected: number[] };
  logrankSexStrataCentre: { chisq: number; observed: number[]; expected: number[] };
}>('km.json');
const cohort = readCohortNodes();
const times = cohort.map((c) => coarsenTimes(c.numeric['months']!, 1));
const grid = mergeTimes(times.map(localTimes));

function summed(cellOf: (c: (typeof cohort)[number]) => Int32Array | null, nCells: number): Float64Array {
  return sumPartials(
    cohort.map((c, k) => survivalCountsLocalPartial(times[k]!, c.numeric['dead']!, cellOf(c), nCells, grid)),
  );
}

/** Compares a value with R's, where R's NA (null) must be our NaN. */
function close(got: number, want: number | null, tol: number): boolean {
  if (want === null) return Number.isNaN(got);
  return relDiff(got, want) < tol;
}

function checkCurve(ref: KmRef, stratum: string, sum: Float64Array, nCells: number, cell: number): void {
  const idx = ref.strata.map((s, i) => (s === stratum ? i : -1)).filter((i) => i >= 0);
  const km = kaplanMeier(grid, cellCounts(sum, grid.length, nCells, cell));
  expect([...km.time]).toEqual(idx.map((i) => ref.time[i]));
  expect([...km.nRisk]).toEqual(idx.map((i) => ref.nRisk[i]));
  expect([...km.nEvent]).toEqual(idx.map((i) => ref.nEvent[i]));
  expect([...km.nCensor]).toEqual(idx.map((i) => ref.nCensor[i]));
  idx.forEach((i, r) => {
    expect(relDiff(km.surv[r]!, ref.surv[i]!)).toBeLessThan(1e-12);
    expect(close(km.stdErrLogSurv[r]!, ref.stdErrLogS[i]!, 1e-12)).toBe(true);
    expect(close(km.lower[r]!, ref.lower[i]!, 1e-12)).toBe(true);
    expect(close(km.upper[r]!, ref.upper[i]!, 1e-12)).toBe(true);
  });
  const s = ref.strata[idx[0]!] === stratum ? [...new Set(ref.strata)].indexOf(stratum) : -1;
  expect(close(km.median, ref.median[s]!, 1e-15)).toBe(true);
  expect(close(km.medianLower, ref.medianLower[s]!, 1e-15)).toBe(true);
  expect(close(km.medianUpper, ref.medianUpper[s]!, 1e-15)).toBe(true);
}

describe('Kaplan-Meier and log-rank from summed counts equal R survfit/survdiff', () => {
  it('overall curve at every time (survival, Greenwood, log CI, median)', () => {
    checkCurve(
      fx.overall,
      'all',
      summed(() => null, 1),
      1,
      0,
    );
  });
  it('curves by sex', () => {
    const sexes = mergeLevels(cohort.map((c) => c.text['sex']!));
    const sum = summed((c) => Int32Array.from(c.text['sex']!, (v) => sexes.indexOf(v)), sexes.length);
    sexes.forEach((s, g) => {
      checkCurve(fx.bySex, `sex=${s}`, sum, sexes.length, g);
    });
  });
  it('log-rank by stage', () => {
    const stages = mergeLevels(cohort.map((c) => c.text['stage']!));
    const sum = summed((c) => Int32Array.from(c.text['stage']!, (v) => stages.indexOf(v)), stages.length);
    const lr = logRankTest(sum, grid.length, 1, stages.length);
    expect(relDiff(lr.chisq, fx.logrankStage.chisq)).toBeLessThan(1e-10);
    expect(lr.df).toBe(fx.logrankStage.df);
    expect(relDiff(lr.pValue, fx.logrankStage.p)).toBeLessThan(1e-8);
    fx.logrankStage.expected.forEach((e, g) => {
      expect(relDiff(lr.expected[g]!, e)).toBeLessThan(1e-12);
    });
  });
  it('stratified log-rank (sex, strata = centre)', () => {
    const sexes = mergeLevels(cohort.map((c) => c.text['sex']!));
    const centres = mergeLevels(cohort.map((c) => c.text['centre']!));
    const G = sexes.length;
    const sum = summed(
      (c) =>
        Int32Array.from(
          c.text['sex']!,
          (v, i) => centres.indexOf(c.text['centre']![i]!) * G + sexes.indexOf(v),
        ),
      centres.length * G,
    );
    const lr = logRankTest(sum, grid.length, centres.length, G);
    expect(relDiff(lr.chisq, fx.logrankSexStrataCentre.chisq)).toBeLessThan(1e-10);
  });
});

describe('minimum cell count bin merging', () => {
  it('merges adjacent bins until every non-zero count reaches k, tail into the previous bin', () => {
    const m = mergeBinsToMinCount(
      [Float64Array.from([5, 1, 0, 2, 3, 4]), Float64Array.from([0, 3, 3, 0, 3, 0])],
      3,
    );
    expect([...m.group]).toEqual([0, 1, 1, 1, 2, 3]);
    expect([...m.counts[0]!]).toEqual([5, 3, 3, 4]);
    expect([...m.counts[1]!]).toEqual([0, 6, 3, 0]);
    expect([...m.lastBin]).toEqual([0, 3, 4, 5]);
    // A tail that cannot reach k joins the previous merged bin.
    const t = mergeBinsToMinCount(
      [Float64Array.from([5, 1, 0, 2, 3, 1]), Float64Array.from([0, 3, 3, 0, 1, 1])],
      3,
    );
    expect([...t.group]).toEqual([0, 1, 1, 1, 1, 1]);
    expect([...t.counts[0]!]).toEqual([5, 7]);
    expect([...t.counts[1]!]).toEqual([0, 8]);
    expect([...t.lastBin]).toEqual([0, 5]);
    expect(() => mergeBinsToMinCount([Float64Array.from([1, 1])], 3)).toThrow(/do not reach 3/);
  });
});
