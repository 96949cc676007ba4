import { describe, expect, it } from 'vitest';
import {
  pooledSpan,
  RANGE_GRID_CELLS,
  RANGE_GRID_EDGES,
  rangeCell,
  rangeCellEdges,
  rangeTails,
} from './masked-range.js';

describe('the public range grid', () => {
  it('is ascending, symmetric about 0, ten cells a decade from 0.001 to 8e9, edges at most a third apart', () => {
    const E = RANGE_GRID_EDGES;
    for (let i = 1; i < E.length; i++) expect(E[i]!).toBeGreaterThan(E[i - 1]!);
    expect(E.length).toBe(2 * 130 + 1);
    expect(E[130]).toBe(0);
    expect(E.slice(131, 141)).toEqual([
      0.001, 0.00125, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.008,
    ]);
    expect(E.at(-1)).toBe(8e9);
    for (let i = 0; i < E.length; i++) expect(E[i]! + E[E.length - 1 - i]!).toBe(0);
    for (let i = 132; i < E.length; i++) expect(E[i]! / E[i - 1]!).toBeLessThanOrEqual(4 / 3 + 1e-12);
  });

  it('puts a value in the cell [edge, next edge), the open-ended cells beyond the last edges', () => {
    expect(rangeCellEdges(rangeCell(47.3))).toEqual([40, 50]);
    expect(rangeCellEdges(rangeCell(50))).toEqual([50, 60]);
    expect(rangeCellEdges(rangeCell(-1.3))).toEqual([-1.5, -1.25]);
    expect(rangeCellEdges(rangeCell(0))).toEqual([0, 0.001]);
    expect(rangeCell(-1e12)).toBe(0);
    expect(rangeCell(1e12)).toBe(RANGE_GRID_CELLS - 1);
    expect(rangeCellEdges(RANGE_GRID_CELLS - 1)).toEqual([8e9, Number.POSITIVE_INFINITY]);
  });
});

describe('range tails (what a node sends) and the pooled span (what the hub keeps)', () => {
  // 20 values 1.0 .. 2.9 and one extreme patient at 97.3
  const values = [...Array.from({ length: 20 }, (_, i) => 1 + i / 10), 97.3];

  it('marks the cell each tail of at least minCell records ends in, never the extreme', () => {
    const t = rangeTails(values, 5, 'x');
    const marked = t.vector.flatMap((c, i) => (c ? [[rangeCellEdges(i), c]] : []));
    // the 5th smallest is 1.4 (cell [1.25, 1.5)); the 5th largest 2.6 (cell [2.5, 3)): the extreme is in
    // the upper tail, which holds the records from that cell up (2.5 .. 2.9 and 97.3)
    expect(marked).toEqual([
      [[1.25, 1.5], 1],
      [[2.5, 3], 1],
    ]);
    expect(t.cells.map((c) => c.count)).toEqual([5, 6]);
    // the same whatever the extreme patient's value beyond the tail's innermost record
    for (const v of [3.1, 44.4, 1e6, 1e15])
      expect(rangeTails([...values.slice(0, 20), v], 5, 'x').vector).toEqual(t.vector);
  });

  it('under a policy of one record per cell the tails are the extremes: the span holds every value', () => {
    const t = rangeTails(values, 1, 'x');
    const span = pooledSpan(t.vector)!;
    expect(span).toEqual({ lo: 1, hi: 100 });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(span.lo);
    expect(Math.max(...values)).toBeLessThanOrEqual(span.hi);
  });

  it('a node with fewer than 2 x minCell records sends one group; fewer than minCell is a short cell (refused)', () => {
    const few = rangeTails([1, 2, 3, 4, 5, 6, 7], 5, 'x');
    expect(few.cells.map((c) => c.count)).toEqual([7]);
    expect(few.vector.filter((c) => c > 0)).toEqual([1]);
    expect(rangeTails([1, 2, 3], 5, 'x').cells.map((c) => c.count)).toEqual([3]);
    expect(rangeTails([], 5, 'x')).toEqual({ vector: new Array(RANGE_GRID_CELLS).fill(0), cells: [] });
  });

  it('the hub keeps the span of the cells some node marked, open-ended cells by their finite edge', () => {
    // three nodes' marks summed
    const sum = new Array<number>(RANGE_GRID_CELLS).fill(0);
    for (const v of [-0.7, -0.2, -0.7]) sum[rangeCell(v)]! += 1;
    for (const v of [1.1, 2.2, 0.9]) sum[rangeCell(v)]! += 1;
    expect(pooledSpan(sum)).toEqual({ lo: -0.8, hi: 2.5 });
    expect(pooledSpan(new Array(RANGE_GRID_CELLS).fill(0))).toBeNull();
    sum[RANGE_GRID_CELLS - 1] = 1;
    expect(pooledSpan(sum)!.hi).toBe(8e9);
    expect(() => pooledSpan([1, 2])).toThrow(RangeError);
  });
});
