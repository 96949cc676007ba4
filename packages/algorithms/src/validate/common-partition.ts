/**
 * One partition of the score grid shared by the main release and every subgroup level (validate with
 * `subgroup`), so that each main score group is a union of whole level parts.
 *
 * Why: when each level's bins are merged on its own, a level's groups cut the main release's groups
 * anywhere, and a main group minus another level's part of it can be a few records: the main release and
 * the level releases together determine that small set (the node's linear auditor refuses it). Joining
 * consecutive main groups afterwards does not help: a joined group's (main group, level) table still leaves
 * a small cell determined when it is a bridge of that table. So the runs are chosen once, per outcome
 * class, over the vector of counts of every part (each declared level, and the records whose subgroup
 * value is missing as one more part): a run closes only when every part's count in it is zero or at least
 * the minimum cell count (and the run's total reaches the main release's least group size). Then every
 * released cell (a main group, a level's part) is a union of (part, outcome, run) sets that are each empty
 * or at least the minimum cell count, and no combination of the released record sets isolates fewer.
 *
 * The runs are the partition that passes and moves the scores least (found exactly, {@link mergeCommonBins});
 * where none passes within the span, short runs are returned and the caller withholds the subgroup block.
 *
 * With `within` (validate 1.7.0: the plain partition P0, the groups of the same validation without
 * `subgroup`), the runs are unions of consecutive whole P0 groups, so that the partitions of every validation
 * of one model on one selection nest in P0 and a second validation with another grouping differs from the
 * first by unions of whole P0 groups; a run joining several P0 groups must also leave no small (P0 group,
 * part) count determined by the P0 groups' totals and the run's parts ({@link bridgesPass}).
 */

/** A run of adjacent grid bins and each part's count in it. */
export interface CommonRun {
  from: number;
  to: number;
  /** Records of every part in the run. */
  n: number;
  /** Each part's records in the run. */
  parts: number[];
}

import { FedhubError } from '@fedhub/protocol';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Whether a run's parts may be released: each zero or at least `minCell`, and the run at least `least`. */
export function runPasses(parts: number[], least: number, minCell: number): boolean {
  return sum(parts) >= least && parts.every((c) => c === 0 || c >= minCell);
}

/** Greedy upwards over bins of part-count vectors: a run closes when it passes or the span runs out. */
function greedy(counts: number[][], least: number, minCell: number, maxSpan: number): CommonRun[] {
  const runs: CommonRun[] = [];
  let start = -1;
  let last = -1;
  let acc: number[] = [];
  const close = () => {
    runs.push({ from: start, to: last, n: sum(acc), parts: acc });
    start = -1;
  };
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b]!;
    if (sum(c) === 0) continue;
    if (start >= 0 && b - start > maxSpan) close();
    if (start < 0) {
      start = b;
      acc = c.map(() => 0);
    }
    for (let k = 0; k < c.length; k++) acc[k]! += c[k]!;
    last = b;
    if (runPasses(acc, least, minCell)) close();
  }
  if (start >= 0) close();
  return runs;
}

function join(a: CommonRun, b: CommonRun): CommonRun {
  return { from: a.from, to: b.to, n: a.n + b.n, parts: a.parts.map((c, k) => c + b.parts[k]!) };
}

/** A run that does not pass joins a neighbour (the one below first) where the joined span allows. */
function foldShort(runs: CommonRun[], least: number, minCell: number, maxSpan: number): CommonRun[] {
  const out = [...runs];
  for (let changed = true; changed; ) {
    changed = false;
    for (let g = 0; g < out.length; g++) {
      const r = out[g]!;
      if (runPasses(r.parts, least, minCell)) continue;
      const below = out[g - 1];
      const above = out[g + 1];
      if (below && r.to - below.from <= maxSpan) {
        out.splice(g - 1, 2, join(below, r));
        changed = true;
        break;
      }
      if (above && above.to - r.from <= maxSpan) {
        out.splice(g, 2, join(r, above));
        changed = true;
        break;
      }
    }
  }
  return out;
}

