import { CODED_LEVELS } from '@fedhub/stats';
import { describe, expect, it } from 'vitest';
import { crossCells } from '../types.js';
import { designCells } from './design-cells.js';
import { parseModelFormula } from './model-data.js';

/** The cells counted the plain way: a label per row, counted in a map. */
function naive(columns: Array<{ name: string; values: ArrayLike<string | number | null> }>) {
  const counts = new Map<string, number>();
  for (let i = 0; i < columns[0]!.values.length; i++) {
    const label = columns
      .map((c) => {
        const v = c.values[i];
        return `${c.name}=${v === null || (typeof v === 'number' && Number.isNaN(v)) ? 'NA' : String(v)}`;
      })
      .join(', ');
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, count]) => ({ label, count }));
}

describe('crossCells', () => {
  it('counts every combination of levels as labelled cells, missing values as NA', () => {
    const sex = ['F', 'M', 'F', null, 'M', 'F'];
    const stage = Float64Array.of(1, 2, 1, 3, Number.NaN, 1);
    const y = Float64Array.of(0, 1, 1, 0, 0, 0);
    const cells = crossCells(
      [
        { name: 'sex', values: sex },
        { name: 'stage', values: stage },
        { name: 'y', values: y },
      ],
      'design',
    );
    expect(cells).toEqual([
      { label: 'sex=F, stage=1, y=0', count: 2, kind: 'design' },
      { label: 'sex=M, stage=2, y=1', count: 1, kind: 'design' },
      { label: 'sex=F, stage=1, y=1', count: 1, kind: 'design' },
      { label: 'sex=NA, stage=3, y=0', count: 1, kind: 'design' },
      { label: 'sex=M, stage=NA, y=0', count: 1, kind: 'design' },
    ]);
  });

  it('agrees with the plain count on random data, values that print alike counted together', () => {
    let seed = 5;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const n = 5000;
    // '1' and 1 print alike, as null and NaN do: one cell each, as labels are what the gate reads
    const a = Array.from({ length: n }, () => (rnd() < 0.1 ? null : ['x', 'y', '1'][Math.floor(rnd() * 3)]!));
    const b = Float64Array.from({ length: n }, () => (rnd() < 0.05 ? Number.NaN : Math.floor(rnd() * 4)));
    const c = Array.from({ length: n }, () => (rnd() < 0.5 ? 1 : '1') as string | number);
    const cols = [
      { name: 'a', values: a },
      { name: 'b', values: b },
      { name: 'c', values: c },
    ];
    const sort = (xs: Array<{ label: string; count: number }>) =>
      xs.map(({ label, count }) => ({ label, count })).sort((p, q) => (p.label < q.label ? -1 : 1));
    expect(sort(crossCells(cols, 'design'))).toEqual(sort(naive(cols)));
    expect(crossCells([{ name: 'c', values: c }], 'design')).toEqual([
      { label: 'c=1', count: n, kind: 'design' },
    ]);
  });
});

describe('crossCells on level codes', () => {
  it('reads a coded column (the DuckDB reader) as its strings would be read', () => {
    const levels = ['F', 'M', 'NA'];
    const codes = Float64Array.of(1, 2, 0, 2, 3, 1, 1);
    const strings = Array.from(codes, (c) => (c === 0 ? null : levels[c - 1]!));
    const coded = [...strings];
    Object.defineProperty(coded, CODED_LEVELS, { value: { codes, levels } });
    const y = Float64Array.of(0, 1, 0, 0, 0, 1, 0);
    const viaCodes = crossCells(
      [
        { name: 'sex', values: coded },
        { name: 'y', values: y },
      ],
      'design',
    );
    const viaStrings = crossCells(
      [
        { name: 'sex', values: strings },
        { name: 'y', values: y },
      ],
      'design',
    );
    expect(viaCodes).toEqual(viaStrings);
    // the literal level 'NA' and a missing value print alike: one cell
    expect(viaCodes.find((c) => c.label === 'sex=NA, y=0')?.count).toBe(2);
  });
});

describe('designCells', () => {
  it('crosses every pair of terms and each term with the outcome, coding each column once', () => {
    const f = parseModelFormula('y ~ sex * stage + age');
    const sex = ['F', 'M', 'F', 'M', 'F'];
    const stage = ['I', 'I', 'II', 'II', 'II'];
    const y = Float64Array.of(0, 1, 1, 0, 1);
    const cells = designCells(f, { sex, stage }, { name: '(outcome)', values: y });
    const labels = cells.map((c) => c.label);
    expect(labels).toContain('sex=F, stage=II');
    expect(labels).toContain('(outcome)=1');
    expect(labels).toContain('sex=M, stage=II, (outcome)=0');
    expect(cells.find((c) => c.label === 'sex=F, stage=II, (outcome)=1')?.count).toBe(2);
  });
});
