/**
 * Node-side merging of adjacent score bins, so that a validation releases only counts the disclosure
 * policy allows without refusing every realistic model.
 *
 * The predicted probabilities are put on the declared grid (multiples of `scoreResolution`). Then, for
 * each outcome class on its own, adjacent bins are merged into groups of at least the minimum cell count
 * of that class's records, from both ends inwards (the sparse tails get the narrowest groups); a run that
 * cannot get there within the span joins a neighbouring group where the span allows.
 * A group may span at most {@link MAX_GROUP_SPAN} in predicted probability: where the class's records are
 * too sparse to fill a group within that span, the short group is kept as it is and declared, and the
 * node's release gate refuses it (a model whose score sets one patient apart, crafted or not, is refused,
 * as before). Every record of a group is given the group's mean predicted probability, and every
 * statistic the node computes (the score histogram, the Brier score, the Hosmer–Lemeshow sums, the
 * calibration fits) uses that value. So:
 * - each released (outcome class, score) count is a whole group's: zero or at least the minimum cell
 *   count, declared as a cell and checked by the gate;
 * - a Hosmer–Lemeshow group is a union of whole groups of each class (a group's records share one
 *   value), so its events and its non-events are each zero or at least the minimum cell count too;
 * - the AUC moves only at second order: a class-1 record moved to its group's mean passes as many
 *   class-0 records upwards as its neighbours pass downwards (to first order in the density), so the
 *   pooled AUC of smooth scores stays within 1e-3 of the exact one (score-merge.test.ts);
 * - no single record moves a released value by more than MAX_GROUP_SPAN / minimum cell count.
 * Where every (class, bin) count already passes, nothing is merged: scores on the grid are kept exactly;
 * under a policy that allows cells of one record, every record keeps its own score.
 *
 * The merge is deterministic (same counts, same groups) and depends on nothing but the node's own
 * records and policy; each group is in the node's log through its declared cell. Written by hand: no
 * library does this policy-driven merging.
 */

import { FedhubError } from '@fedhub/protocol';

/** Widest span of predicted probability one released group may cover. */
export const MAX_GROUP_SPAN = 0.3;

/**
 * Most groups per outcome class: a class of n records is merged into groups of at least n / 100 records
 * (or the minimum cell count, whichever is larger). Each group is a record set the node's privacy ledger
 * audits, whose cost grows with their number; 100 groups per class keep the AUC within 1e-3 of the exact
 * one at any size (2.0e-4 at 20,000 records, score-merge.test.ts; 50 gave 1.5e-3), and change nothing
 * below 500 records per class under the default minimum cell count of 5.
 */
export const MAX_GROUPS_PER_CLASS = 100;

/** A run of adjacent grid bins of one outcome class merged into one released value. */
export interface ScoreGroup {
  outcome: 0 | 1;
  /** First and last grid bin (inclusive). */
  from: number;
  to: number;
  /** Records of the group. */
  n: number;
  /** Mean predicted probability of the group's records (the value every statistic uses). */
  mean: number;
  /** The grid bin the group's count is released in (the mean on the grid). */
  bin: number;
}

export interface MergedScores {
  /** Each record's released probability: its group's mean. */
  p: Float64Array;
  /** Each record's grid bin in the released histogram. */
  bin: Int32Array;
  groups: ScoreGroup[];
  /** Each record's group (index into `groups`): the records behind each released count. */
  groupOf: Int32Array;
}

type Run = { from: number; to: number; n: number };

/** Greedy from the first bin upwards: a group closes at `minCell` records or when the span runs out. */
function greedyUpwards(counts: ArrayLike<number>, minCell: number, maxSpan: number): Run[] {
  const groups: Run[] = [];
  let start = -1;
  let last = -1;
  let acc = 0;
  const close = () => {
    groups.push({ from: start, to: last, n: acc });
    start = -1;
    acc = 0;
  };
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    if (c === 0) continue;
    // the next record lies too far from the open group's first: that group closes as it is
    if (start >= 0 && b - start > maxSpan) close();
    if (start < 0) start = b;
    acc += c;
    last = b;
    if (acc >= minCell) close();
  }
  if (start >= 0) close();
  return groups;
}

