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

/** Per grid point stride of the Cox partial for p covariates. */
export function coxStride(p: number): number {
  return 3 + 3 * p + 2 * p * p;
}

/** Offsets inside one grid point's block. */
export function coxOffsets(p: number) {
  const s0 = 0;
  const s1 = 1;
  const s2 = 1 + p;
  const d = 1 + p + p * p;
  const xs = d + 1;
  const d0 = xs + p;
  const d1 = d0 + 1;
  const d2 = d1 + p;
  return { s0, s1, s2, d, xs, d0, d1, d2 } as const;
}

/**
 * Layout of the Cox partial: per grid point (stratum, time), over the node's risk set (time >= t in
 * that stratum): S0 = sum exp(xb), S1 = sum x exp(xb), S2 = sum x x' exp(xb) (upper triangle); over
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
 * Local Cox partial at coefficients `beta` for the global event-time grid. Each row is added once to
 * the block of the last grid time <= its time in its stratum, then suffix sums turn blocks into risk
 * set sums: O(n p^2 + K p^2). Throws when an event time is missing from the grid.
 *
 * Covariates enter as x - center (as coxph centres them), which keeps exp(x'beta) in range; the
 * partial likelihood, score and information are invariant to the centring, so every node must
 * only use the same `center` (default: no centring).
 */
export function coxLocalPartial(
  data: CoxNodeData,
  grid: EventTimeGrid,
  beta: Float64Array,
  center: Float64Array | null = null,
): Float64Array {
  const { x, n, p, time, event } = data;
  const strata = data.strata ?? null;
  if (x.length !== n * p || time.length !== n || event.length !== n || (strata && strata.length !== n)) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: columns must have ${n} rows and x n*p values`,
    );
  }
  if (beta.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: beta has length ${beta.length}, expected ${p}`,
    );
  }
  const K = grid.times.length;
  const stride = coxStride(p);
  const o = coxOffsets(p);
  const out = new Float64Array(K * stride);
  if (center && center.length !== p) {
    throw new StatsError(
      StatsErrorCode.DimensionMismatch,
      `coxLocalPartial: center has length ${center.length}, expected ${p}`,
    );
  }
  const nStrata = countStrata(grid, strata);
  const ranges = strataRanges(grid, nStrata);
  const xc = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const s = strata ? strata[i]! : 0;
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
    const t = time[i]!;
    const k = lastAtOrBefore(grid.times, lo, hi, t);
    const isEvent = event[i] !== 0;
    if (k < lo) {
      if (isEvent) throw missing(t, s);
      continue;
    }
    const row = i * p;
    let xb = 0;
    for (let j = 0; j < p; j++) {
      const v = center ? x[row + j]! - center[j]! : x[row + j]!;
      xc[j] = v;
      xb += v * beta[j]!;
    }
    const e = Math.exp(xb);
    const base = k * stride;
    out[base + o.s0]! += e;
    for (let j = 0; j < p; j++) {
      const ex = e * xc[j]!;
      out[base + o.s1 + j]! += ex;
      const m = base + o.s2 + j * p;
      for (let l = j; l < p; l++) out[m + l]! += ex * xc[l]!;
    }
    if (isEvent) {
      if (grid.times[k] !== t) throw missing(t, s);
      out[base + o.d]! += 1;
      out[base + o.d0]! += e;
      for (let j = 0; j < p; j++) {
        const xj = xc[j]!;
        out[base + o.xs + j]! += xj;
        out[base + o.d1 + j]! += e * xj;
        const m = base + o.d2 + j * p;
        for (let l = j; l < p; l++) out[m + l]! += e * xj * xc[l]!;
      }
    }
  }
  // Suffix sums of the risk-set blocks within each stratum.
  const riskLen = 1 + p + p * p;
  for (let s = 0; s < nStrata; s++) {
    const lo = ranges[2 * s]!;
    const hi = ranges[2 * s + 1]!;
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
