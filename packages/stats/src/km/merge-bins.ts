import { StatsError, StatsErrorCode } from '../errors.js';

/** Result of {@link mergeBinsToMinCount}. */
export interface MergedBins {
  /** For each input bin, the index of the merged bin it belongs to. */
  readonly group: Int32Array;
  /** Summed counts per merged bin, one array per input count series. */
  readonly counts: Float64Array[];
  /** Index of the last input bin of each merged bin (its time label: coarsening up, like ceil). */
  readonly lastBin: Int32Array;
}

/**
 * Disclosure rule "each released bin must pass the minimum cell count, or be merged with its
 * neighbour": scans the time bins in order and merges adjacent bins until every released count of
 * the merged bin (each series, e.g. events and censorings) is >= k; zero counts pass when
 * `allowZero` (the default: an empty cell reveals no individual). A last group that cannot reach k
 * is merged into the previous one (and that into the one before, while the union fails). Deterministic and pure, so every party derives the same bins.
 * Throws when even the single merged bin over everything fails.
 */
export function mergeBinsToMinCount(
  series: readonly Float64Array[],
  k: number,
  allowZero = true,
): MergedBins {
  if (series.length === 0)
    throw new StatsError(StatsErrorCode.InvalidArgument, 'mergeBinsToMinCount: no count series');
  const nBins = series[0]!.length;
  for (const s of series) {
    if (s.length !== nBins) {
      throw new StatsError(StatsErrorCode.DimensionMismatch, 'mergeBinsToMinCount: series lengths differ');
    }
  }
  const passes = (vals: number[]) => vals.every((v) => v >= k || (allowZero && v === 0));
  const group = new Int32Array(nBins);
  const sums: number[][] = [];
  const last: number[] = [];
  let acc = series.map(() => 0);
  let open = false;
  for (let b = 0; b < nBins; b++) {
    acc = acc.map((a, j) => a + series[j]![b]!);
    group[b] = sums.length;
    open = true;
    if (passes(acc)) {
      sums.push(acc);
      last.push(b);
      acc = series.map(() => 0);
      open = false;
    }
  }
  if (open) {
    if (sums.length === 0) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `mergeBinsToMinCount: total counts do not reach ${k}`,
      );
    }
    // the tail joins the bin before it, and keeps joining earlier ones while the union still fails
    // (a tail with one event joined to a bin with none would release a count of one)
    let lastGroup = sums.length - 1;
    sums[lastGroup] = sums[lastGroup]!.map((v, j) => v + acc[j]!);
    while (!passes(sums[lastGroup]!) && lastGroup > 0) {
      const tail = sums.pop()!;
      last.pop();
      lastGroup--;
      sums[lastGroup] = sums[lastGroup]!.map((v, j) => v + tail[j]!);
    }
    if (!passes(sums[lastGroup]!)) {
      throw new StatsError(
        StatsErrorCode.InvalidArgument,
        `mergeBinsToMinCount: total counts do not reach ${k}`,
      );
    }
    for (let b = nBins - 1; b >= 0 && group[b]! >= lastGroup; b--) group[b] = lastGroup;
    last[lastGroup] = nBins - 1;
  }
  const counts = series.map((_, j) => Float64Array.from(sums, (s) => s[j]!));
  return { group, counts, lastBin: Int32Array.from(last) };
}