/**
 * The common runs of one outcome class from `counts[part][bin]`: a partition of the occupied bins into runs
 * in which every part's count is zero or at least `minCell`, each run holding at least `least` records and
 * spanning at most `maxSpan` bins. Among the partitions that pass, the one whose runs move the records'
 * scores least (least sum of squared distances of the records' bins from their run's mean bin, as 1-D
 * k-means; the AUC and the Brier score move with it) is found exactly by dynamic programming over the
 * occupied bins (each run ends within `maxSpan` bins of its start: bins x span x parts steps); among equal
 * ones, the shortest last run is kept at each step (deterministic). Where no partition passes (a part too sparse for any run within the span), the greedy
 * runs from both ends are returned, some short (the caller withholds the subgroup block).
 *
 * @example
 * // two parts; bins 0..3
 * mergeCommonBins([[3, 2, 0, 5], [1, 4, 5, 0]], 5, 5, 10);
 * // -> [{ from: 0, to: 1, n: 10, parts: [5, 5] }, { from: 2, to: 2, n: 5, parts: [0, 5] },
 * //     { from: 3, to: 3, n: 5, parts: [5, 0] }]
 */
export function mergeCommonBins(
  counts: ArrayLike<number>[],
  least: number,
  minCell: number,
  maxSpan: number,
  within?: ReadonlyArray<{ from: number; to: number }>,
): CommonRun[] {
  const bins = counts[0]?.length ?? 0;
  const byBin = Array.from({ length: bins }, (_, b) => counts.map((c) => c[b]!));
  const occupied: number[] = [];
  for (let b = 0; b < bins; b++) if (sum(byBin[b]!) > 0) occupied.push(b);
  const m = occupied.length;
  if (m === 0) return [];
  const k = counts.length;
  // with `within`, a run may start or end only where a block does: cut[j], a run may end after the j-th
  // occupied bin (and the next start at it)
  const cut = new Uint8Array(m + 1).fill(1);
  const blockOf = new Int32Array(bins).fill(-1);
  // each block's parts (with `within`)
  const blockParts: number[][] = [];
  if (within) {
    within.forEach((r, g) => {
      const parts = counts.map(() => 0);
      for (let b = r.from; b <= r.to; b++) {
        blockOf[b] = g;
        for (let q = 0; q < parts.length; q++) parts[q]! += byBin[b]![q]!;
      }
      blockParts.push(parts);
    });
    for (let j = 0; j < m; j++)
      if (blockOf[occupied[j]!]! < 0)
        throw new FedhubError(
          'FH_ERR_ALGORITHM_FAILED',
          'validate: a record outside every merged score group',
        );
    for (let j = 1; j < m; j++) cut[j] = blockOf[occupied[j - 1]!] === blockOf[occupied[j]!] ? 0 : 1;
  }
  // prefix sums over the occupied bins, per part
  const prefix = Array.from({ length: k }, () => new Float64Array(m + 1));
  for (let j = 0; j < m; j++)
    for (let q = 0; q < k; q++) prefix[q]![j + 1] = prefix[q]![j]! + byBin[occupied[j]!]![q]!;
  const partsOf = (i: number, j: number) => prefix.map((pr) => pr[j]! - pr[i]!);
  // the spread of the records' bins in a run (sum of squared deviations from the run's mean bin): the
  // distance the merge moves the records' scores, squared
  const cnt = new Float64Array(m + 1);
  const s1 = new Float64Array(m + 1);
  const s2 = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) {
    const b = occupied[j]!;
    const c = sum(byBin[b]!);
    cnt[j + 1] = cnt[j]! + c;
    s1[j + 1] = s1[j]! + c * b;
    s2[j + 1] = s2[j]! + c * b * b;
  }
  const spread = (i: number, j: number) => {
    const n = cnt[j]! - cnt[i]!;
    const t = s1[j]! - s1[i]!;
    return Math.max(0, s2[j]! - s2[i]! - (t * t) / n);
  };
  // best[j]: least spread of a passing partition of occupied bins 0..j-1 (Infinity: none passes);
  // from[j]: where its last run starts
  const best = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array(m + 1).fill(-1);
  best[0] = 0;
  for (let j = 1; j <= m; j++) {
    if (!cut[j]) continue;
    const end = occupied[j - 1]!;
    for (let i = j - 1; i >= 0 && end - occupied[i]! <= maxSpan; i--) {
      if (!cut[i] || !Number.isFinite(best[i]!)) continue;
      let ok = true;
      let n = 0;
      for (let q = 0; q < k && ok; q++) {
        const c = prefix[q]![j]! - prefix[q]![i]!;
        n += c;
        ok = c === 0 || c >= minCell;
      }
      if (!ok || n < least) continue;
      if (within) {
        const g0 = blockOf[occupied[i]!]!;
        const g1 = blockOf[occupied[j - 1]!]!;
        if (g1 > g0 && !bridgesPass(blockParts.slice(g0, g1 + 1), minCell)) continue;
      }
      const cost = best[i]! + spread(i, j);
      // strictly less (beyond rounding): among equal ones the shortest last run is kept (deterministic)
      if (!Number.isFinite(best[j]!) || cost < best[j]! - 1e-9 * (1 + best[j]!)) {
        best[j] = cost;
        from[j] = i;
      }
    }
  }
  if (!Number.isFinite(best[m]!))
    return within ? blocksAsRuns(blockParts, within) : greedyBothEnds(byBin, least, minCell, maxSpan);
  const runs: CommonRun[] = [];
  for (let j = m; j > 0; j = from[j]!) {
    const i = from[j]!;
    const parts = partsOf(i, j);
    runs.push({ from: occupied[i]!, to: occupied[j - 1]!, n: sum(parts), parts });
  }
  return runs.reverse();
}

