import type { ColumnSpec } from '@fedhub/protocol';
import { describe, expect, it } from 'vitest';
import { binsFromDraft, breaksOf, describeBins, draftFromBins, niceWidth, suggestBins } from './bins.js';

const age: ColumnSpec = { name: 'age', type: 'numeric', unit: 'a', min: 18, max: 100, resolution: 1 };
const dose: ColumnSpec = { name: 'dose_gy', type: 'numeric', unit: 'Gy', min: 20, max: 90, resolution: 0.5 };

const ok = (s: ReturnType<typeof suggestBins>) => {
  if ('error' in s) throw new Error(s.error);
  return s;
};

describe('suggestBins', () => {
  it('covers the declared range with nice widths on the release resolution', () => {
    const s = ok(suggestBins(age));
    expect(s.bins).toEqual({ from: 10, to: 100, width: 10 });
    expect(s.count).toBe(9);
    const b = breaksOf(s.bins)!;
    expect(b[0]).toBeLessThanOrEqual(18);
    expect(b.at(-1)).toBeGreaterThanOrEqual(100);
    for (const x of b) expect(Number.isInteger(x)).toBe(true);
  });
  it('sizes the bins so an average bin holds four times the minimum cell count', () => {
    // 120 records, min cell 5: at most 6 bins
    const s = ok(suggestBins(age, { n: 120, minCellCount: 5 }));
    expect(s.count).toBeLessThanOrEqual(6);
    expect(120 / s.count).toBeGreaterThanOrEqual(20);
    // many records: Sturges' count, never beyond 200 bins
    const big = ok(suggestBins(dose, { n: 100_000 }));
    expect(big.count).toBeLessThanOrEqual(18);
    expect(big.bins.width % 0.5).toBe(0);
    // a stricter policy gives fewer bins
    expect(ok(suggestBins(age, { n: 120, minCellCount: 10 })).count).toBeLessThan(s.count);
  });
  it('coarser halves the number of bins, down to two', () => {
    const a = ok(suggestBins(age, { n: 1000 }));
    const b = ok(suggestBins(age, { n: 1000, coarser: 1 }));
    expect(b.count).toBeLessThan(a.count);
    expect(ok(suggestBins(age, { n: 1000, coarser: 10 })).count).toBeGreaterThanOrEqual(1);
  });
  it('says why it cannot suggest: no declared range, not numeric', () => {
    expect(suggestBins({ name: 'bmi', type: 'numeric' })).toEqual({
      error: 'bmi declares no range (min and max) in the data dictionary: type the breaks',
    });
    expect('error' in suggestBins({ name: 'sex', type: 'categorical', levels: ['F', 'M'] })).toBe(true);
  });
  it('never leaves float noise in the breaks', () => {
    const s = ok(suggestBins({ name: 'x', type: 'numeric', min: 0, max: 0.3, resolution: 0.01 }, { n: 400 }));
    for (const b of breaksOf(s.bins)!) expect(String(b).length).toBeLessThan(6);
    expect(niceWidth(0.03, 0.01)).toBe(0.05);
    expect(niceWidth(7, 1)).toBe(10);
    expect(niceWidth(2.2, 0.5)).toBe(2.5);
  });
});

describe('bins drafts', () => {
  it('parses grids and breaks, and says what is wrong', () => {
    expect(binsFromDraft({ mode: 'breaks', breaks: '20, 50 60;70 90' })).toEqual({
      breaks: [20, 50, 60, 70, 90],
    });
    expect(() => binsFromDraft({ mode: 'breaks', breaks: '20, 10' })).toThrow(/strictly increasing/);
    expect(() => binsFromDraft({ mode: 'breaks', breaks: '20, x' })).toThrow(/"x" is not a number/);
    expect(() => binsFromDraft({ mode: 'grid', from: '0', to: '10', width: '3' })).toThrow(/whole number/);
    expect(draftFromBins({ from: 0, to: 10, width: 2 })).toEqual({
      mode: 'grid',
      from: '0',
      to: '10',
      width: '2',
    });
  });
  it('describes bins as the histogram counts them (last one closed)', () => {
    expect(describeBins([0, 1, 2])).toBe('[0, 1) [1, 2]');
    expect(describeBins(breaksOf({ from: 0, to: 100, width: 10 })!)).toBe(
      '[0, 10) [10, 20) [20, 30) … [80, 90) [90, 100]',
    );
  });
});
