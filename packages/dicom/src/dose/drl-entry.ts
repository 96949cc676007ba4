/**
 * The DRL survey arithmetic on its own (`@fedhub/dicom/drl`): what the `drl-survey` algorithm needs, without
 * the DICOM readers (dcmjs) that the package's other entry loads.
 */

export { CT_DOSE_DATASET, CT_DOSE_SOURCES, ctDoseColumns } from './ct-dose-dataset.js';
export {
  combineDrlSurvey,
  compareStrata,
  DEFAULT_MIN_N,
  type DrlQuantity,
  type DrlStratum,
  type DrlSurvey,
  type ExcludedStratum,
  type FacilityComparison,
  type FacilityRelease,
  type FacilitySummaryOptions,
  facilityDoseSummary,
  type ReleasedStratum,
  type SurveyDrl,
} from './drl.js';
export {
  DRL_REFERENCE_TABLE,
  DRL_REFERENCE_TABLE_VERSION,
  type DrlReferenceRow,
} from './drl-reference-table.js';
export type { DoseRegistryRow } from './exam-dose.js';
export { PATIENT_GROUPS, type PatientGroup } from './patient-groups.js';
export { quantileType7 } from './quantile.js';
