/** Bar heights of a histogram: counts when the bins are equally wide, else density (count per x unit). */

/** One bar: [x0, x1) in data units and its height (a count, or counts per x unit). */
export interface HistogramBar {
  x0: number;
  x1: number;
  count: number;
  height: number;
}

/**
 * Bars for `counts` over `breaks` (length counts + 1). With unequal widths the area, not the height, must be
 * proportional to the count, so heights become count / width and `density` is true.
 */
export function histogramBars(
  breaks: readonly number[],
  counts: readonly number[],
): { bars: HistogramBar[]; density: boolean } {
  const widths = counts.map((_, i) => breaks[i + 1]! - breaks[i]!);
  const w0 = widths[0] ?? 1;
  const density = widths.some((w) => Math.abs(w - w0) > 1e-9 * Math.max(1, Math.abs(w0)));
  const bars = counts.map((c, i) => ({
    x0: breaks[i]!,
    x1: breaks[i + 1]!,
    count: c,
    height: density ? c / widths[i]! : c,
  }));
  return { bars, density };
}
