/** Physical dimension of a dose-report quantity after normalisation. */
export type DoseUnitKind = 'mGy' | 'mGy.cm' | 'mm';

/** Gray prefixes, case-insensitive: vendors write `MGY` or `mgy` for milligray (megagray never occurs in CT). */
const GY_PREFIX_TO_MGY: Record<string, number> = { '': 1000, c: 10, m: 1, u: 0.001, µ: 0.001 };
const LENGTH_TO_MM: Record<string, number> = { mm: 1, cm: 10, m: 1000 };
const LENGTH_TO_CM: Record<string, number> = { mm: 0.1, cm: 1, m: 100 };

/**
 * Factor that converts a value in `unit` into the canonical unit of `kind` (mGy, mGy.cm or mm), or null when
 * the unit is not recognised. Accepts UCUM (`mGy.cm`, `cGy.cm`, `Gy.cm`, `mGy`, `uGy`, `mm`, `cm`, `m`) and
 * vendor spellings seen in real reports (`mGycm`, `mGy*cm`, `mGy cm`, `mGy·cm`, `MGY.CM`).
 */
export function unitFactor(kind: DoseUnitKind, unit: string | null | undefined): number | null {
  if (unit === null || unit === undefined) return null;
  const u = unit.trim().replace(/\s+/g, '').replace(/[*·×]/g, '.').toLowerCase();
  if (kind === 'mm') return LENGTH_TO_MM[u] ?? null;
  if (kind === 'mGy') {
    const m = /^([cmuµ]?)gy$/.exec(u);
    return m ? (GY_PREFIX_TO_MGY[m[1] as string] ?? null) : null;
  }
  const m = /^([cmuµ]?)gy\.?(mm|cm|m)$/.exec(u);
  if (!m) return null;
  const dose = GY_PREFIX_TO_MGY[m[1] as string];
  const len = LENGTH_TO_CM[m[2] as string];
  return dose === undefined || len === undefined ? null : dose * len;
}

/** Convert `value` in `unit` to the canonical unit of `kind`; null when the unit is unknown. */
export function toCanonical(
  kind: DoseUnitKind,
  value: number,
  unit: string | null | undefined,
): number | null {
  const f = unitFactor(kind, unit);
  return f === null ? null : roundNoise(value * f);
}

/** Round to 12 significant digits so that unit conversion and sums do not leave binary float noise. */
export function roundNoise(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(12));
}
