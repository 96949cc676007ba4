import { mkdir, readFile, stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import {
  DEFAULT_EXAM_RULES,
  type DoseReport,
  type ExamCoverage,
  type ExamRule,
  examInputFromReport,
  examMappingCoverage,
  mergeDoseReports,
} from '@fedhub/dicom';
import { FedhubError } from '@fedhub/protocol';
import { stringify as toYaml } from 'yaml';
import type { ResolvedDataset } from '../config.js';
import { type ExtractProgress, extractDoseFiles } from './extract-files.js';
import {
  type DoseRegistryFileRow,
  examIdOf,
  registryCsv,
  registryDictionaryColumns,
  rowsOfStudy,
  type StudyRowOutcome,
  studyKeyOf,
} from './registry-rows.js';
import {
  DOSE_REGISTRY_DATASET,
  type DoseRegistryPaths,
  parseRulesText,
  readStudies,
  registryPaths,
  type StoredStudy,
  studyJson,
  writeAtomic,
  writeStudy,
} from './registry-store.js';
import { listInputFiles } from './walk-files.js';

/** Options of {@link importDoseFolder}. */
export interface ImportDoseOptions {
  /** Site exam rules: parsed rules, or the path of a rules file (JSON). Default `DEFAULT_EXAM_RULES`. */
  rules?: readonly ExamRule[] | string;
  /** Called after each file is read. */
  onProgress?: (p: ExtractProgress) => void;
}

/** What an import did to one study. */
export type StudyImportStatus = 'added' | 'updated' | 'unchanged';

/** One study touched by an import. */
export interface ImportedStudy {
  /** Pseudonymous exam id (also the registry file rows' `exam_id`). */
  examId: string;
  status: StudyImportStatus;
  /** Standard exam, or null when the rules map it to none. */
  exam: string | null;
  /** Whether the study gave registry rows, or why not. */
  outcome: StudyRowOutcome;
  /** Unique irradiation events of the merged study. */
  events: number;
  /** Sum of the unique events' DLP in mGy.cm. */
  dlpTotalMGyCm: number;
  source: DoseReport['source'];
}

/** Result of {@link importDoseFolder}. */
export interface DoseImportResult {
  registry: DoseRegistryPaths;
  /** Files read under the folder. */
  files: number;
  /** Files that hold no usable dose object, with the reason. */
  skipped: { file: string; code: string; reason: string }[];
  /** Studies found in this import, sorted by exam id. */
  studies: ImportedStudy[];
  /** Studies in the whole registry after the import. */
  totalStudies: number;
  /** Rows in the registry file after the import (one per exam and phantom). */
  rows: number;
  /** Exam mapping coverage over the whole registry. */
  coverage: ExamCoverage;
  /** The dataset declaration for the node configuration (`datasets:` entry). */
  dataset: ResolvedDataset;
}

async function resolveRules(rules: ImportDoseOptions['rules']): Promise<readonly ExamRule[]> {
  if (rules === undefined) return DEFAULT_EXAM_RULES;
  if (typeof rules !== 'string') return rules;
  let text: string;
  try {
    text = await readFile(rules, 'utf8');
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `cannot read rules file ${rules}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseRulesText(text, rules);
}

/**
 * Import every DICOM dose object under `folder` into the node-local dose registry `registryDir`.
 *
 * Dose SRs, vendor dose pages and CT image headers are extracted and merged per Study Instance UID with the
 * studies already in the registry, events deduplicated by Irradiation Event UID, so cumulative and continued
 * reports give each study's unique events and importing the same files again changes nothing. Each study is
 * mapped to a standard exam with the site rules, and the registry file `ct_dose.csv` (one row per exam and CTDI
 * phantom: exam_id, exam, phantom, age, sex, weight_kg, ctdivol_mgy, dlp_mgycm, study_date, source) and its data
 * dictionary are rewritten from all stored studies, ready to be served as the `ct_dose` dataset to `drl-survey`.
 * Studies the rules do not map, or without a phantom, stay stored but give no rows (see `coverage`).
 * Throws `FH_ERR_VALIDATION` for a missing folder, a bad rules file or a damaged registry.
 */
export async function importDoseFolder(
  folder: string,
  registryDir: string,
  opts: ImportDoseOptions = {},
): Promise<DoseImportResult> {
  const root = resolve(folder);
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new FedhubError('FH_ERR_VALIDATION', `${folder} is not a folder`);
  const rules = await resolveRules(opts.rules);
  const paths = registryPaths(resolve(registryDir));
  await mkdir(paths.dir, { recursive: true });
  const stored = await readStudies(paths);

  const files = await listInputFiles([root]);
  const extraction = await extractDoseFiles(files, {
    label: (p) => relative(root, p),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });

  const touched: { examId: string; status: StudyImportStatus }[] = [];
  for (const report of extraction.reports) {
    const studyKey = studyKeyOf(report);
    if (studyKey === null) {
      extraction.skipped.push({
        file: report.files.join(', '),
        code: 'FH_ERR_DOSE_BAD_INPUT',
        reason: 'dose report has neither a Study Instance UID nor a SOP Instance UID',
      });
      continue;
    }
    const examId = examIdOf(studyKey);
    const prior = stored.get(examId);
    const merged = mergeDoseReports(prior ? [prior.report, report] : [report])[0] as DoseReport;
    const next: StoredStudy = { studyKey, report: merged };
    const text = studyJson(next);
    const status: StudyImportStatus = !prior ? 'added' : studyJson(prior) === text ? 'unchanged' : 'updated';
    if (status !== 'unchanged') await writeStudy(paths, examId, text);
    stored.set(examId, next);
    touched.push({ examId, status });
  }

  const rows: DoseRegistryFileRow[] = [];
  const outcomes = new Map<string, { exam: string | null; outcome: StudyRowOutcome }>();
  for (const [examId, s] of stored) {
    const r = rowsOfStudy(s.report, rules);
    rows.push(...r.rows);
    outcomes.set(examId, { exam: r.exam, outcome: r.outcome });
  }
  await writeAtomic(paths.csv, registryCsv(rows));
  await writeAtomic(paths.dictionary, dictionaryYaml());
  await writeAtomic(paths.rules, `${JSON.stringify({ version: 1, rules }, null, 2)}\n`);

  const studies = touched
    .map(({ examId, status }): ImportedStudy => {
      const report = (stored.get(examId) as StoredStudy).report;
      const o = outcomes.get(examId) as { exam: string | null; outcome: StudyRowOutcome };
      return {
        examId,
        status,
        exam: o.exam,
        outcome: o.outcome,
        events: report.events.length,
        dlpTotalMGyCm: report.totals.eventDlpSumMGyCm,
        source: report.source,
      };
    })
    .sort((a, b) => a.examId.localeCompare(b.examId));
  return {
    registry: paths,
    files: files.length,
    skipped: extraction.skipped,
    studies,
    totalStudies: stored.size,
    rows: rows.length,
    coverage: examMappingCoverage(
      [...stored.values()].map((s) => examInputFromReport(s.report)),
      rules,
    ),
    dataset: registryDataset(paths),
  };
}

function dictionaryYaml(): string {
  return toYaml({
    description: 'CT dose registry: one row per exam and CTDI phantom (fedhub dose import)',
    columns: registryDictionaryColumns(),
  });
}

/** The node's dataset declaration of a registry folder: the CSV file, its dictionary columns, reject on invalid. */
export function registryDataset(p: DoseRegistryPaths, name: string = DOSE_REGISTRY_DATASET): ResolvedDataset {
  return {
    name,
    description: 'CT dose registry: one row per exam and CTDI phantom',
    file: p.csv,
    format: 'csv',
    columns: registryDictionaryColumns(),
    onInvalid: 'reject',
  };
}
