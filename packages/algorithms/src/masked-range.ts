/**
 * Masked range rounds (issue #14, "ranges still from the data"): where an algorithm needs the span of a
 * quantity that has no declared range (a linear predictor under fitted or frozen coefficients, a column
 * whose dictionary declares no min/max), each node counts its values on a coarse **public** grid and
 * sends, in the additive vector (masked for secure aggregation: the hub learns only the sum across
 * nodes), two counts only: its records at or below the cell that holds its `minCellCount`-th smallest
 * value, counted in that cell, and its records at or above the cell that holds its `minCellCount`-th
 * largest value, counted in that cell. Both are declared cells (with their records, where the node
 * audits releases), so the gate refuses a tail of fewer than the minimum cell count, and no released
 * count depends on one record's value: the node's extreme patient lies inside its tail group, and the
 * cell that group is counted in is set by the `minCellCount`-th record from that end.
 *
 * The aggregator keeps the grid cells holding at least `minCellCount` records pooled (with the nodes'
 * tails folded in, every non-zero pooled cell does) and uses the span of those cells. Records beyond the
 * span (fewer than `minCellCount` per node and end) go to the open-ended end cells of the concordance grid
 * (they count as tied with the end) or are reached by widening the search range (quantiles), so a
 * result is unchanged wherever the policy allows cells of one record: the span then holds every value.
 *
 * The grid: 0 and ±m·10^e for m in 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 and e from -3 to 9 (ten cells a
 * decade, neighbouring edges at most a third apart), with an open-ended cell below -8·10^9 and above it:
 * the same at every node and for every task, from no data.
 */
import { type DisclosureCell, type RowIds, rowsAt } from './types.js';

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
 * The node's range vector (one entry per cell of the public grid, two of them non-zero) and the cells
 * the gate checks: the records of its lower tail, counted in the cell of its `minCell`-th smallest value,
 * and those of its upper tail, counted in the cell of its `minCell`-th largest. With fewer than
 * `2 * minCell` records (the tails meet) all records are one group, counted in the lower tail's cell;
 * with fewer than `minCell` that group is short and the gate refuses it. Non-finite values are refused by
 * the caller before this.
 */
export function rangeTails(
  values: ArrayLike<number>,
  minCell: number,
  what: string,
  rows?: RowIds,
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
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (cellOf[i]! >= from && cellOf[i]! <= to) members.push(i);
    vector[at]! += members.length;
    return {
      label,
      count: members.length,
      kind: 'bin',
      ...(rows ? { rows: rowsAt(rows, members) } : {}),
    };
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
 * The span of the grid cells holding at least `minCell` records pooled, from the summed range vectors;
 * null when no cell does. An open-ended end cell contributes its finite edge (what lies beyond is
 * outside the span, as the tails beyond the other cells).
 */
export function pooledSpan(sum: ArrayLike<number>, minCell: number): { lo: number; hi: number } | null {
  if (sum.length !== RANGE_GRID_CELLS) throw new RangeError(`a range vector has ${RANGE_GRID_CELLS} cells`);
  const least = Math.max(1, minCell);
  let first = -1;
  let last = -1;
  for (let c = 0; c < sum.length; c++)
    if (Math.round(sum[c]!) >= least) {
      if (first < 0) first = c;
      last = c;
    }
  if (first < 0) return null;
  const E = RANGE_GRID_EDGES;
  const lo = first === 0 ? E[0]! : E[first - 1]!;
  const hi = last >= E.length ? E[E.length - 1]! : E[last]!;
  return { lo, hi };
}
