/**
 * Synthetic radiotherapy cohorts that differ by centre: age, sex, stage, BMI, prescribed dose, fractions,
 * grade >= 2 toxicity (logistic in dose and age), overall survival (exponential hazard in age, stage and
 * dose, with administrative censoring), and CT dose records. Deterministic for a given seed.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import { SeededRandom } from './random.js';

export interface CentreProfile {
  /** Short name of the hospital. */
  name: string;
  ageMean: number;
  ageSd: number;
  /** Proportions of stage I..IV. */
  stageWeights: [number, number, number, number];
  doseMean: number;
  femaleShare: number;
  /** Log-odds shift of toxicity (practice differences between centres). */
  toxicityShift: number;
  /** Fraction of BMI values missing. */
  bmiMissing: number;
}

/** Three centres with deliberately different case mixes. */
export const DEMO_CENTRES: readonly CentreProfile[] = [
  {
    name: 'Hospital A',
    ageMean: 64,
    ageSd: 9,
    stageWeights: [0.3, 0.3, 0.25, 0.15],
    doseMean: 60,
    femaleShare: 0.45,
    toxicityShift: 0,
    bmiMissing: 0.02,
  },
  {
    name: 'Hospital B',
    ageMean: 68,
    ageSd: 10,
    stageWeights: [0.2, 0.3, 0.3, 0.2],
    doseMean: 64,
    femaleShare: 0.5,
    toxicityShift: 0.3,
    bmiMissing: 0.05,
  },
  {
    name: 'Hospital C',
    ageMean: 59,
    ageSd: 11,
    stageWeights: [0.35, 0.35, 0.2, 0.1],
    doseMean: 56,
    femaleShare: 0.4,
    toxicityShift: -0.2,
    bmiMissing: 0,
  },
];

export const STAGES = ['I', 'II', 'III', 'IV'] as const;

/** The data dictionary of a cohort file. */
export const COHORT_DICTIONARY: ColumnSpec[] = [
  { name: 'patient_id', type: 'categorical', identifier: true, description: 'Pseudonymous patient key' },
  { name: 'age', type: 'numeric', unit: 'a', min: 18, max: 100, description: 'Age at start of radiotherapy' },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'stage', type: 'categorical', levels: [...STAGES], description: 'Tumour stage' },
  { name: 'bmi', type: 'numeric', unit: 'kg/m2', min: 12, max: 60 },
  { name: 'dose_gy', type: 'numeric', unit: 'Gy', min: 20, max: 90, description: 'Prescribed dose' },
  { name: 'fractions', type: 'integer', min: 1, max: 45 },
  { name: 'toxicity', type: 'integer', min: 0, max: 1, description: 'Grade >= 2 toxicity (1 = yes)' },
  { name: 'months', type: 'numeric', unit: 'mo', min: 0, max: 240, description: 'Follow-up time' },
  { name: 'dead', type: 'integer', min: 0, max: 1, description: 'Death during follow-up (1 = yes)' },
];

export type CohortRow = Record<string, number | string | null>;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** `n` patients of one centre. Patient keys are `<prefix>-<number>`. */
export function generateCohort(profile: CentreProfile, n: number, seed: number, idPrefix = 'P'): CohortRow[] {
  const rnd = new SeededRandom(seed);
  const rows: CohortRow[] = [];
  for (let i = 0; i < n; i++) {
    const age = round(clamp(rnd.normal(profile.ageMean, profile.ageSd), 18, 100), 1);
    const sex = rnd.bernoulli(profile.femaleShare) ? 'F' : 'M';
    const stageIdx = rnd.pick(profile.stageWeights);
    const bmi = rnd.bernoulli(profile.bmiMissing) ? null : round(clamp(rnd.normal(26, 4.5), 12, 60), 1);
    const dose = round(clamp(rnd.normal(profile.doseMean + 2 * stageIdx, 4), 20, 90), 1);
    const fractions = Math.round(clamp(dose / 2, 1, 45));
    const eta = -9 + 0.12 * dose + 0.02 * (age - 60) + (sex === 'F' ? 0.25 : 0) + profile.toxicityShift;
    const toxicity = rnd.bernoulli(1 / (1 + Math.exp(-eta))) ? 1 : 0;
    const hazard =
      0.01 * Math.exp(0.03 * (age - 60) + 0.45 * stageIdx - 0.01 * (dose - 60) + (sex === 'M' ? 0.15 : 0));
    const eventTime = rnd.exponential(hazard);
    const censorTime = 6 + rnd.next() * 114;
    const months = round(Math.min(eventTime, censorTime, 240), 2);
    const dead = eventTime <= censorTime ? 1 : 0;
    rows.push({
      patient_id: `${idPrefix}-${String(i + 1).padStart(6, '0')}`,
      age,
      sex,
      stage: STAGES[stageIdx]!,
      bmi,
      dose_gy: dose,
      fractions,
      toxicity,
      months,
      dead,
    });
  }
  return rows;
}

function csvCell(v: number | string | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as CSV text with a header line (missing values as empty cells). */
export function toCsv(rows: CohortRow[], columns?: string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const lines = [cols.join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}
