import { StatsError, StatsErrorCode } from '../errors.js';
import type { PartialLayout } from '../partial.js';
import { type EventTimeGrid, lastAtOrBefore, strataRanges } from './grid.js';

/** One node's Cox data: row-major covariates, (coarsened) times, event 0/1, optional stratum codes. */
export interface CoxNodeData {
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Times already coarsened with {@link coarsenTime} (the same resolution on every node). */
  readonly time: Float64Array;
  readonly event: Float64Array;
  /** Stratum code per row (index into the global strata list), or null for one stratum. */
  readonly strata?: Int32Array | null;
}

/** Number of strata referenced by a grid and data (max code + 1). */
function countStrata(grid: EventTimeGrid, strata: Int32Array | null | undefined): number {
  let m = 0;
  for (const s of grid.strata) m = Math.max(m, s + 1);
  if (strata) for (const s of strata) m = Math.max(m, s + 1);
  return Math.max(m, 1);
}

/** Number of values in the upper triangle (diagonal included) of a p x p matrix. */
function triangle(p: number): number {
  return (p * (p + 1)) / 2;
}

/**
 * Position of element (j, l), l >= j, in a packed upper triangle (row by row) is `coxTriRow(p, j) + l`:
 * only the upper triangle is summed, so only it is sent.
 */
export function coxTriRow(p: number, j: number): number {
  return j * p - (j * (j + 1)) / 2;
}

/** Per grid point stride of the Cox partial for p covariates. */
export function coxStride(p: number): number {
  return 3 + 3 * p + 2 * triangle(p);
}

/** Offsets inside one grid point's block (S2 and D2 are packed upper triangles, see {@link coxTriRow}). */
export function coxOffsets(p: number) {
  const s0 = 0;
  const s1 = 1;
  const s2 = 1 + p;
  const d = 1 + p + triangle(p);
  const xs = d + 1;
  const d0 = xs + p;
  const d1 = d0 + 1;
  const d2 = d1 + p;
  return { s0, s1, s2, d, xs, d0, d1, d2 } as const;
}

/**
 * Layout of the Cox partial: per grid point (stratum, time), over the node's risk set (time >= t in
 * that stratum): S0 = sum exp(xb), S1 = sum x exp(xb), S2 = sum x x' exp(xb) (packed upper triangle); over
 * its deaths at t: d (count), X = sum x, and for Efron D0, D1, D2, the same sums over the deaths.
 */
export function coxPartialLayout(p: number, gridSize: number): PartialLayout {
  return {
    kind: 'cox',
    fields: [{ name: 'points', shape: [gridSize, coxStride(p)] }],
  };
}

/** Local partial [n, sum x_1 .. sum x_p] for the centring round (centre = pooled column means). */
export function coxCenterLocalPartial(data: CoxNodeData): Float64Array {
  const out = new Float64Array(1 + data.p);
  out[0] = data.n;
  for (let i = 0; i < data.n; i++) for (let j = 0; j < data.p; j++) out[1 + j]! += data.x[i * data.p + j]!;
  return out;
}

/** Layout of {@link coxCenterLocalPartial}: [n, column sums (p)]. */
export function coxCenterPartialLayout(p: number): PartialLayout {
  return {
    kind: 'cox-center',
    fields: [
      { name: 'n', shape: [] },
      { name: 'sums', shape: [p] },
    ],
  };
}

/** Pooled column means from the summed centring partial. */
export function coxCenterFromSum(sum: Float64Array): Float64Array {
  return sum.subarray(1).map((v) => v / sum[0]!);
}

/**
 * What a node's Cox partial needs that does not depend on beta, computed once per task: the rows grouped
 * by their grid point (deaths first within each point), their centred covariates in that order, and each
 * point's death count and covariate sum.
 */
export interface PreparedCox {
  readonly p: number;
  readonly gridSize: number;
  /** Covariates (minus the centre), row-major, rows in grid-point order. */
  readonly xc: Float64Array;
  /** Rows of grid point k are [start[k], start[k + 1]); its deaths are [start[k], start[k] + deaths[k]). */
  readonly start: Int32Array;
  readonly deaths: Int32Array;
  /** Per grid point: sum of the deaths' covariates (p values each). */
  readonly deathSums: Float64Array;
  /** Grid ranges of the strata, to turn blocks into risk sets. */
  readonly ranges: Int32Array;
  readonly nStrata: number;
}

/**
 * Groups the rows by the last grid time at or before their time in their stratum (rows before the first
 * are in no risk set and dropped). Throws when an event time is missing from the grid.
 */
export function prepareCox(
  data: CoxNodeData,
  grid: EventTimeGrid,
  center: Float64Array | null = null,
): PreparedCox {
  const { x, n, p, time, event } = data;
  const strata = data.strata ?? null;
  if (x.length !== n * p || time.length !== n || event.length !== n || (strata && strata.length !== n)) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: columns must have ${n} rows and x n*p values`,
    );
  }
  if (center && center.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: center has length ${center.length}, expected ${p}`,
    );
  }
  const K = grid.times.length;
  const nStrata = countStrata(grid, strata);
  const ranges = strataRanges(grid, nStrata);
  const point = new Int32Array(n);
  const count = new Int32Array(K + 1);
  const deaths = new Int32Array(K);
  for (let i = 0; i < n; i++) {
    const s = strata ? strata[i]! : 0;
    const lo = ranges[2 * s]!;
    const t = time[i]!;
    const k = lastAtOrBefore(grid.times, lo, ranges[2 * s + 1]!, t);
    const isEvent = event[i] !== 0;
    if (k < lo) {
      if (isEvent) throw missing(t, s);
      point[i] = -1;
      continue;
    }
    if (isEvent) {
      if (grid.times[k] !== t) throw missing(t, s);
      deaths[k]!++;
    }
    point[i] = k;
    count[k + 1]!++;
  }
  const start = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) start[k + 1] = start[k]! + count[k + 1]!;
  const m = start[K]!;
  const xc = new Float64Array(m * p);
  const deathSums = new Float64Array(K * p);
  const nextDeath = start.slice(0, K);
  const nextCensored = new Int32Array(K);
  for (let k = 0; k < K; k++) nextCensored[k] = start[k]! + deaths[k]!;
  for (let i = 0; i < n; i++) {
    const k = point[i]!;
    if (k < 0) continue;
    const isEvent = event[i] !== 0;
    const r = isEvent ? nextDeath[k]!++ : nextCensored[k]!++;
    for (let j = 0; j < p; j++) {
      const v = center ? x[i * p + j]! - center[j]! : x[i * p + j]!;
      xc[r * p + j] = v;
      if (isEvent) deathSums[k * p + j]! += v;
    }
  }
  return { p, gridSize: K, xc, start, deaths, deathSums, ranges, nStrata };
}

