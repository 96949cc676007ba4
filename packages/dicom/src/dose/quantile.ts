/**
 * Sample quantile, Hyndman & Fan (1996) definition 7 — the default of R's `quantile()` and numpy's
 * `percentile()`. Computed exactly as R's `quantile.default(type = 7)` does (index = 1 + (n-1)p,
 * q = (1-h)·x[lo] + h·x[hi]) so that results agree with R bit for bit. Throws on an empty sample or p outside
 * [0, 1]. Non-finite values are rejected because a dose survey must never silently carry them.
 */
export function quantileType7(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability ${p} outside [0, 1]`);
  if (values.some((v) => !Number.isFinite(v)))
    throw new RangeError('quantile of a sample with non-finite values');
  const x = [...values].sort((a, b) => a - b);
  const index = 1 + (x.length - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qlo = x[lo - 1] as number;
  const qhi = x[hi - 1] as number;
  if (!(index > lo && qhi !== qlo)) return qlo;
  const h = index - lo;
  return (1 - h) * qlo + h * qhi;
}

/** Median (type 7 at p = 0.5, identical to R's `median()`). */
export function median(values: readonly number[]): number {
  return quantileType7(values, 0.5);
}

/** Count, median and quartiles (type 7) of a sample, in the sample's unit. */
export interface SampleSummary {
  n: number;
  median: number;
  q1: number;
  q3: number;
}

/** {@link SampleSummary} of a non-empty sample. */
export function summarise(values: readonly number[]): SampleSummary {
  return {
    n: values.length,
    median: median(values),
    q1: quantileType7(values, 0.25),
    q3: quantileType7(values, 0.75),
  };
}
