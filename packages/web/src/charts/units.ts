/**
 * Units as a clinician reads them. Data dictionaries declare UCUM codes; most read as they are ("Gy",
 * "mGy.cm", "kg/m2"), but the time codes do not: "age (a)" and "count per a" are opaque on a chart, so the
 * time codes are written out in words (pure).
 */

/** UCUM time codes and their names, singular and plural. */
const TIME_UNITS: Readonly<Record<string, readonly [string, string]>> = {
  a: ['year', 'years'],
  mo: ['month', 'months'],
  wk: ['week', 'weeks'],
  d: ['day', 'days'],
  h: ['hour', 'hours'],
  min: ['minute', 'minutes'],
  s: ['second', 'seconds'],
};

/**
 * A declared unit as shown beside a value or an axis: time codes in words (plural), others as declared.
 *
 * @example
 * unitLabel('a') // 'years'
 * unitLabel('Gy') // 'Gy'
 */
export function unitLabel(unit: string): string {
  return TIME_UNITS[unit]?.[1] ?? unit;
}

/**
 * "per <one unit>", for densities: "per year", "per Gy".
 *
 * @example
 * perUnit('a') // 'per year'
 */
export function perUnit(unit: string): string {
  return `per ${TIME_UNITS[unit]?.[0] ?? unit}`;
}
