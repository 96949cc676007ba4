/**
 * Node-side merging for `validate-survival`'s concordance partial, the survival counterpart of
 * score-merge.ts. The partial holds, per point of the event-time grid and per score bin, the node's
 * events and records still at risk; every one of its counts is a cell. Two merges make the cells that
 * matter pass the node's minimum cell count without refusing realistic data:
 *
 * - **Scores.** Per event status (event, censored), adjacent score bins are merged into groups of at
 *   least the minimum cell count, spanning at most {@link MAX_SCORE_SPAN} in the linear predictor
 *   (from both ends inwards, short runs folded into a neighbour, as score-merge.ts). Each record is given
 *   its group's mean score, on the grid. A score that sets one patient apart (a crafted frozen model)
 *   leaves a short group, declared, and the gate refuses it.
 * - **Event times per time point.** Per stratum, adjacent points of the event-time grid are merged until
 *   each merged point holds at least the minimum cell count of the node's events; the events of a merged
 *   point are moved to its last grid time (later, never earlier: the same direction as the coarsening of
 *   event times, tc = ceil(t / res) * res). A stratum with fewer events than the minimum leaves a short
 *   point, declared, and the gate refuses it.
 *
 * Where every count already passes, nothing is moved and C equals survival::concordance on the pooled,
 * coarsened data exactly; under a policy that allows cells of one record nothing is ever merged. The
 * merges depend only on the node's own records and policy and are deterministic; each merged group is
 * in the node's log through its declared cell. Written by hand: no library does this.
 */
import { type DisclosureCell, type RowIds, rowsAt } from '../types.js';
import { MAX_GROUPS_PER_CLASS, mergeAdjacentBins } from './score-merge.js';

/** Widest span of the linear predictor one released score group may cover (a hazard ratio of e). */
export const MAX_SCORE_SPAN = 1;

/** Scores (integer multiples of the resolution) merged per event status; cells for the gate. */
export function mergeSurvivalScores(
  q: Float64Array,
  event: Float64Array,
  resolution: number,
  minCell: number,
  /** The records' ids, where the node audits releases: each cell then names its records. */
  rows?: RowIds,
): { q: Float64Array; cells: DisclosureCell[] } {
  const n = q.length;
  if (n === 0 || minCell <= 1) return { q, cells: [] };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of q) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const bins = hi - lo + 1;
  const maxSpan = Math.floor(MAX_SCORE_SPAN / resolution + 1e-9);
  const out = new Float64Array(n);
  const cells: DisclosureCell[] = [];
  for (const status of [0, 1]) {
    const counts = new Float64Array(bins);
    const sums = new Float64Array(bins);
    for (let i = 0; i < n; i++)
      if ((event[i] === 1 ? 1 : 0) === status) {
        counts[q[i]! - lo]! += 1;
        sums[q[i]! - lo]! += q[i]!;
      }
    const value = new Float64Array(bins);
    let total = 0;
    for (const c of counts) total += c;
    // at most MAX_GROUPS_PER_CLASS groups per status: each is a record set the node's ledger audits
    const groups = mergeAdjacentBins(
      counts,
      Math.max(minCell, Math.ceil(total / MAX_GROUPS_PER_CLASS)),
      maxSpan,
    );
    const groupOfBin = new Int32Array(bins).fill(-1);
    groups.forEach((g, k) => {
      for (let b = g.from; b <= g.to; b++) groupOfBin[b] = k;
    });
    const members: number[][] = groups.map(() => []);
    if (rows)
      for (let i = 0; i < n; i++)
        if ((event[i] === 1 ? 1 : 0) === status) members[groupOfBin[q[i]! - lo]!]!.push(i);
    groups.forEach((g, k) => {
      let s = 0;
      for (let b = g.from; b <= g.to; b++) s += sums[b]!;
      const mean = Math.round(s / g.n);
      for (let b = g.from; b <= g.to; b++) value[b] = mean;
      cells.push({
        label: `${status ? 'events' : 'censored records'} with scores ${lo + g.from}..${lo + g.to}`,
        count: g.n,
        kind: 'bin',
        ...(rows ? { rows: rowsAt(rows, members[k]!) } : {}),
      });
    });
    for (let i = 0; i < n; i++) if ((event[i] === 1 ? 1 : 0) === status) out[i] = value[q[i]! - lo]!;
  }
  return { q: out, cells };
}

/**
 * Event times merged per stratum until each merged point of the grid holds at least `minCell` of the
 * node's events, each event moved to its merged point's last grid time; cells for the gate.
 */
export function mergeEventTimes(
  time: Float64Array,
  event: Float64Array,
  strata: Int32Array | null,
  grid: { strata: ArrayLike<number>; times: ArrayLike<number> },
  minCell: number,
  /** The records' ids, where the node audits releases: each cell then names its events. */
  rows?: RowIds,
): { time: Float64Array; cells: DisclosureCell[] } {
  const K = grid.times.length;
  const index = new Map<string, number>();
  for (let k = 0; k < K; k++) index.set(`${grid.strata[k]}:${grid.times[k]}`, k);
  // the grid point of each event (grid points of a stratum are contiguous and sorted)
  const pointOf = new Int32Array(time.length).fill(-1);
  const counts = new Float64Array(K);
  for (let i = 0; i < time.length; i++) {
    if (event[i] !== 1) continue;
    const k = index.get(`${strata ? strata[i]! : 0}:${time[i]}`);
    if (k === undefined) continue;
    pointOf[i] = k;
    counts[k]! += 1;
  }
  // the events at each grid point, for the cells' records
  const at: number[][] | null = rows ? Array.from({ length: K }, () => []) : null;
  if (at) for (let i = 0; i < time.length; i++) if (pointOf[i]! >= 0) at[pointOf[i]!]!.push(i);
  const moved = new Int32Array(K).map((_, k) => k);
  const cells: DisclosureCell[] = [];
  let lo = 0;
  while (lo < K) {
    let hi = lo;
    while (hi < K && grid.strata[hi] === grid.strata[lo]) hi++;
    const runs =
      minCell <= 1
        ? Array.from({ length: hi - lo }, (_, k) => ({ from: k, to: k, n: counts[lo + k]! })).filter(
            (r) => r.n > 0,
          )
        : mergeAdjacentBins(counts.subarray(lo, hi), minCell, Number.POSITIVE_INFINITY);
    for (const r of runs) {
      for (let k = r.from; k <= r.to; k++) moved[lo + k] = lo + r.to;
      const events: number[] = [];
      if (at && rows) for (let k = r.from; k <= r.to; k++) events.push(...at[lo + k]!);
      cells.push({
        label: `events of stratum ${grid.strata[lo]} at time points ${r.from}..${r.to}`,
        count: r.n,
        kind: 'bin',
        ...(rows
          ? {
              rows: rowsAt(
                rows,
                events.sort((a, b) => a - b),
              ),
            }
          : {}),
      });
    }
    lo = hi;
  }
  const out = Float64Array.from(time);
  for (let i = 0; i < time.length; i++) if (pointOf[i]! >= 0) out[i] = grid.times[moved[pointOf[i]!]!]!;
  return { time: out, cells };
}
