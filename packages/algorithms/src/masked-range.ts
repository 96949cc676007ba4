/**
 * Masked range rounds (issue #14, "ranges still from the data"): where an algorithm needs the span of a
 * quantity that has no declared range (a linear predictor under fitted or frozen coefficients, a column
 * whose dictionary declares no min/max), each node places its values on a coarse **public** grid and
 * marks two cells in the additive vector (masked for secure aggregation: the hub learns only the sum
 * across nodes, per cell how many nodes marked it): the cell of its `minCellCount`-th smallest value, the
 * end of its lower tail, and the cell of its `minCellCount`-th largest, the end of its upper tail. Each
 * marked cell has at least `minCellCount` of the node's records at or beyond it: the two tails are
 * declared cells, so the gate refuses a node with fewer records than that; no count is sent at all (a
 * tail's size would change by one when a crafted model moves one patient in or out of it). The node's
 * extreme patient lies inside its tail, and the cell that tail ends in is set by the
 * `minCellCount`-th record from that end, never by the extreme one.
 *
 * The aggregator uses the span of the marked cells. Records beyond it (fewer than `minCellCount` per node
 * and end) go to the open-ended end cells of the concordance grid (they count as tied with the end) or
 * are reached by widening the search range (quantiles), so a result is unchanged wherever the policy
 * allows cells of one record: the marked cells are then each node's extremes and the span holds every
 * value.
 *
 * The tails declare no record ids to the privacy ledger: they reach the hub only as marks in a masked
 * sum, and the ledger's linear rule, which takes every declared set as released exactly, would combine a
 * tail (the records below a public cut of the score) with the score groups of the next round and refuse
 * ordinary validations.
 *
 * The grid: 0 and ±m·10^e for m in 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 and e from -3 to 9 (ten cells a
 * decade, neighbouring edges at most a third apart), with an open-ended cell below -8·10^9 and above it:
 * the same at every node and for every task, from no data.
 */
import type { DisclosureCell } from './types.js';

const MANTISSAS = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8] as const;
const DECADES = { from: -3, to: 9 } as const;

function buildEdges(): number[] {
  const positive: number[] = [];
  for (let e = DECADES.from; e <= DECADES.to; e++)
    for (const m of MANTISSAS) positive.push(Number((m * 10 ** e).toPrecision(12)));
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
}

/** The public grid's edges, ascending; cell 0 is below the first, cell i is [edge i-1, edge i). */
export const RANGE_GRID_EDGES: readonly number[] = Object.freeze(buildEdges());
/** Cells of the public grid, the two open-ended ones included (the length of a range vector). */
export const RANGE_GRID_CELLS = RANGE_GRID_EDGES.length + 1;

/** The cell of `v` on the public grid (0: below the first edge; the last: at or above the last). */
export function rangeCell(v: number): number {
  let lo = 0;
  let hi = RANGE_GRID_EDGES.length;
  // the number of edges at or below v
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (RANGE_GRID_EDGES[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The edges of a cell (±Infinity for the open-ended ones). */
export function rangeCellEdges(cell: number): [number, number] {
  const E = RANGE_GRID_EDGES;
  return [
    cell === 0 ? Number.NEGATIVE_INFINITY : E[cell - 1]!,
    cell >= E.length ? Number.POSITIVE_INFINITY : E[cell]!,
  ];
}

const describeCell = (cell: number) => {
  const [a, b] = rangeCellEdges(cell);
  return `[${a}, ${b})`;
};

/**
 * The node's range vector (one entry per cell of the public grid: 1 at the cell of its `minCell`-th
 * smallest value and 1 at that of its `minCell`-th largest) and the cells the gate checks: the records of
 * its lower tail (up to and including the first marked cell) and of its upper tail. Where the tails meet
 * or cross (fewer than `2 * minCell` records, or values bunched in one cell) all records are one group,
 * marked once, at the lower tail's cell; with fewer than `minCell` records that group is short and the
 * gate refuses it. Non-finite values are refused by the caller before this.
 */
export function rangeTails(
  values: ArrayLike<number>,
  minCell: number,
  what: string,
): { vector: number[]; cells: DisclosureCell[] } {
  const n = values.length;
  const vector = new Array<number>(RANGE_GRID_CELLS).fill(0);
  if (n === 0) return { vector, cells: [] };
  const m = Math.max(1, Math.min(minCell, n));
  const cellOf = new Int32Array(n);
  const counts = new Float64Array(RANGE_GRID_CELLS);
  for (let i = 0; i < n; i++) {
    cellOf[i] = rangeCell(values[i]!);
    counts[cellOf[i]!]! += 1;
  }
  let low = 0;
  for (let acc = counts[0]!; acc < m; acc += counts[low]!) low++;
  let high = RANGE_GRID_CELLS - 1;
  for (let acc = counts[high]!; acc < m; acc += counts[high]!) high--;
  const group = (from: number, to: number, at: number, label: string): DisclosureCell => {
    let count = 0;
    for (let c = from; c <= to; c++) count += counts[c]!;
    vector[at] = 1;
    return { label, count, kind: 'bin' };
  };
  if (low >= high)
    return {
      vector,
      cells: [
        group(0, RANGE_GRID_CELLS - 1, low, `all records of the range of ${what}, in ${describeCell(low)}`),
      ],
    };
  return {
    vector,
    cells: [
      group(0, low, low, `records of ${what} up to ${describeCell(low)}`),
      group(high, RANGE_GRID_CELLS - 1, high, `records of ${what} from ${describeCell(high)}`),
    ],
  };
}

/**
 * The span of the grid cells some node marked (each with at least the minimum cell count of that node's
 * records at or beyond it), from the summed range vectors; null when none is. An open-ended end cell
 * contributes its finite edge (what lies beyond is outside the span, as the tails beyond the other cells).
 */
export function pooledSpan(sum: ArrayLike<number>): { lo: number; hi: number } | null {
  if (sum.length !== RANGE_GRID_CELLS) throw new RangeError(`a range vector has ${RANGE_GRID_CELLS} cells`);
  let first = -1;
  let last = -1;
  for (let c = 0; c < sum.length; c++)
    if (Math.round(sum[c]!) >= 1) {
      if (first < 0) first = c;
      last = c;
    }
  if (first < 0) return null;
  const E = RANGE_GRID_EDGES;
  const lo = first === 0 ? E[0]! : E[first - 1]!;
  const hi = last >= E.length ? E[E.length - 1]! : E[last]!;
  return { lo, hi };
}