/** Short runs join a full neighbour (the one below first) where the joined span allows. */
function foldShort(groups: Run[], minCell: number, maxSpan: number): Run[] {
  const out = [...groups];
  for (let changed = true; changed; ) {
    changed = false;
    for (let g = 0; g < out.length; g++) {
      const r = out[g]!;
      if (r.n >= minCell) continue;
      const below = out[g - 1];
      const above = out[g + 1];
      if (below && r.to - below.from <= maxSpan) {
        out.splice(g - 1, 2, { from: below.from, to: r.to, n: below.n + r.n });
        changed = true;
        break;
      }
      if (above && above.to - r.from <= maxSpan) {
        out.splice(g, 2, { from: r.from, to: above.to, n: r.n + above.n });
        changed = true;
        break;
      }
    }
  }
  return out;
}

/**
 * Groups of adjacent bins, each of at least `minCell` records and spanning at most `maxSpan` bins
 * (to - from <= maxSpan), from per-bin counts. Groups are formed from both ends inwards (from the lowest
 * bin up to the class's median, from the highest down to it), so that the sparse tails get the narrowest
 * groups; a short run joins a neighbour where the span allows, else it is returned short (its caller
 * declares it; the gate refuses it).
 */
export function mergeAdjacentBins(counts: ArrayLike<number>, minCell: number, maxSpan: number): Run[] {
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b]!;
  if (total === 0) return [];
  let mid = 0;
  for (let acc = 0; mid < counts.length; mid++) {
    acc += counts[mid]!;
    if (acc >= total / 2) break;
  }
  const lower = greedyUpwards(Array.prototype.slice.call(counts, 0, mid + 1), minCell, maxSpan);
  const top = Array.prototype.slice.call(counts, mid + 1).reverse() as number[];
  const last = counts.length - 1;
  const upper = greedyUpwards(top, minCell, maxSpan)
    .map((g) => ({ from: last - g.to, to: last - g.from, n: g.n }))
    .reverse();
  return foldShort([...lower, ...upper], minCell, maxSpan);
}

/**
 * Puts `p` on the grid of `width` (bins 0..bins-1 from 0) and merges adjacent bins of each outcome
 * class (`y`, 0/1) per {@link mergeAdjacentBins}.
 */
export function mergeScoreBins(
  y: Float64Array,
  p: Float64Array,
  grid: { width: number; bins: number },
  minCell: number,
): MergedScores {
  return mergeOnRuns(y, p, grid, plainRuns(binCounts(y, p, grid).counts, grid, minCell), minCell <= 1);
}

/**
 * The plain partition of the score grid (P0), per outcome class, from the records per (outcome, bin): the
 * runs {@link mergeScoreBins} releases a validation without `subgroup` on. It depends only on the model's
 * scores of the selection and the policy, so every validation of one model on one selection, with or
 * without a subgroup, can be built on coarsenings of it (subgroups.ts).
 */
export function plainRuns(
  counts: [ArrayLike<number>, ArrayLike<number>],
  grid: { width: number; bins: number },
  minCell: number,
): [Run[], Run[]] {
  const maxSpan = maxSpanBins(grid);
  const runsOf = (outcome: 0 | 1) => {
    let total = 0;
    for (let b = 0; b < counts[outcome].length; b++) total += counts[outcome][b]!;
    return mergeAdjacentBins(counts[outcome], leastGroupSize(total, minCell), maxSpan);
  };
  return [runsOf(0), runsOf(1)];
}

/** The grid bin of a predicted probability. */
export function gridBin(p: number, grid: { width: number; bins: number }): number {
  return Math.min(grid.bins - 1, Math.max(0, Math.round(p / grid.width)));
}

/** Records per (outcome class, grid bin). */
export function binCounts(
  y: Float64Array,
  p: Float64Array,
  grid: { width: number; bins: number },
): { counts: [Float64Array, Float64Array] } {
  const counts: [Float64Array, Float64Array] = [new Float64Array(grid.bins), new Float64Array(grid.bins)];
  for (let i = 0; i < y.length; i++) counts[y[i] === 1 ? 1 : 0][gridBin(p[i]!, grid)]! += 1;
  return { counts };
}

