import { describe, expect, it } from 'vitest';
import { sumPartials } from '../partial.js';
import { readCohortNodes, readFixtureJson, relDiff } from '../test-support.js';
import { aucFromHistograms, aucLocalPartial } from './auc.js';
import {
  brierFromPartial,
  brierLocalPartial,
  hosmerLemeshowFromPartial,
  hosmerLemeshowLocalPartial,
} from './brier-hl.js';
import { calibrationFederated } from './calibration.js';

const fx = readFixtureJson<
  Record<string, number> & { hlBreaks: number[]; hlObserved: number[]; hlExpected: number[] }
>('validation.json');
const nodes = readCohortNodes().map((c) => ({ y: c.numeric['toxicity']!, p: c.numeric['score']! }));

describe('validation of a frozen score equals R (pROC, glm, direct formulas)', () => {
  it('AUC, DeLong variance and CI from per-class histograms', () => {
    const grid = { min: 0, width: fx['resolution']!, bins: 1001 };
    const r = aucFromHistograms(sumPartials(nodes.map((d) => aucLocalPartial(d.y, d.p, grid))), grid.bins);
    expect(relDiff(r.auc, fx['auc']!)).toBeLessThan(1e-14);
    expect(relDiff(r.auc, fx['aucDirect']!)).toBeLessThan(1e-14);
    expect(relDiff(r.variance, fx['delongVar']!)).toBeLessThan(1e-12);
    expect(relDiff(r.ciLower, fx['ciLower']!)).toBeLessThan(1e-12);
    expect(relDiff(r.ciUpper, fx['ciUpper']!)).toBeLessThan(1e-12);
  });
  it('calibration slope and calibration-in-the-large (binomial GLM, offset)', () => {
    const c = calibrationFederated(nodes);
    expect(relDiff(c.slope, fx['calibrationSlope']!)).toBeLessThan(1e-8);
    expect(relDiff(c.slopeFit.estimate[0]!, fx['calibrationSlopeIntercept']!)).toBeLessThan(1e-8);
    expect(relDiff(c.slopeStdError, fx['calibrationSlopeSe']!)).toBeLessThan(1e-8);
    expect(relDiff(c.interceptInLarge, fx['calibrationInLarge']!)).toBeLessThan(1e-8);
    expect(relDiff(c.interceptInLargeStdError, fx['calibrationInLargeSe']!)).toBeLessThan(1e-8);
  });
  it('Brier score', () => {
    const b = brierFromPartial(sumPartials(nodes.map((d) => brierLocalPartial(d.y, d.p))));
    expect(relDiff(b, fx['brier']!)).toBeLessThan(1e-13);
  });
  it('Hosmer-Lemeshow from decile-group counts', () => {
    const breaks = Float64Array.from(fx.hlBreaks);
    const hl = hosmerLemeshowFromPartial(
      sumPartials(nodes.map((d) => hosmerLemeshowLocalPartial(d.y, d.p, breaks))),
    );
    expect([...hl.observed]).toEqual(fx.hlObserved);
    hl.expected.forEach((e, g) => {
      expect(relDiff(e, fx.hlExpected[g]!)).toBeLessThan(1e-13);
    });
    expect(relDiff(hl.statistic, fx['hlStatistic']!)).toBeLessThan(1e-12);
    expect(hl.df).toBe(fx['hlDf']);
    expect(relDiff(hl.pValue, fx['hlP']!)).toBeLessThan(1e-10);
  });
});
