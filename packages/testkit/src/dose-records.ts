/**
 * Synthetic CT dose records (one row per examination) that differ by centre, for the dose-monitoring demo:
 * CTDIvol and DLP log-normal around typical European values, per standard exam and phantom. The rows are of
 * the one `ct_dose` dataset the node's dose registry writes (`ctDoseColumns()` of `@fedhub/dicom/drl`).
 */
import { ctDoseColumns } from '@fedhub/dicom/drl';
import type { ColumnSpec } from '@fedhub/protocol';
import type { CohortRow } from './cohort.js';
import { SeededRandom } from './random.js';

/** Typical adult CTDIvol (mGy) and scan length (cm) per exam, with the CTDI phantom (16 cm head, 32 cm body). */
const EXAMS = [
  { exam: 'head', phantom: 'head16', ctdi: 55, length: 15, share: 0.3 },
  { exam: 'chest', phantom: 'body32', ctdi: 9, length: 33, share: 0.25 },
  { exam: 'abdomen-pelvis', phantom: 'body32', ctdi: 13, length: 45, share: 0.25 },
  { exam: 'chest-abdomen-pelvis', phantom: 'body32', ctdi: 12, length: 65, share: 0.15 },
  { exam: 'ctpa', phantom: 'body32', ctdi: 10, length: 30, share: 0.05 },
] as const;

/** The `ct_dose` data dictionary (the registry's: one declaration). */
export const DOSE_DICTIONARY: ColumnSpec[] = ctDoseColumns();

/** `n` adult CT examinations at a centre whose doses are `doseFactor` times the typical values. */
export function generateDoseRecords(
  n: number,
  seed: number,
  doseFactor: number,
  idPrefix = 'E',
): CohortRow[] {
  const rnd = new SeededRandom(seed);
  // the columns the registry adds (weight, date, source) from a stream of their own: the exams, ages and
  // doses stay those of the same seed before these columns existed
  const more = new SeededRandom(seed + 0x5eed);
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
      weight_kg: Math.round(Math.min(160, Math.max(40, more.normal(77, 14)))),
      ctdivol_mgy: Math.round(ctdi * 100) / 100,
      dlp_mgycm: Math.round(ctdi * length * 10) / 10,
      study_date: new Date(Date.UTC(2025, 0, 1 + Math.floor(more.next() * 365))).toISOString().slice(0, 10),
      source: 'rdsr',
    });
  }
  return rows;
}
