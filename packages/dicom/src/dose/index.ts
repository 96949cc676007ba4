/**
 * CT dose: extraction from CT Radiation Dose SRs (TID 10011, RDSR and Enhanced SR), vendor dose pages and CT
 * image headers; merging of cumulative/continued reports; mapping to a standard exam vocabulary; DRL math for
 * a federated survey (node half `facilityDoseSummary`, aggregator half `combineDrlSurvey`); HTML/CSV output.
 * Units everywhere: CTDIvol and SSDE in mGy, DLP in mGy.cm, lengths and diameters in mm.
 */
export { type ConceptKey, codeMatches, codeString, DOSE_CONCEPTS } from './codes.js';
export { CT_DOSE_DATASET, CT_DOSE_SOURCES, ctDoseColumns } from './ct-dose-dataset.js';
export { DRL_CSV_COLUMNS, drlSurveyCsv } from './dose-csv.js';
export { type DrlHtmlOptions, renderDrlSurveyHtml } from './dose-report-html.js';
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
export { DOSE_ERROR_CODES, DoseError, type DoseErrorCode } from './errors.js';
export { type DoseRegistryRow, examDoseFromReport, isLocalizer, type PhantomDose } from './exam-dose.js';
export {
  DEFAULT_EXAM_RULES,
  type ExamCoverage,
  type ExamMappingInput,
  type ExamMatch,
  type ExamRule,
  type ExamRuleField,
  type ExamRulesFile,
  examInputFromReport,
  examMappingCoverage,
  mapExam,
  parseExamRules,
} from './exam-mapping.js';
export { EXAM_RULES_JSON_SCHEMA } from './exam-rules-schema.js';
export { EXAM_IDS, EXAM_VOCABULARY, type StandardExam } from './exam-vocabulary.js';
export {
  type DoseInputFile,
  type DoseObjectKind,
  type ExtractOptions,
  extractDoseReport,
  extractStudyDoses,
  type StudyDoseExtraction,
} from './extract.js';
export { ESR_SOP_CLASS, RDSR_SOP_CLASS } from './extract-sr.js';
export { mergeDoseReports } from './merge.js';
export {
  ADULT_MIN_AGE_YEARS,
  PAEDIATRIC_AGE_BANDS,
  PAEDIATRIC_WEIGHT_BANDS,
  PATIENT_GROUPS,
  type PatientGroup,
  patientGroupLabel,
  patientGroupsOf,
} from './patient-groups.js';
export { median, quantileType7, type SampleSummary, summarise } from './quantile.js';
export type {
  CodedConcept,
  CtdiPhantom,
  DoseDevice,
  DosePatient,
  DoseReport,
  DoseSource,
  DoseTotals,
  EventField,
  IrradiationEvent,
  Provenance,
} from './types.js';
export { type DoseUnitKind, toCanonical, unitFactor } from './units.js';
