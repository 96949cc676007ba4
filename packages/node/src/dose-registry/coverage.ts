import {
  DEFAULT_EXAM_RULES,
  type ExamCoverage,
  type ExamRule,
  examInputFromReport,
  examMappingCoverage,
} from '@fedhub/dicom';
import { readStoredRules, readStudies, registryPaths } from './registry-store.js';

/**
 * Exam mapping coverage of a registry folder: how many stored studies map to each standard exam, and which study
 * descriptions no rule maps, with counts (most frequent first). Uses `rules` when given, else the rules the
 * registry was last written with, else `DEFAULT_EXAM_RULES`.
 */
export async function doseCoverageReport(
  registryDir: string,
  rules?: readonly ExamRule[],
): Promise<ExamCoverage> {
  const p = registryPaths(registryDir);
  const used = rules ?? (await readStoredRules(p)) ?? DEFAULT_EXAM_RULES;
  const studies = await readStudies(p);
  return examMappingCoverage(
    [...studies.values()].map((s) => examInputFromReport(s.report)),
    used,
  );
}