/** The widest run in bins (a tolerance so that a span of exactly MAX_GROUP_SPAN is allowed despite rounding). */
export function maxSpanBins(grid: { width: number }): number {
  return Math.floor(MAX_GROUP_SPAN / grid.width + 1e-9);
}

/**
 * The least records of one group of a class of `total` records: the minimum cell count, or total /
 * MAX_GROUPS_PER_CLASS where larger; a policy of one record per cell keeps every record's score.
 */
export function leastGroupSize(total: number, minCell: number): number {
  return minCell <= 1 ? minCell : Math.max(minCell, Math.ceil(total / MAX_GROUPS_PER_CLASS));
}

/**
 * Each record of (`y`, `p`) given the group of its (outcome, bin) among `runs` (per outcome class, runs of
 * bins that cover every bin the records occupy): the groups that hold records of this selection, each at
 * its records' mean (or, with `keepScores`, every record at its own score: a one-record policy).
 */
export function mergeOnRuns(
  y: Float64Array,
  p: Float64Array,
  grid: { width: number; bins: number },
  runs: [ReadonlyArray<{ from: number; to: number }>, ReadonlyArray<{ from: number; to: number }>],
  keepScores: boolean,
): MergedScores {
  const n = y.length;
  const runOf = [new Int32Array(grid.bins).fill(-1), new Int32Array(grid.bins).fill(-1)];
  for (const outcome of [0, 1] as const)
    runs[outcome].forEach((r, k) => {
      for (let b = r.from; b <= r.to; b++) runOf[outcome]![b] = k;
    });
  const raw = new Int32Array(n);
  const size = [new Float64Array(runs[0].length), new Float64Array(runs[1].length)];
  const total = [new Float64Array(runs[0].length), new Float64Array(runs[1].length)];
  for (let i = 0; i < n; i++) {
    const c = y[i] === 1 ? 1 : 0;
    const r = runOf[c]![gridBin(p[i]!, grid)]!;
    if (r < 0)
      throw new FedhubError('FH_ERR_ALGORITHM_FAILED', 'validate: a record outside every merged score group');
    raw[i] = r;
    size[c]![r]! += 1;
    total[c]![r]! += p[i]!;
  }
  const groups: ScoreGroup[] = [];
  const groupOfRun = [new Int32Array(runs[0].length).fill(-1), new Int32Array(runs[1].length).fill(-1)];
  for (const outcome of [0, 1] as const)
    runs[outcome].forEach((r, k) => {
      const m = size[outcome]![k]!;
      if (m === 0) return;
      const mean = total[outcome]![k]! / m;
      groupOfRun[outcome]![k] = groups.length;
      groups.push({ outcome, from: r.from, to: r.to, n: m, mean, bin: gridBin(mean, grid) });
    });
  const out = new Float64Array(n);
  const bin = new Int32Array(n);
  const recordGroup = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const gi = groupOfRun[y[i] === 1 ? 1 : 0]![raw[i]!]!;
    recordGroup[i] = gi;
    const g = groups[gi]!;
    out[i] = keepScores ? p[i]! : g.mean;
    bin[i] = g.bin;
  }
  return { p: out, bin, groups, groupOf: recordGroup };
}

/** The positions of each group's records (for the cells' record ids). */
export function groupMembers(m: MergedScores): Int32Array[] {
  const sizes = new Int32Array(m.groups.length);
  for (const g of m.groupOf) sizes[g]!++;
  const out = Array.from(sizes, (k) => new Int32Array(k));
  const at = new Int32Array(m.groups.length);
  for (let i = 0; i < m.groupOf.length; i++) {
    const g = m.groupOf[i]!;
    out[g]![at[g]!++] = i;
  }
  return out;
}

/** The released histogram: records of outcome 0 per bin, then of outcome 1 (aucLocalPartial's layout). */
export function mergedHistogram(y: Float64Array, m: MergedScores, bins: number): Float64Array {
  const h = new Float64Array(2 * bins);
  for (let i = 0; i < y.length; i++) h[(y[i] === 1 ? bins : 0) + m.bin[i]!]! += 1;
  return h;
}
