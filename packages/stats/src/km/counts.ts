import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';

/**
 * Kaplan-Meier and log-rank work on additive counts: for a global sorted grid of distinct (coarsened)
 * times and a set of cells (stratum, or stratum x group), each node reports per (time, cell) the
 * number of events and of censorings. The number at risk is a suffix sum of both, so it is exact.
 */

/** Layout of the count partial: [time][cell][events, censored]. */
export function survivalCountsLayout(gridSize: number, nCells: number): PartialLayout {
  return { kind: 'survival-counts', fields: [{ name: 'counts', shape: [gridSize, nCells, 2] }] };
}

/** Distinct times of one node (first round; union them with {@link mergeTimes}). */
export function localTimes(time: Float64Array): Float64Array {
  return Float64Array.from(new Set(time)).sort();
}

/** Union of the nodes' distinct times, sorted ascending. */
export function mergeTimes(perNode: readonly Float64Array[]): Float64Array {
  const s = new Set<number>();
  for (const t of perNode) for (const v of t) s.add(v);
  return Float64Array.from(s).sort();
}

function indexOfTime(grid: Float64Array, t: number): number {
  let a = 0;
  let b = grid.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (grid[m]! < t) a = m + 1;
    else b = m;
  }
  return a < grid.length && grid[a] === t ? a : -1;
}

/**
 * Local count partial: per grid time and cell, events and censorings among this node's rows.
 * `cells` gives each row's cell code (0..nCells-1), null for a single cell.
 */
export function survivalCountsLocalPartial(
  time: Float64Array,
  event: Float64Array,
  cells: Int32Array | null,
  nCells: number,
  grid: Float64Array,
): Float64Array {
  const n = time.length;
  if (event.length !== n || (cells && cells.length !== n)) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `survivalCountsLocalPartial: columns must have ${n} rows`,
    );
  }
  const out = new Float64Array(grid.length * nCells * 2);
  for (let i = 0; i < n; i++) {
    const k = indexOfTime(grid, time[i]!);
    if (k < 0) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `row ${i}: time ${time[i]} is not in the global time grid`,
      );
    }
    const c = cells ? cells[i]! : 0;
    if (!(c >= 0 && c < nCells)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `row ${i}: cell code ${c} outside 0..${nCells - 1}`,
      );
    }
    out[(k * nCells + c) * 2 + (event[i] !== 0 ? 0 : 1)]! += 1;
  }
  return out;
}

/** Events, censorings and numbers at risk of one cell over the whole grid. */
export interface CellCounts {
  readonly events: Float64Array;
  readonly censored: Float64Array;
  readonly atRisk: Float64Array;
}

/** Extracts one cell's counts from the summed partial, with n at risk = suffix sum of both counts. */
export function cellCounts(sum: Float64Array, gridSize: number, nCells: number, cell: number): CellCounts {
  if (sum.length !== gridSize * nCells * 2) {
    throw new StatsError(
      StatsErrorCode.LayoutMismatch,
      `survival counts: length ${sum.length}, expected ${gridSize * nCells * 2}`,
    );
  }
  const events = new Float64Array(gridSize);
  const censored = new Float64Array(gridSize);
  const atRisk = new Float64Array(gridSize);
  let acc = 0;
  for (let k = gridSize - 1; k >= 0; k--) {
    events[k] = sum[(k * nCells + cell) * 2]!;
    censored[k] = sum[(k * nCells + cell) * 2 + 1]!;
    acc += events[k]! + censored[k]!;
    atRisk[k] = acc;
  }
  return { events, censored, atRisk };
}
