/**
 * The default `timeResolution` of the survival algorithms (coxph, km, validate-survival), from the time
 * column's declared unit and range in the data dictionary, when the researcher gives none.
 *
 * Why these values. Coarsening (tc = ceil(t / res) * res) is there so that the released sums sit on a public
 * grid, the same at every node; the protection itself comes from the minimum cell count on the grid's counts
 * (merged where short), not from the coarsening. So the default should be fine enough never to move an
 * estimate: about a few days, finer than the precision of most recorded follow-up, in whatever unit the
 * column is in. The old default of 1 in any unit was a year for a time in years, which moved a Cox
 * coefficient by 7 % (issue #16).
 *
 * | declared unit (UCUM)         | default | in days      |
 * | ---------------------------- | ------- | ------------ |
 * | `d` (days)                   | 1       | 1            |
 * | `wk` (weeks)                 | 0.1     | 0.7          |
 * | `mo` (months)                | 0.1     | about 3      |
 * | `a` (years)                  | 0.01    | about 3.7    |
 * | `h`, `min`, `s`              | 1       | (sub-day)    |
 * | none, with a declared range  | the power of ten giving at least 1,000 steps over min..max | |
 * | none, and no range           | 1 (as before) | |
 *
 * Then, so that the set-up round's grid stays small, the value is made 10 times coarser while the declared
 * range would hold more than {@link MAX_DEFAULT_STEPS} steps. An explicit `timeResolution` always wins.
 *
 * @example
 * defaultTimeResolution({ name: 'months', unit: 'mo', min: 0, max: 240 }).value; // 0.1
 */

/** At most this many steps over the declared range under the default (the set-up round's grid size). */
export const MAX_DEFAULT_STEPS = 20_000;

const BY_UNIT: Record<string, number> = {
  d: 1,
  wk: 0.1,
  mo: 0.1,
  a: 0.01,
  h: 1,
  min: 1,
  s: 1,
};

/** A time column's dictionary entry, as far as the default needs it. */
export interface TimeColumnSpec {
  name: string;
  unit?: string | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

/** The resolution used and why: given as a parameter, or the default for the column's unit or range. */
export interface ResolvedTimeResolution {
  value: number;
  basis: string;
}

/** The default for a column (see the module comment). */
export function defaultTimeResolution(spec: TimeColumnSpec): ResolvedTimeResolution {
  const unit = spec.unit?.trim();
  const range =
    spec.max !== undefined && Number.isFinite(spec.max) ? spec.max - Math.max(0, spec.min ?? 0) : Number.NaN;
  let value: number;
  let basis: string;
  if (unit !== undefined && unit in BY_UNIT) {
    value = BY_UNIT[unit]!;
    basis = `default for the unit "${unit}" of ${spec.name}`;
  } else if (range > 0) {
    value = 10 ** Math.floor(Math.log10(range / 1000));
    basis = `default for the declared range of ${spec.name} (at least 1000 steps)`;
  } else {
    value = 1;
    basis = `default (${spec.name} declares no unit or range)`;
  }
  while (range > 0 && range / value > MAX_DEFAULT_STEPS) value *= 10;
  // powers of ten as the decimal literals they stand for (0.1, not 0.30000000000000004-like products)
  value = Number(value.toPrecision(12));
  return { value, basis };
}

/** The resolution a run uses: the parameter when given, else the column's default. */
export function resolveTimeResolution(
  given: number | undefined,
  spec: TimeColumnSpec,
): ResolvedTimeResolution {
  return given !== undefined
    ? { value: given, basis: 'the timeResolution parameter' }
    : defaultTimeResolution(spec);
}

/**
 * The parameters with `timeResolution` resolved against the dataset's dictionary entry of the time column
 * (at the node, which holds the dictionary; the aggregator learns the value from the set-up round).
 */
export function withTimeResolution<P extends { timeResolution?: number | undefined }>(
  params: P,
  ds: { column(name: string): TimeColumnSpec },
  timeColumn: string,
): P & { timeResolution: number } {
  if (params.timeResolution !== undefined) return params as P & { timeResolution: number };
  return { ...params, timeResolution: defaultTimeResolution(ds.column(timeColumn)).value };
}

/** What the result says about the resolution: the value, and whether it was the dictionary's default. */
export function timeResolutionNote(given: number | undefined, used: number) {
  return {
    timeResolution: used,
    timeResolutionBasis:
      given !== undefined ? 'parameter' : "default from the time column's declared unit and range",
  };
}
