/**
 * Population DVH bands, the pure part: each patient's cumulative DVH read at fixed dose levels, those
 * values counted on a public grid of volume percentages, and type-7 percentiles read from the counts and
 * released under the project's quantile rule (see bandValue), with the range that holds the exact one.
 *
 * The grid (public, the same for every task): an atom at exactly 0 %, the 100 one-point cells (0, 1], (1, 2],
 * ..., (99, 100), and an atom at exactly 100 % (the whole structure at or above the level). Atoms matter: below
 * a structure's minimum dose every patient is at 100 %, and a band there is exactly 100, not 99.5.
 */

/** Number of grid cells: atom 0, 100 one-point cells, atom 100. */
export const GRID_CELLS = 102;
const ATOM_EPS = 1e-9;

/** The grid cell of a volume percentage. */
export function cellOf(v: number): number {
  if (v <= ATOM_EPS) return 0;
  if (v >= 100 - ATOM_EPS) return GRID_CELLS - 1;
  return Math.min(100, Math.max(1, Math.ceil(v - ATOM_EPS)));
}

/** The closed range [lo, hi] of a grid cell (an atom's range is one point). */
export function cellRange(c: number): [number, number] {
  if (c === 0) return [0, 0];
  if (c === GRID_CELLS - 1) return [100, 100];
  return [c - 1, c];
}

/**
 * The cumulative DVH (% of the structure receiving at least d) of one patient at each level, from a
 * differential DVH whose volume in a row is spread evenly over [dose - bin/2, dose + bin/2).
 * `volumes` need not sum to 1: they are made relative.
 */
export function cumulativePct(
  doses: ArrayLike<number>,
  volumes: ArrayLike<number>,
  binGy: number,
  levels: readonly number[],
): Float64Array {
  let total = 0;
  for (let i = 0; i < volumes.length; i++) total += volumes[i]!;
  const out = new Float64Array(levels.length);
  for (let j = 0; j < levels.length; j++) {
    const d = levels[j]!;
    let v = 0;
    for (let i = 0; i < doses.length; i++) {
      const hi = doses[i]! + binGy / 2;
      const f = binGy > 0 ? Math.min(1, Math.max(0, (hi - d) / binGy)) : doses[i]! >= d ? 1 : 0;
      v += volumes[i]! * f;
    }
    out[j] = total > 0 ? Math.min(100, (100 * v) / total) : 0;
  }
  return out;
}

/** A released percentile: the value, the rounding it was released at, and the range that holds the exact one. */
export interface BandValue {
  /** % volume: the midpoint of the rounding interval, or exactly 0 or 100. */
  value: number;
  /** Width (points) of the rounding interval; 0 for a value released exactly (k or more patients at it). */
  resolution: number;
  /** value -/+ (resolution / 2 + 1/2), within [0, 100]: holds the exact type-7 percentile. */
  lower: number;
  upper: number;
}

/** The widths of the rounding intervals tried, finest first (aligned on multiples of the width). */
export const RESOLUTIONS = [1, 2, 5, 10, 20, 25, 50, 100] as const;

function cellMid(c: number): number {
  if (c === 0) return 0;
  if (c === GRID_CELLS - 1) return 100;
  return c - 0.5;
}

/** The grid cell of the r-th (0-based) smallest value counted in `counts`. */
function cellOfOrder(counts: ArrayLike<number>, r: number): number {
  let before = 0;
  for (let c = 0; c < counts.length; c++) {
    before += counts[c]!;
    if (r < before) return c;
  }
  return counts.length - 1;
}

/** Patients within the rounding interval (m r, (m + 1) r], the atoms 0 and 100 included at the ends. */
function countWithin(counts: ArrayLike<number>, m: number, r: number): number {
  let sum = 0;
  for (let c = m * r + 1; c <= (m + 1) * r; c++) sum += counts[c]!;
  if (m === 0) sum += counts[0]!;
  if ((m + 1) * r === 100) sum += counts[GRID_CELLS - 1]!;
  return sum;
}

/**
 * Whether the type-7 percentile `p` of n values rests on order statistics with at least k values on either
 * side (the project's quantile rule): nearer an end it is one patient's value, and it is withheld.
 */
export function percentileAllowed(n: number, p: number, k: number): boolean {
  const j = Math.floor((n - 1) * p) + 1;
  return j >= k && Math.min(n, j + 1) <= n - k + 1;
}

/**
 * The type-7 percentile `p` (R `quantile(type = 7)`) of the values counted in one level's grid cells, each
 * value taken at its cell's middle (at most half a point off; atoms exact), released under the project's
 * quantile rule: rounded to the finest interval of RESOLUTIONS whose patients number 0 or at least k, or
 * exactly 0 or 100 where both order statistics it interpolates lie in an atom of k or more patients. Null
 * when the percentile is too near either end (percentileAllowed) or fewer than k patients in all.
 */
export function bandValue(counts: ArrayLike<number>, p: number, k: number): BandValue | null {
  let n = 0;
  for (let c = 0; c < counts.length; c++) n += counts[c]!;
  if (n < Math.max(1, k) || !percentileAllowed(n, p, k)) return null;
  const h = (n - 1) * p;
  const j = Math.floor(h);
  const a = cellOfOrder(counts, j);
  const b = cellOfOrder(counts, Math.min(n - 1, j + 1));
  const estimate = cellMid(a) + (h - j) * (cellMid(b) - cellMid(a));
  for (const atom of [0, GRID_CELLS - 1])
    if (a === atom && b === atom && counts[atom]! >= k) {
      const v = cellMid(atom);
      return { value: v, resolution: 0, lower: v, upper: v };
    }
  for (const r of RESOLUTIONS) {
    const m = estimate <= 0 ? 0 : Math.min(100 / r - 1, Math.ceil(estimate / r) - 1);
    const c = countWithin(counts, m, r);
    if (c === 0 || c >= k) {
      const value = (m + 0.5) * r;
      const half = r / 2 + 0.5;
      return { value, resolution: r, lower: Math.max(0, value - half), upper: Math.min(100, value + half) };
    }
  }
  return null;
}

/** Adds one patient's cumulative values to a levels x grid count table (row-major, GRID_CELLS a row). */
export function countInto(table: Float64Array, values: ArrayLike<number>): void {
  for (let j = 0; j < values.length; j++) table[j * GRID_CELLS + cellOf(values[j]!)]! += 1;
}

/**
 * The bands of one population: per probability, per level, the released value (null: withheld), and the
 * patients within each released value's rounding interval (the cells the release rests on).
 */
export function bandsOf(
  table: ArrayLike<number>,
  levels: number,
  probs: readonly number[],
  k: number,
): { n: number; bands: Array<Array<BandValue | null> | null>; cells: number[] } {
  const rows = Array.from({ length: levels }, (_, j) =>
    Array.from({ length: GRID_CELLS }, (_, c) => table[j * GRID_CELLS + c]!),
  );
  const n = rows[0]?.reduce((s, x) => s + x, 0) ?? 0;
  const cells: number[] = [];
  const bands = probs.map((p) => {
    if (!percentileAllowed(n, p, k) || n < k) return null;
    return rows.map((row) => {
      const v = bandValue(row, p, k);
      if (v) {
        if (v.resolution === 0) cells.push(row[v.value === 0 ? 0 : GRID_CELLS - 1]!);
        else cells.push(countWithin(row, Math.round(v.value / v.resolution - 0.5), v.resolution));
      }
      return v;
    });
  });
  return { n, bands, cells: cells.filter((c) => c > 0) };
}
