/** RT Plan reader: the prescription (target dose, fractions) and the plan's frame of reference. */
import { fail, optNumber, optString, type RtDataset, sequence } from './parse.js';

export const RTPLAN_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.481.5', '1.2.840.10008.5.1.4.1.1.481.8']);

export interface RtPlan {
  readonly where: string;
  readonly sopInstanceUid: string | undefined;
  readonly frameOfReferenceUid: string | undefined;
  readonly label: string | undefined;
  /** Target Prescription Dose (Gy) of the first target dose reference that has one. */
  readonly prescriptionGy: number | undefined;
  /** Number of Fractions Planned of the first fraction group. */
  readonly fractions: number | undefined;
}

export function isRtPlan(d: RtDataset): boolean {
  return RTPLAN_CLASSES.has(optString(d, 'SOPClassUID') ?? '') || optString(d, 'Modality') === 'RTPLAN';
}

export function readRtPlan(d: RtDataset): RtPlan {
  if (!isRtPlan(d)) fail(d, `not an RT Plan (Modality ${optString(d, 'Modality') ?? 'absent'})`);
  let prescriptionGy: number | undefined;
  for (const r of sequence(d, 'DoseReferenceSequence')) {
    const t = optString(r, 'DoseReferenceType');
    const dose = optNumber(r, 'TargetPrescriptionDose');
    if (dose !== undefined && (t === undefined || t === 'TARGET')) {
      prescriptionGy = dose;
      break;
    }
  }
  const fg = sequence(d, 'FractionGroupSequence')[0];
  return {
    where: d.where,
    sopInstanceUid: optString(d, 'SOPInstanceUID'),
    frameOfReferenceUid: optString(d, 'FrameOfReferenceUID'),
    label: optString(d, 'RTPlanLabel'),
    prescriptionGy,
    fractions: fg ? optNumber(fg, 'NumberOfFractionsPlanned') : undefined,
  };
}
