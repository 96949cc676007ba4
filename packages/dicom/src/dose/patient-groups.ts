/**
 * Patient groups for DRLs. Adults are 16 years and older. Children are grouped, as EU RP 185 (European
 * Guidelines on DRLs for Paediatric Imaging, 2018) recommends, by weight bands (preferred for body exams) and by
 * age bands (used for head exams); a paediatric exam is counted in both schemes when both attributes are known.
 */
export const PAEDIATRIC_WEIGHT_BANDS = [
  { id: 'paed-weight-0-5', label: '0 to <5 kg', minKg: 0, maxKg: 5 },
  { id: 'paed-weight-5-15', label: '5 to <15 kg', minKg: 5, maxKg: 15 },
  { id: 'paed-weight-15-30', label: '15 to <30 kg', minKg: 15, maxKg: 30 },
  { id: 'paed-weight-30-50', label: '30 to <50 kg', minKg: 30, maxKg: 50 },
  { id: 'paed-weight-50-80', label: '50 to <80 kg', minKg: 50, maxKg: 80 },
] as const;

/** Age bands in completed years (0 = under one year). */
export const PAEDIATRIC_AGE_BANDS = [
  { id: 'paed-age-0', label: '0 years (<1 y)', minYears: 0, maxYears: 1 },
  { id: 'paed-age-1-5', label: '1-5 years', minYears: 1, maxYears: 6 },
  { id: 'paed-age-6-10', label: '6-10 years', minYears: 6, maxYears: 11 },
  { id: 'paed-age-11-15', label: '11-15 years', minYears: 11, maxYears: 16 },
] as const;

/** Age (years) from which a patient counts as an adult. */
export const ADULT_MIN_AGE_YEARS = 16;

/** Identifier of a patient group: `adult` or one of the paediatric band ids. */
export type PatientGroup =
  | 'adult'
  | (typeof PAEDIATRIC_WEIGHT_BANDS)[number]['id']
  | (typeof PAEDIATRIC_AGE_BANDS)[number]['id'];

/** All patient groups in display order. */
export const PATIENT_GROUPS: readonly PatientGroup[] = [
  'adult',
  ...PAEDIATRIC_WEIGHT_BANDS.map((b) => b.id),
  ...PAEDIATRIC_AGE_BANDS.map((b) => b.id),
];

/** Human-readable label of a patient group. */
export function patientGroupLabel(g: PatientGroup): string {
  if (g === 'adult') return `adult (${ADULT_MIN_AGE_YEARS} y and over)`;
  const all: readonly { id: string; label: string }[] = [...PAEDIATRIC_WEIGHT_BANDS, ...PAEDIATRIC_AGE_BANDS];
  return `paediatric ${all.find((b) => b.id === g)?.label ?? g}`;
}

/**
 * The groups an exam belongs to, from age (years) and weight (kg). Returns [] when the age is unknown (an exam of
 * unknown age cannot be placed in a DRL group) or a child's weight is at or above 80 kg and age unknown.
 */
export function patientGroupsOf(ageYears: number | null, weightKg: number | null): PatientGroup[] {
  if (ageYears === null || !Number.isFinite(ageYears) || ageYears < 0) return [];
  if (ageYears >= ADULT_MIN_AGE_YEARS) return ['adult'];
  const out: PatientGroup[] = [];
  if (weightKg !== null && Number.isFinite(weightKg)) {
    const w = PAEDIATRIC_WEIGHT_BANDS.find((b) => weightKg >= b.minKg && weightKg < b.maxKg);
    if (w) out.push(w.id);
  }
  const years = Math.floor(ageYears);
  const a = PAEDIATRIC_AGE_BANDS.find((b) => years >= b.minYears && years < b.maxYears);
  if (a) out.push(a.id);
  return out;
}