/** The greedy runs from both ends inwards to the median, short ones joined where the span allows. */
function greedyBothEnds(byBin: number[][], least: number, minCell: number, maxSpan: number): CommonRun[] {
  const bins = byBin.length;
  const total = sum(byBin.map(sum));
  let mid = 0;
  for (let acc = 0; mid < bins; mid++) {
    acc += sum(byBin[mid]!);
    if (acc >= total / 2) break;
  }
  const lower = greedy(byBin.slice(0, mid + 1), least, minCell, maxSpan);
  const last = bins - 1;
  const upper = greedy(byBin.slice(mid + 1).reverse(), least, minCell, maxSpan)
    .map((r) => ({ ...r, from: last - r.to, to: last - r.from }))
    .reverse();
  return foldShort([...lower, ...upper], least, minCell, maxSpan);
}

/**
 * The blocks themselves as runs, with their parts (where no coarsening passes: at least one of them fails,
 * else the blocks would be a passing coarsening, and the caller withholds).
 */
function blocksAsRuns(
  blockParts: number[][],
  within: ReadonlyArray<{ from: number; to: number }>,
): CommonRun[] {
  return within.map((r, g) => ({ from: r.from, to: r.to, n: sum(blockParts[g]!), parts: blockParts[g]! }));
}

/**
 * Whether a run of several blocks may be released alongside its blocks: every (block, part) count that the
 * blocks' totals and the run's parts determine is zero or at least `minCell`. Those totals are the margins
 * of the run's (block x part) table; a cell is determined by the margins exactly when it is a bridge of the
 * bipartite graph of the table's non-zero cells (removing it disconnects its block from its part), e.g. a
 * block whose other parts are empty in every other block of the run. So every non-zero cell under
 * `minCell` must lie on a cycle.
 */
export function bridgesPass(table: ReadonlyArray<ReadonlyArray<number>>, minCell: number): boolean {
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  // nodes: blocks 0..rows-1, parts rows..rows+cols-1
  const adj: number[][] = Array.from({ length: rows + cols }, () => []);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      if (table[r]![c]! > 0) {
        adj[r]!.push(rows + c);
        adj[rows + c]!.push(r);
      }
  const connectedWithout = (r: number, c: number): boolean => {
    const seen = new Uint8Array(rows + cols);
    const stack = [r];
    seen[r] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of adj[v]!) {
        if ((v === r && w === rows + c) || (v === rows + c && w === r)) continue;
        if (w === rows + c) return true;
        if (!seen[w]) {
          seen[w] = 1;
          stack.push(w);
        }
      }
    }
    return false;
  };
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const x = table[r]![c]!;
      if (x > 0 && x < minCell && !connectedWithout(r, c)) return false;
    }
  return true;
}
