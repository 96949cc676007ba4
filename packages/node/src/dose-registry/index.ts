/**
 * Node-local CT dose registry: import a folder of DICOM dose objects, keep one merged report per study, and
 * write the `ct_dose` dataset (CSV + data dictionary) that `drl-survey` reads.
 */
export { doseCoverageReport } from './coverage.js';
export { type ExtractFilesOptions, type ExtractProgress, extractDoseFiles } from './extract-files.js';
export {
  type DoseImportResult,
  type ImportDoseOptions,
  type ImportedStudy,
  importDoseFolder,
  registryDataset,
  type StudyImportStatus,
} from './import-dose-folder.js';
export {
  DOSE_REGISTRY_COLUMNS,
  type DoseRegistryFileRow,
  examIdOf,
  registryCsv,
  registryDictionaryColumns,
  rowsOfStudy,
  type StudyRowOutcome,
} from './registry-rows.js';
export { DOSE_REGISTRY_DATASET, type DoseRegistryPaths, registryPaths } from './registry-store.js';
export { listInputFiles } from './walk-files.js';
