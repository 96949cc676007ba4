/**
 * Per-case metrics (Dice, HD95, surface Dice) released as aggregates only. At the node: n, the sum and the
 * sum of squares (for the mean and SD), and a histogram on a grid fixed by the platform (public, the same
 * for every task), whose adjacent bins are merged until every released interval holds at least the
 * node's minimum cell count (the sums rounded, SUM_STEPS): a researcher can neither choose the bins nor learn where one case lies more
 * precisely than among k others. The pooled quantiles (median, quartiles) are read from the pooled,
 * piecewise-uniform distribution of the intervals, so they are never one case's value; counts under a
 * threshold (a grid edge) come as exact counts where the threshold falls on interval edges, else as a
 * range.
 */

/** A metric's grid: bin edges (the last bin closed). Public, fixed: researchers pick thresholds on it. */
export const METRIC_GRIDS = {
  /** Dice and surface Dice: steps of 0.05 on [0, 1]. */
  fraction: Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100),
  /** HD95 in mm: finer where contours are good, coarser where they are not; cases past 100 mm in the last bin. */
  mm: [0, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 100, 1000],
} as const;
export type MetricGrid = keyof typeof METRIC_GRIDS;

/**
 * The step the released sum (and sum of squares) of each metric is rounded to: two releases whose cases
 * differ by one (a selection the ledger does not see) then place that case no better than a grid step.
 */
export const SUM_STEPS: Record<MetricGrid, { sum: number; squares: number }> = {
  fraction: { sum: 0.05, squares: 0.05 },
  mm: { sum: 0.5, squares: 5 },
};

const roundTo = (x: number, step: number) => Math.round(x / step) * step;

/** One released interval of the merged histogram: [lo, hi) on grid edges, at least k cases. */
export interface MetricInterval {
  lo: number;
  hi: number;
  n: number;
}

/** What a node releases of one metric. */
export interface NodeMetricSummary {
  n: number;
  sum: number;
  sumSquares: number;
  intervals: MetricInterval[];
}

/** Bin index of x on the grid's edges (values past the last edge in the last bin). */
function binOf(edges: readonly number[], x: number): number {
  const last = edges.length - 2;
  for (let b = 0; b < last; b++) if (x < (edges[b + 1] as number)) return b;
  return last;
}

/**
 * The node's summary of finite values: the grid's bins merged left to right until each interval holds at
 * least `k` values (the remainder joins the last interval), each interval trimmed to its non-empty bins.
 */
export function summariseAtNode(values: readonly number[], grid: MetricGrid, k: number): NodeMetricSummary {
  const edges = METRIC_GRIDS[grid];
  const counts = new Array<number>(edges.length - 1).fill(0);
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    counts[binOf(edges, v)]! += 1;
    sum += v;
    sumSquares += v * v;
  }
  interface Group {
    first: number;
    last: number;
    n: number;
  }
  const intervals: Group[] = [];
  let open: Group | undefined;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b] as number;
    if (c === 0) continue;
    const g: Group = open ? { first: open.first, last: b, n: open.n + c } : { first: b, last: b, n: c };
    if (g.n >= k) {
      intervals.push(g);
      open = undefined;
    } else open = g;
  }
  if (open) {
    const prev = intervals.pop();
    intervals.push(prev ? { first: prev.first, last: open.last, n: prev.n + open.n } : open);
  }
  return {
    n: values.length,
    sum: roundTo(sum, SUM_STEPS[grid].sum),
    sumSquares: roundTo(sumSquares, SUM_STEPS[grid].squares),
    intervals: intervals.map((i) => ({
      lo: edges[i.first] as number,
      hi: edges[i.last + 1] as number,
      n: i.n,
    })),
  };
}

export interface PooledMetric {
  n: number;
  mean: number | null;
  sd: number | null;
  /** Quartiles of the pooled interval distribution (values spread evenly within each interval). */
  q1: number | null;
  median: number | null;
  q3: number | null;
  /** Cases under each threshold: exact where the threshold is an edge of every interval, else a range. */
  below: Array<{ threshold: number; atLeast: number; atMost: number }>;
  /** The pooled intervals, for a histogram (each at least k cases at its node). */
  intervals: MetricInterval[];
}

/** x such that the pooled piecewise-uniform CDF reaches `target` cases. */
function quantileOf(intervals: readonly MetricInterval[], target: number): number {
  const points = [...new Set(intervals.flatMap((i) => [i.lo, i.hi]))].sort((a, b) => a - b);
  const cdf = (x: number) =>
    intervals.reduce((s, i) => s + i.n * (x <= i.lo ? 0 : x >= i.hi ? 1 : (x - i.lo) / (i.hi - i.lo)), 0);
  let prevX = points[0] as number;
  let prevF = 0;
  for (const x of points) {
    const f = cdf(x);
    if (f >= target - 1e-12) {
      if (f === prevF) return prevX;
      return prevX + ((target - prevF) / (f - prevF)) * (x - prevX);
    }
    prevX = x;
    prevF = f;
  }
  return prevX;
}

/** The pooled summary of the nodes' summaries; `thresholds` must be grid edges. */
export function poolMetric(nodes: readonly NodeMetricSummary[], thresholds: readonly number[]): PooledMetric {
  const n = nodes.reduce((s, x) => s + x.n, 0);
  const sum = nodes.reduce((s, x) => s + x.sum, 0);
  const ss = nodes.reduce((s, x) => s + x.sumSquares, 0);
  const intervals = nodes.flatMap((x) => x.intervals);
  const mean = n > 0 ? sum / n : null;
  const sd = n > 1 && mean !== null ? Math.sqrt(Math.max(0, (ss - n * mean * mean) / (n - 1))) : null;
  const q = (p: number) => (n > 0 ? quantileOf(intervals, p * n) : null);
  return {
    n,
    mean,
    sd,
    q1: q(0.25),
    median: q(0.5),
    q3: q(0.75),
    below: thresholds.map((t) => ({
      threshold: t,
      atLeast: intervals.filter((i) => i.hi <= t).reduce((s, i) => s + i.n, 0),
      atMost: intervals.filter((i) => i.lo < t).reduce((s, i) => s + i.n, 0),
    })),
    intervals: [...intervals].sort((a, b) => a.lo - b.lo || a.hi - b.hi),
  };
}
