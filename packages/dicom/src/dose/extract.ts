import { DOSE_CONCEPTS } from './codes.js';
import { DOSE_ERROR_CODES, DoseError } from './errors.js';
import { type CtImageDose, readCtImageDose, reportsFromCtImages } from './extract-ct-header.js';
import { ESR_SOP_CLASS, extractFromSr, RDSR_SOP_CLASS } from './extract-sr.js';
import { extractFromDosePage, isDosePage } from './extract-vendor-page.js';
import { mergeDoseReports } from './merge.js';
import { type ParsedDicom, parseDicom, str } from './read-dicom.js';
import { findAll, rootNode } from './sr-tree.js';
import type { DoseReport } from './types.js';

/** SR storage classes that can carry TID 10011 besides the dedicated RDSR class. */
const OTHER_SR_CLASSES = new Set([
  ESR_SOP_CLASS,
  '1.2.840.10008.5.1.4.1.1.88.33', // Comprehensive SR
  '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR
]);
const CT_IMAGE_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1']);

/** What kind of dose object a DICOM file is. */
export type DoseObjectKind = 'rdsr' | 'esr' | 'vendor-dose-page' | 'ct-image';

/** Classify a parsed object, or throw `FH_ERR_DOSE_NOT_DOSE_OBJECT` naming the file and its SOP class. */
function classify(p: ParsedDicom, label: string): DoseObjectKind {
  const cls = str(p.ds, 'SOPClassUID');
  if (cls === RDSR_SOP_CLASS || (cls !== null && OTHER_SR_CLASSES.has(cls))) {
    if (findAll(rootNode(p.ds), DOSE_CONCEPTS.ctAcquisition).length === 0 && !hasCtAccumulated(p)) {
      throw new DoseError(
        DOSE_ERROR_CODES.notDoseObject,
        `SR (SOP class ${cls}) holds no CT dose content (no CT Acquisition DCM 113819 / CT Accumulated Dose Data DCM 113811)`,
        label,
      );
    }
    return cls === RDSR_SOP_CLASS ? 'rdsr' : 'esr';
  }
  if (isDosePage(p.ds)) return 'vendor-dose-page';
  if (cls !== null && CT_IMAGE_CLASSES.has(cls)) return 'ct-image';
  throw new DoseError(
    DOSE_ERROR_CODES.notDoseObject,
    `not a CT dose object: SOP class ${cls ?? '(missing)'} is neither a dose SR, a dose page nor a CT image`,
    label,
  );
}

function hasCtAccumulated(p: ParsedDicom): boolean {
  return findAll(rootNode(p.ds), DOSE_CONCEPTS.ctAccumulatedDoseData).length > 0;
}

/** Options of {@link extractDoseReport}. */
export interface ExtractOptions {
  /** File name or label recorded in provenance and error messages. */
  file?: string;
}

/**
 * Extract the dose report held in one DICOM file: a CT Radiation Dose SR (RDSR or Enhanced SR, TID 10011), a
 * vendor dose page, or a single CT image (header fallback, CTDIvol only). Throws {@link DoseError} with
 * `FH_ERR_DOSE_UNREADABLE` or `FH_ERR_DOSE_NOT_DOSE_OBJECT`.
 */
export function extractDoseReport(data: Uint8Array, opts: ExtractOptions = {}): DoseReport {
  const label = opts.file ?? '(buffer)';
  const p = parseDicom(data, label);
  const kind = classify(p, label);
  const file = opts.file ?? null;
  if (kind === 'rdsr' || kind === 'esr') return extractFromSr(p, file, kind);
  if (kind === 'vendor-dose-page') return extractFromDosePage(p, file);
  return reportsFromCtImages([readCtImageDose(p, file)])[0] as DoseReport;
}

/** One input file of {@link extractStudyDoses}. */
export interface DoseInputFile {
  name: string;
  data: Uint8Array;
}

/** Result of {@link extractStudyDoses}: one merged report per study, and the files that were not usable. */
export interface StudyDoseExtraction {
  reports: DoseReport[];
  skipped: { file: string; code: string; reason: string }[];
}

/**
 * Extract and merge the dose information of many files (any order, any mix of studies): dose SRs and dose pages
 * become reports, CT images are grouped per study, series and acquisition as the fallback, then
 * {@link mergeDoseReports} gives one report per study. Unreadable or non-dose files are listed in `skipped`.
 */
export function extractStudyDoses(files: readonly DoseInputFile[]): StudyDoseExtraction {
  const reports: DoseReport[] = [];
  const images: CtImageDose[] = [];
  const skipped: StudyDoseExtraction['skipped'] = [];
  for (const f of files) {
    try {
      const p = parseDicom(f.data, f.name);
      const kind = classify(p, f.name);
      if (kind === 'ct-image') images.push(readCtImageDose(p, f.name));
      else if (kind === 'vendor-dose-page') reports.push(extractFromDosePage(p, f.name));
      else reports.push(extractFromSr(p, f.name, kind));
    } catch (err) {
      if (!(err instanceof DoseError)) throw err;
      skipped.push({ file: f.name, code: err.code, reason: err.message });
    }
  }
  reports.push(...reportsFromCtImages(images));
  return { reports: mergeDoseReports(reports), skipped };
}
