import { createHash } from 'node:crypto';
import {
  ctDoseColumns,
  type DoseReport,
  type ExamRule,
  examDoseFromReport,
  examInputFromReport,
  mapExam,
} from '@fedhub/dicom';
import type { ColumnSpec } from '@fedhub/protocol';

/** Column names of the registry file, in order (those of `ctDoseColumns()`: checked by its test). */
export const DOSE_REGISTRY_COLUMNS = [
  'exam_id',
  'exam',
  'phantom',
  'age',
  'sex',
  'weight_kg',
  'ctdivol_mgy',
  'dlp_mgycm',
  'study_date',
  'source',
] as const;

/** One row of the registry file: one exam (study) and one CTDI phantom. */
export interface DoseRegistryFileRow {
  /** Pseudonymous exam key: the first 16 hex digits of sha256(Study Instance UID). */
  exam_id: string;
  /** Standard exam id (exam vocabulary). */
  exam: string;
  /** CTDI phantom: `head16` (16 cm) or `body32` (32 cm). */
  phantom: 'head16' | 'body32';
  /** Age in years. */
  age: number | null;
  sex: 'F' | 'M' | 'O' | null;
  /** Weight in kg. */
  weight_kg: number | null;
  /** Per-exam CTDIvol in mGy (mean over the exam's non-localizer events on this phantom). */
  ctdivol_mgy: number | null;
  /** Per-exam DLP in mGy.cm (sum over the exam's events on this phantom). */
  dlp_mgycm: number | null;
  /** Study date, ISO `YYYY-MM-DD`. */
  study_date: string | null;
  /** Kind of report the values came from (rdsr, esr, vendor-dose-page, ct-header). */
  source: DoseReport['source'];
}

/** Where a study ended up when the registry file was written. */
export type StudyRowOutcome = 'rows' | 'unmapped' | 'no-phantom-dose';

/** Pseudonymous key of a study: sha256 of the Study Instance UID, first 16 hex digits (64 bits). */
export function examIdOf(studyKey: string): string {
  return createHash('sha256').update(studyKey).digest('hex').slice(0, 16);
}

/** The key a merged report is stored under: its Study Instance UID, else its first SOP Instance UID. */
export function studyKeyOf(r: DoseReport): string | null {
  return r.studyInstanceUid ?? r.sopInstanceUids[0] ?? null;
}

function isoDate(da: string | null): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da?.trim() ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/**
 * The registry rows of one merged study report, mapped to a standard exam with `rules`: one row per phantom
 * that has dose values (an exam with head and body events gives two rows). No rows when the exam is unmapped or
 * no event names a phantom; `outcome` says which.
 */
export function rowsOfStudy(
  report: DoseReport,
  rules: readonly ExamRule[],
): { rows: DoseRegistryFileRow[]; exam: string | null; outcome: StudyRowOutcome } {
  const key = studyKeyOf(report) ?? '';
  const { exam } = mapExam(examInputFromReport(report), rules);
  if (exam === null) return { rows: [], exam, outcome: 'unmapped' };
  const { doses } = examDoseFromReport(report);
  const rows: DoseRegistryFileRow[] = [];
  for (const phantom of ['head16', 'body32'] as const) {
    const d = doses[phantom];
    if (!d) continue;
    rows.push({
      exam_id: examIdOf(key),
      exam,
      phantom,
      age: report.patient.ageYears,
      sex: report.patient.sex,
      weight_kg: report.patient.weightKg,
      ctdivol_mgy: d.ctdivolMGy,
      dlp_mgycm: d.dlpMGyCm,
      study_date: isoDate(report.studyDate),
      source: report.source,
    });
  }
  return { rows, exam, outcome: rows.length ? 'rows' : 'no-phantom-dose' };
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV (header line, `\n` line ends, empty field for a missing value), sorted by exam_id then phantom. */
export function registryCsv(rows: readonly DoseRegistryFileRow[]): string {
  const sorted = [...rows].sort(
    (a, b) => a.exam_id.localeCompare(b.exam_id) || a.phantom.localeCompare(b.phantom),
  );
  const lines = [DOSE_REGISTRY_COLUMNS.join(',')];
  for (const r of sorted) lines.push(DOSE_REGISTRY_COLUMNS.map((c) => csvField(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** The data dictionary of the registry file: the one `ct_dose` declaration (`@fedhub/dicom`). */
export function registryDictionaryColumns(): ColumnSpec[] {
  return ctDoseColumns();
}
