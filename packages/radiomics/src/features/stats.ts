/** Percentile by linear interpolation between order statistics (R type 7, numpy default); p in [0, 1]. */
export function percentile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] ?? 0) + (h - lo) * ((sorted[hi] ?? 0) - (sorted[lo] ?? 0));
}

/** Mean of |x - c| over xs. */
function meanAbsDev(xs: Float64Array, c: number): number {
  let s = 0;
  for (const x of xs) s += Math.abs(x - c);
  return s / xs.length;
}

/**
 * IBSI intensity statistics (and, with `prefix` 'ih', the shared part of the intensity histogram features)
 * of the given values. Variance is the population (1/N) moment; kurtosis is excess kurtosis.
 */
export function statisticsFeatures(values: Float64Array, prefix: 'stat' | 'ih'): Record<string, number> {
  const n = values.length;
  const xs = Float64Array.from(values).sort();
  let s = 0;
  let s2 = 0;
  for (const x of xs) {
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const p10 = percentile(xs, 0.1);
  const p90 = percentile(xs, 0.9);
  const p25 = percentile(xs, 0.25);
  const p75 = percentile(xs, 0.75);
  const median = percentile(xs, 0.5);
  const robust = xs.filter((x) => x >= p10 && x <= p90);
  const robustMean = robust.reduce((a, b) => a + b, 0) / robust.length;
  const out: Record<string, number> = {
    [`${prefix}_mean`]: mean,
    [`${prefix}_var`]: m2,
    [`${prefix}_skew`]: m2 === 0 ? 0 : m3 / m2 ** 1.5,
    [`${prefix}_kurt`]: m2 === 0 ? 0 : m4 / (m2 * m2) - 3,
    [`${prefix}_median`]: median,
    [`${prefix}_min`]: xs[0] ?? 0,
    [`${prefix}_p10`]: p10,
    [`${prefix}_p90`]: p90,
    [`${prefix}_max`]: xs[n - 1] ?? 0,
    [`${prefix}_iqr`]: p75 - p25,
    [`${prefix}_range`]: (xs[n - 1] ?? 0) - (xs[0] ?? 0),
    [`${prefix}_mad`]: meanAbsDev(xs, mean),
    [`${prefix}_rmad`]: meanAbsDev(robust, robustMean),
    [`${prefix}_medad`]: meanAbsDev(xs, median),
    [`${prefix}_cov`]: Math.sqrt(m2) / mean,
    [`${prefix}_qcod`]: (p75 - p25) / (p75 + p25),
  };
  if (prefix === 'stat') {
    out.stat_energy = s2;
    out.stat_rms = Math.sqrt(s2 / n);
  }
  return out;
}

/**
 * IBSI intensity-histogram features of discretised grey levels (1..ng): the statistics above plus
 * mode, entropy, uniformity and histogram gradients (central differences, one-sided at the ends).
 */
export function histogramFeatures(levels: Float64Array, ng: number): Record<string, number> {
  const out = statisticsFeatures(levels, 'ih');
  const n = levels.length;
  const h = new Float64Array(ng + 1);
  for (const l of levels) h[l] = (h[l] ?? 0) + 1;
  let mode = 1;
  let entropy = 0;
  let uniformity = 0;
  for (let i = 1; i <= ng; i++) {
    const c = h[i] ?? 0;
    if (c > (h[mode] ?? 0)) mode = i;
    if (c > 0) {
      const p = c / n;
      entropy -= p * Math.log2(p);
      uniformity += p * p;
    }
  }
  // Gradients over the levels present between the lowest and highest level.
  const lo = out.ih_min ?? 1;
  const hi = out.ih_max ?? ng;
  let maxG = Number.NEGATIVE_INFINITY;
  let minG = Number.POSITIVE_INFINITY;
  let maxAt = lo;
  let minAt = lo;
  for (let i = lo; i <= hi; i++) {
    let g: number;
    if (hi === lo) g = 0;
    else if (i === lo) g = (h[i + 1] ?? 0) - (h[i] ?? 0);
    else if (i === hi) g = (h[i] ?? 0) - (h[i - 1] ?? 0);
    else g = ((h[i + 1] ?? 0) - (h[i - 1] ?? 0)) / 2;
    if (g > maxG) {
      maxG = g;
      maxAt = i;
    }
    if (g < minG) {
      minG = g;
      minAt = i;
    }
  }
  out.ih_mode = mode;
  out.ih_entropy = entropy;
  out.ih_uniformity = uniformity;
  out.ih_max_grad = maxG;
  out.ih_max_grad_g = maxAt;
  out.ih_min_grad = minG;
  out.ih_min_grad_g = minAt;
  return out;
}
