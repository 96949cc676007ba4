import { describe, expect, it } from 'vitest';
import { flattenPartial, layoutSize, sumPartials, unflattenPartial } from './partial.js';

describe('partial layout', () => {
  const layout = {
    kind: 't',
    fields: [
      { name: 'n', shape: [] },
      { name: 'm', shape: [2, 2] },
    ],
  };
  it('round-trips and sums element-wise', () => {
    const a = flattenPartial(layout, { n: 3, m: [1, 2, 3, 4] });
    const b = flattenPartial(layout, { n: 2, m: [10, 20, 30, 40] });
    expect(layoutSize(layout)).toBe(5);
    const s = unflattenPartial(layout, sumPartials([a, b]));
    expect(s['n']![0]).toBe(5);
    expect([...s['m']!]).toEqual([11, 22, 33, 44]);
  });
  it('rejects mismatched sizes', () => {
    expect(() => flattenPartial(layout, { n: 1, m: [1] })).toThrow(/field 'm' has 1 values/);
    expect(() => sumPartials([new Float64Array(2), new Float64Array(3)])).toThrow(/partial 1/);
  });
});