/**
 * Adds sum e_r, sum e_r x_r and sum e_r x_r x_r' (packed upper triangle) over rows r0 .. r1-1 of `xc` to `out` at
 * `at0`, `at1`, `at2`, four rows per pass (a quarter of the loads and stores on the accumulators).
 */
function accumulateWeighted(
  xc: Float64Array,
  p: number,
  e: Float64Array,
  r0: number,
  r1: number,
  out: Float64Array,
  at0: number,
  at1: number,
  at2: number,
): void {
  let r = r0;
  let s0 = 0;
  for (; r + 3 < r1; r += 4) {
    const ra = r * p;
    const rb = ra + p;
    const rc = rb + p;
    const rd = rc + p;
    const ea = e[r]!;
    const eb = e[r + 1]!;
    const ec = e[r + 2]!;
    const ed = e[r + 3]!;
    s0 += ea + eb + ec + ed;
    for (let j = 0; j < p; j++) {
      const a = ea * xc[ra + j]!;
      const b = eb * xc[rb + j]!;
      const c = ec * xc[rc + j]!;
      const d = ed * xc[rd + j]!;
      out[at1 + j]! += a + b + c + d;
      const m = at2 + coxTriRow(p, j);
      for (let l = j; l < p; l++)
        out[m + l]! += a * xc[ra + l]! + b * xc[rb + l]! + c * xc[rc + l]! + d * xc[rd + l]!;
    }
  }
  for (; r < r1; r++) {
    const row = r * p;
    const er = e[r]!;
    s0 += er;
    for (let j = 0; j < p; j++) {
      const a = er * xc[row + j]!;
      out[at1 + j]! += a;
      const m = at2 + coxTriRow(p, j);
      for (let l = j; l < p; l++) out[m + l]! += a * xc[row + l]!;
    }
  }
  out[at0]! += s0;
}

/**
 * Local Cox partial at coefficients `beta` for the global event-time grid. Each row is added once to
 * the block of the last grid time <= its time in its stratum, then suffix sums turn blocks into risk
 * set sums: O(n p^2 + K p^2). Throws when an event time is missing from the grid.
 *
 * Covariates enter as x - center (as coxph centres them), which keeps exp(x'beta) in range; the
 * partial likelihood, score and information are invariant to the centring, so every node must
 * only use the same `center` (default: no centring). `prepared` (from {@link prepareCox} with the same
 * data, grid and centre) saves the grouping between Newton rounds.
 */
export function coxLocalPartial(
  data: CoxNodeData,
  grid: EventTimeGrid,
  beta: Float64Array,
  center: Float64Array | null = null,
  prepared?: PreparedCox,
): Float64Array {
  const { p } = data;
  if (beta.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: beta has length ${beta.length}, expected ${p}`,
    );
  }
  const prep = prepared ?? prepareCox(data, grid, center);
  if (prep.gridSize !== grid.times.length || prep.p !== p)
    throw new StatsError(StatsErrorCode.DimensionMismatch, 'coxLocalPartial: prepared for another grid');
  const K = prep.gridSize;
  const stride = coxStride(p);
  const o = coxOffsets(p);
  const out = new Float64Array(K * stride);
  const { xc, start, deaths, deathSums } = prep;
  const m = start[K]!;
  const e = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let xb = 0;
    for (let j = 0; j < p; j++) xb += xc[r * p + j]! * beta[j]!;
    e[r] = Math.exp(xb);
  }
  for (let k = 0; k < K; k++) {
    const base = k * stride;
    const r0 = start[k]!;
    const dk = deaths[k]!;
    accumulateWeighted(xc, p, e, r0, start[k + 1]!, out, base + o.s0, base + o.s1, base + o.s2);
    if (dk > 0) {
      out[base + o.d] = dk;
      for (let j = 0; j < p; j++) out[base + o.xs + j] = deathSums[k * p + j]!;
      accumulateWeighted(xc, p, e, r0, r0 + dk, out, base + o.d0, base + o.d1, base + o.d2);
    }
  }
  // Suffix sums of the risk-set blocks within each stratum.
  const riskLen = 1 + p + triangle(p);
  for (let s = 0; s < prep.nStrata; s++) {
    const lo = prep.ranges[2 * s]!;
    const hi = prep.ranges[2 * s + 1]!;
    for (let k = hi - 2; k >= lo; k--) {
      const a = k * stride;
      const b = (k + 1) * stride;
      for (let q = 0; q < riskLen; q++) out[a + q]! += out[b + q]!;
    }
  }
  return out;
}

function missing(t: number, s: number): StatsError {
  return new StatsError(
    StatsErrorCode.InvalidArgument,
    `coxLocalPartial: event time ${t} in stratum ${s} is not in the global event-time grid`,
  );
}
