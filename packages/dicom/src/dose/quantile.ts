/**
 * Sample quantile, Hyndman & Fan (1996) definition 7 (R's `quantile()` default, numpy's `percentile()`), from
 * `@fedhub/stats` (the one implementation, equal to R's `quantile.default(type = 7)` bit for bit). Throws a
 * RangeError on an empty sample, p outside [0, 1], or non-finite values: a dose survey must never silently
 * carry them.
 */
import { quantileType7 as statsQuantileType7 } from '@fedhub/stats';

/** The type-7 quantile of `values` at `p`. */
export function quantileType7(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability ${p} outside [0, 1]`);
  if (values.some((v) => !Number.isFinite(v)))
    throw new RangeError('quantile of a sample with non-finite values');
  return statsQuantileType7(values, [p])[0]!;
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
