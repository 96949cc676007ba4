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

describe('crossCells, every way of coding and counting', () => {
  const rnd = (() => {
    let seed = 11;
    return () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
  })();
  const withKind = (xs: Array<{ label: string; count: number }>) => xs.map((c) => ({ ...c, kind: 'design' }));

  it('gives the plain count in its order for numbers of every kind (small integers, -0, NaN, fractions, many values)', () => {
    const n = 4000;
    // small integers (the table), -0 with 0, negatives, fractions and large values (the map), NaN; over
    // 300 distinct values, so the codes widen past 8 bits
    const pick = (): number => {
      const u = rnd();
      if (u < 0.3) return Math.floor(rnd() * 3);
      if (u < 0.35) return -0;
      if (u < 0.4) return Number.NaN;
      if (u < 0.5) return -Math.floor(rnd() * 5);
      if (u < 0.6) return Math.floor(rnd() * 4) + 0.5;
      return 200 + Math.floor(rnd() * 400);
    };
    const a = Float64Array.from({ length: n }, pick);
    const b = Float64Array.from({ length: n }, () => Math.floor(rnd() * 3));
    const cols = [
      { name: 'a', values: a },
      { name: 'b', values: b },
    ];
    expect(crossCells([cols[0]!], 'design')).toEqual(withKind(naive([cols[0]!])));
    expect(crossCells(cols, 'design')).toEqual(withKind(naive(cols)));
  });

  it('gives the plain count in its order for over 65,536 distinct values (32-bit codes)', () => {
    const n = 70_000;
    const a = Array.from({ length: n }, (_, i) => `v${(i * 7919) % 66_000}`);
    const b = Float64Array.from({ length: n }, () => Math.floor(rnd() * 2));
    const cols = [
      { name: 'a', values: a },
      { name: 'b', values: b },
    ];
    expect(crossCells(cols, 'design')).toEqual(withKind(naive(cols)));
  });

  it('gives the plain count in its order where the combinations are too many for an array (a map of them)', () => {
    const n = 3000;
    const col = () => Array.from({ length: n }, () => `x${Math.floor(rnd() * 300)}`);
    // 300^3 combinations: far more than the rows, counted in a map
    const cols = [
      { name: 'a', values: col() },
      { name: 'b', values: col() },
      { name: 'c', values: col() },
    ];
    expect(crossCells(cols, 'design')).toEqual(withKind(naive(cols)));
    // four columns through the general loop of the array count
    const few = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      values: Array.from({ length: n }, () => (rnd() < 0.1 ? null : ['p', 'q', 'r'][Math.floor(rnd() * 3)]!)),
    }));
    expect(crossCells(few, 'design')).toEqual(withKind(naive(few)));
  });

  it('reads level codes of any array type (8-bit, 16-bit, floating point) alike', () => {
    const levels = Array.from({ length: 300 }, (_, k) => `L${k}`);
    const n = 2000;
    const wide = Float64Array.from({ length: n }, () => Math.floor(rnd() * 301));
    const strings = Array.from(wide, (c) => (c === 0 ? null : levels[c - 1]!));
    const y = Float64Array.from({ length: n }, () => Math.floor(rnd() * 2));
    const expected = naive([
      { name: 'g', values: strings },
      { name: 'y', values: y },
    ]);
    for (const codes of [wide, Uint16Array.from(wide)]) {
      const coded = [...strings];
      Object.defineProperty(coded, CODED_LEVELS, { value: { codes, levels } });
      expect(
        crossCells(
          [
            { name: 'g', values: coded },
            { name: 'y', values: y },
          ],
          'design',
        ),
      ).toEqual(withKind(expected));
    }
    const small = Uint8Array.from(wide, (c) => c % 4);
    const smallStrings = Array.from(small, (c) => (c === 0 ? null : levels[c - 1]!));
    const coded = [...smallStrings];
    Object.defineProperty(coded, CODED_LEVELS, { value: { codes: small, levels: levels.slice(0, 3) } });
    expect(crossCells([{ name: 'g', values: coded }], 'design')).toEqual(
      withKind(naive([{ name: 'g', values: smallStrings }])),
    );
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
