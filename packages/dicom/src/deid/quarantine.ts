import { stringValue } from '../parser/read.js';
import type { DicomDataset } from '../parser/types.js';
import type { DeidOptions } from './options.js';

/** Why a file was quarantined (kept out of the de-identified output for a human to review). */
export const QUARANTINE_CODES = {
  burnedIn: 'FH_QUAR_BURNED_IN_ANNOTATION',
  sopClass: 'FH_QUAR_SOP_CLASS',
} as const;

/** One of the quarantine codes. */
export type QuarantineCode = (typeof QUARANTINE_CODES)[keyof typeof QUARANTINE_CODES];

/**
 * SOP classes that often carry burned-in identifying text or whole documents and are quarantined by default:
 * Secondary Capture (all), Ultrasound (single/multi-frame, retired too), Encapsulated PDF/CDA/STL/OBJ/MTL,
 * and VL photographic/scanned-document-like images.
 */
export const QUARANTINED_SOP_CLASSES: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.7': 'Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.1': 'Multi-frame Single Bit Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.2': 'Multi-frame Grayscale Byte Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.3': 'Multi-frame Grayscale Word Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.7.4': 'Multi-frame True Color Secondary Capture Image',
  '1.2.840.10008.5.1.4.1.1.6.1': 'Ultrasound Image',
  '1.2.840.10008.5.1.4.1.1.6.2': 'Enhanced US Volume',
  '1.2.840.10008.5.1.4.1.1.6': 'Ultrasound Image (Retired)',
  '1.2.840.10008.5.1.4.1.1.3.1': 'Ultrasound Multi-frame Image',
  '1.2.840.10008.5.1.4.1.1.3': 'Ultrasound Multi-frame Image (Retired)',
  '1.2.840.10008.5.1.4.1.1.104.1': 'Encapsulated PDF',
  '1.2.840.10008.5.1.4.1.1.104.2': 'Encapsulated CDA',
  '1.2.840.10008.5.1.4.1.1.104.3': 'Encapsulated STL',
  '1.2.840.10008.5.1.4.1.1.104.4': 'Encapsulated OBJ',
  '1.2.840.10008.5.1.4.1.1.104.5': 'Encapsulated MTL',
  '1.2.840.10008.5.1.4.1.1.77.1.4': 'VL Photographic Image',
};

/** A quarantine decision. */
export interface QuarantineReason {
  readonly code: QuarantineCode;
  readonly reason: string;
}

/** Returns why `ds` must be quarantined under `options`, or null if it may be de-identified. */
export function quarantineReason(ds: DicomDataset, options: DeidOptions): QuarantineReason | null {
  const burned = ds.find((e) => e.tag === 0x00280301);
  if (
    burned &&
    stringValue(burned.value).trim().toUpperCase() === 'YES' &&
    !options.allowBurnedInAnnotation
  ) {
    return { code: QUARANTINE_CODES.burnedIn, reason: 'Burned In Annotation (0028,0301) is YES' };
  }
  const sop = stringValue(ds.find((e) => e.tag === 0x00080016)?.value).trim();
  const name = QUARANTINED_SOP_CLASSES[sop];
  if (name !== undefined && !options.allowSopClasses.includes(sop)) {
    return {
      code: QUARANTINE_CODES.sopClass,
      reason: `SOP Class ${name} (${sop}) may hold burned-in identifying data`,
    };
  }
  return null;
}
