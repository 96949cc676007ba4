import { describe, expect, it } from 'vitest';
import { crosstabCells, formatPercent } from './crosstab-percent.js';

describe('crosstab percentages', () => {
  const counts = [
    [10, 30],
    [20, 40],
    [0, 0],
  ];
  it('gives row percentages that sum to 100 per row', () => {
    const rows = crosstabCells(counts, 'row');
    expect(rows[0]).toEqual([25, 75]);
    expect(rows[1]![0]).toBeCloseTo(33.333, 3);
    expect(rows[2]).toEqual([null, null]);
  });
  it('gives column percentages that sum to 100 per column', () => {
    const cols = crosstabCells(counts, 'col');
    expect(cols.map((r) => r[0])).toEqual([(100 * 10) / 30, (100 * 20) / 30, 0]);
    expect(cols.reduce((a, r) => a + (r[1] ?? 0), 0)).toBeCloseTo(100, 12);
  });
  it('formats with one decimal', () => {
    expect(formatPercent(33.3333)).toBe('33.3%');
    expect(formatPercent(null)).toBe('–');
  });
});
