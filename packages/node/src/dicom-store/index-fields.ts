import { extractDoseReport } from '@fedhub/dicom';
import dcmjs, { type DcmjsDict } from 'dcmjs';
import { DOSE_REPORT_SOP_CLASSES } from './storage-classes.js';

/** What the index records of a de-identified file besides its UIDs. */
export interface IndexFields {
  readonly modality: string | null;
  readonly studyDate: string | null;
  readonly seriesDescription: string | null;
  readonly doseReport: boolean;
}

function text(d: DcmjsDict, tag: string): string | null {
  const v = d[tag]?.Value?.[0];
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/**
 * Reads the indexed attributes of a de-identified file (our own writer's output, so well formed), stopping
 * before Pixel Data. SR objects count as dose reports when they hold CT dose content (an RDSR, or an
 * Enhanced/Comprehensive SR with TID 10011) or are of a dose SR class.
 */
export function indexFields(file: Uint8Array, sopClassUid: string): IndexFields {
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const { dict } = dcmjs.data.DicomMessage.readFile(ab, {
    untilTag: '7FE00010',
    includeUntilTagValue: false,
  });
  let doseReport = DOSE_REPORT_SOP_CLASSES.has(sopClassUid);
  if (!doseReport && sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.88.')) {
    try {
      const r = extractDoseReport(file);
      doseReport = r.source === 'rdsr' || r.source === 'esr';
    } catch {
      doseReport = false; // an SR without dose content
    }
  }
  return {
    modality: text(dict, '00080060'),
    studyDate: text(dict, '00080020'),
    seriesDescription: text(dict, '0008103E'),
    doseReport,
  };
}
