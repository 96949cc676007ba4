/**
 * Synthetic CT dose records (one row per examination) that differ by centre, for the dose-monitoring demo:
 * CTDIvol and DLP log-normal around typical European values, per standard exam and phantom.
 */
import type { ColumnSpec } from '@fedhub/protocol';
import type { CohortRow } from './cohort.js';
import { SeededRandom } from './random.js';

/** Typical adult CTDIvol (mGy) and scan length (cm) per exam, with the CTDI phantom (16 cm head, 32 cm body). */
const EXAMS = [
  { exam: 'head', phantom: '16', ctdi: 55, length: 15, share: 0.3 },
  { exam: 'chest', phantom: '32', ctdi: 9, length: 33, share: 0.25 },
  { exam: 'abdomen-pelvis', phantom: '32', ctdi: 13, length: 45, share: 0.25 },
  { exam: 'chest-abdomen-pelvis', phantom: '32', ctdi: 12, length: 65, share: 0.15 },
  { exam: 'ctpa', phantom: '32', ctdi: 10, length: 30, share: 0.05 },
] as const;

export const DOSE_DICTIONARY: ColumnSpec[] = [
  { name: 'exam_id', type: 'categorical', identifier: true },
  { name: 'exam', type: 'categorical', levels: EXAMS.map((e) => e.exam) },
  { name: 'phantom', type: 'categorical', levels: ['16', '32'], description: 'CTDI phantom diameter (cm)' },
  { name: 'age', type: 'numeric', unit: 'a', min: 0, max: 110 },
  { name: 'sex', type: 'categorical', levels: ['F', 'M'] },
  { name: 'ctdivol_mgy', type: 'numeric', unit: 'mGy', min: 0, max: 500 },
  { name: 'dlp_mgycm', type: 'numeric', unit: 'mGy.cm', min: 0, max: 20000 },
];

/** `n` adult CT examinations at a centre whose doses are `doseFactor` times the typical values. */
export function generateDoseRecords(
  n: number,
  seed: number,
  doseFactor: number,
  idPrefix = 'E',
): CohortRow[] {
  const rnd = new SeededRandom(seed);
  const rows: CohortRow[] = [];
  for (let i = 0; i < n; i++) {
    const e = EXAMS[rnd.pick(EXAMS.map((x) => x.share))]!;
    const ctdi = e.ctdi * doseFactor * Math.exp(rnd.normal(0, 0.25));
    const length = e.length * Math.exp(rnd.normal(0, 0.1));
    rows.push({
      exam_id: `${idPrefix}-${String(i + 1).padStart(7, '0')}`,
      exam: e.exam,
      phantom: e.phantom,
      age: Math.round(Math.min(100, Math.max(18, rnd.normal(62, 15)))),
      sex: rnd.bernoulli(0.5) ? 'F' : 'M',
      ctdivol_mgy: Math.round(ctdi * 100) / 100,
      dlp_mgycm: Math.round(ctdi * length * 10) / 10,
    });
  }
  return rows;
}
