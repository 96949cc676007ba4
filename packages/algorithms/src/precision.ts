/**
 * Levels and precision come from the data dictionary, not from the data: the release precision of a
 * numeric column (histogram breaks, quantiles), and the limits on a factor's levels (DataSHIELD's
 * nfilter.levels.max and nfilter.levels.density). Pure functions of the dictionary and the node policy.
 */
import { type ColumnSpec, type DisclosurePolicy, FedhubError } from '@fedhub/protocol';

/** DataSHIELD's defaults for {@link DisclosurePolicy.levels}. */
export const DEFAULT_LEVEL_LIMITS = { max: 40, density: 0.33 } as const;

/**
 * The step on which a numeric column's values may be released: the dictionary's `resolution`; else 1 for
 * an integer column; else, for a numeric column with a declared range, the power of ten that gives about
 * 50 steps over it (0.01 for a score in [0, 1], 1 for an age in [0, 120]); else 1.
 *
 * @example
 * releaseResolution({ name: 'score', type: 'numeric', min: 0, max: 1 }) // 0.01
 */
export function releaseResolution(spec: ColumnSpec): number {
  if (spec.resolution !== undefined) return spec.resolution;
  if (spec.type === 'integer' || spec.type === 'boolean') return 1;
  if (spec.min !== undefined && spec.max !== undefined && spec.max > spec.min)
    return 10 ** Math.floor(Math.log10((spec.max - spec.min) / 50));
  return 1;
}

/** `v` rounded to the nearest multiple of `r`, without the float noise of v / r * r (66.37 -> 66.4, r 0.1). */
export function roundToResolution(v: number, r: number): number {
  const k = Math.round(v / r);
  // a resolution of 10^-d prints with d decimals: strip the binary noise of k * r
  const decimals = Math.max(0, Math.ceil(-Math.log10(r) - 1e-9));
  return Number((k * r).toFixed(Math.min(decimals, 15)));
}

/**
 * Histogram breaks snapped to the column's release resolution, so that no caller-chosen break can split
 * values finer than the dictionary allows (a bin around one patient's value, or a node's maximum).
 * Throws FH_ERR_BAD_PARAMS when fewer than two distinct breaks remain.
 */
export function snapBreaks(breaks: readonly number[], spec: ColumnSpec): number[] {
  const r = releaseResolution(spec);
  const out: number[] = [];
  for (const b of breaks) {
    const s = roundToResolution(b, r);
    if (out.length === 0 || s > out[out.length - 1]!) out.push(s);
  }
  if (out.length < 2)
    throw new FedhubError(
      'FH_ERR_BAD_PARAMS',
      `bins of "${spec.name}" are narrower than its release resolution ${r} (data dictionary)`,
      { column: spec.name, resolution: r },
    );
  return out;
}

/**
 * `factor()` (or a level list) only on a column the dictionary declares categorical: categorical or
 * boolean, or integer with declared levels (codes). Throws FH_ERR_COLUMN_TYPE otherwise.
 */
export function assertFactorColumn(spec: ColumnSpec): void {
  if (spec.type === 'categorical' || spec.type === 'boolean') return;
  if (spec.type === 'integer' && spec.levels && spec.levels.length > 0) return;
  throw new FedhubError(
    'FH_ERR_COLUMN_TYPE',
    `column "${spec.name}" is ${spec.type}${spec.type === 'integer' ? ' without declared levels' : ''} in the data dictionary: factors only on declared categorical columns`,
    { column: spec.name },
  );
}

/**
 * DataSHIELD's level limits: a factor with more than `levels.max` levels, or with more levels than
 * `levels.density` times its records, is refused (it would come close to listing records). The error
 * carries the rule and the column, never the number of levels or records.
 */
export function assertLevelLimits(
  column: string,
  nLevels: number,
  nRecords: number,
  policy: DisclosurePolicy,
): void {
  const { max, density } = { ...DEFAULT_LEVEL_LIMITS, ...(policy.levels ?? {}) };
  if (nLevels > max)
    throw new FedhubError(
      'FH_ERR_TOO_MANY_LEVELS',
      `column "${column}" has more levels than the node allows in a factor (levels.max ${max})`,
      { column, rule: 'levels.max' },
    );
  if (nLevels > density * nRecords)
    throw new FedhubError(
      'FH_ERR_TOO_MANY_LEVELS',
      `column "${column}" has too many levels for its records (levels.density ${density})`,
      { column, rule: 'levels.density' },
    );
}
