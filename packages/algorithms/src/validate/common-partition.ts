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
 * The merge runs from both ends inwards to the median, as score-merge.ts's, and a run that cannot pass
 * within the span joins a neighbour where the span allows; a run still short is returned as it is (its
 * caller withholds the subgroup block).
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
 * The common runs of one outcome class from `counts[part][bin]`: adjacent bins merged until every part's
 * count in the run is zero or at least `minCell` and the run holds at least `least` records, each run
 * spanning at most `maxSpan` bins. A run that cannot pass is returned short.
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
): CommonRun[] {
  const bins = counts[0]?.length ?? 0;
  const byBin = Array.from({ length: bins }, (_, b) => counts.map((c) => c[b]!));
  const total = sum(byBin.map(sum));
  if (total === 0) return [];
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
