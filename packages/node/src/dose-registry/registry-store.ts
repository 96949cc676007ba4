import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CT_DOSE_DATASET, type DoseReport, type ExamRule, parseExamRules } from '@fedhub/dicom';
import { FedhubError } from '@fedhub/protocol';

/** Dataset name under which the node serves the registry file. */
export const DOSE_REGISTRY_DATASET = CT_DOSE_DATASET;

/** The files of a registry folder. */
export interface DoseRegistryPaths {
  dir: string;
  /** One merged dose report per study: `studies/<exam_id>.json`. */
  studies: string;
  /** The exam rules the registry file was last written with (rules-file JSON, version 1). */
  rules: string;
  /** The registry file the node serves (CSV, one row per exam and phantom). */
  csv: string;
  /** Its data dictionary (YAML). */
  dictionary: string;
}

/** Paths of the registry folder `dir`. */
export function registryPaths(dir: string): DoseRegistryPaths {
  return {
    dir,
    studies: join(dir, 'studies'),
    rules: join(dir, 'exam-rules.json'),
    csv: join(dir, `${DOSE_REGISTRY_DATASET}.csv`),
    dictionary: join(dir, `${DOSE_REGISTRY_DATASET}.dictionary.yaml`),
  };
}

/** One stored study: its key (Study Instance UID) and its merged dose report. */
export interface StoredStudy {
  studyKey: string;
  report: DoseReport;
}

/**
 * Every stored study of a registry, keyed by exam id (file name). An empty map when the folder has none yet.
 * Throws `FH_ERR_VALIDATION` naming a study file that is not a stored study (hand-edited or truncated).
 */
export async function readStudies(p: DoseRegistryPaths): Promise<Map<string, StoredStudy>> {
  const out = new Map<string, StoredStudy>();
  if (!existsSync(p.studies)) return out;
  const names = (await readdir(p.studies)).filter((n) => n.endsWith('.json')).sort();
  for (const name of names) {
    const file = join(p.studies, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `registry study file ${file} is not JSON: ${(err as Error).message}`,
      );
    }
    const s = parsed as Partial<StoredStudy>;
    if (typeof s?.studyKey !== 'string' || typeof s.report !== 'object' || !Array.isArray(s.report?.events))
      throw new FedhubError('FH_ERR_VALIDATION', `registry study file ${file} holds no studyKey and report`);
    out.set(name.slice(0, -'.json'.length), s as StoredStudy);
  }
  return out;
}

/** JSON text of a stored study (stable for equal studies, so unchanged studies are recognised and not rewritten). */
export function studyJson(s: StoredStudy): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

/** Write a file through a temporary name and a rename, so a crash never leaves half a registry file. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/** Write one study's JSON under its exam id. */
export async function writeStudy(p: DoseRegistryPaths, examId: string, text: string): Promise<void> {
  await mkdir(p.studies, { recursive: true });
  await writeAtomic(join(p.studies, `${examId}.json`), text);
}

/** The rules the registry was last written with, or null when none were stored. */
export async function readStoredRules(p: DoseRegistryPaths): Promise<ExamRule[] | null> {
  if (!existsSync(p.rules)) return null;
  return parseRulesText(await readFile(p.rules, 'utf8'), p.rules);
}

/**
 * Parse the text of a rules file (JSON, `{ version: 1, rules: [...] }`). Throws `FH_ERR_VALIDATION` naming the file
 * and, for a bad rule, the offending path (`rules[3].pattern`).
 */
export function parseRulesText(text: string, where: string): ExamRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FedhubError('FH_ERR_VALIDATION', `rules file ${where} is not JSON: ${(err as Error).message}`);
  }
  try {
    return parseExamRules(raw);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new FedhubError('FH_ERR_VALIDATION', `rules file ${where}: ${(err as Error).message}`, { code });
  }
}
