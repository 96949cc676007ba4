/**
 * Writers of RT Dose, RT Structure Set and RT Plan Part 10 files (explicit VR little endian) over dcmjs,
 * for phantoms, tests and synthetic cohorts.
 */
import { randomBytes } from 'node:crypto';
import dcmjs from 'dcmjs';
import type { Vec3 } from './geometry.js';
import { RTDOSE_CLASS } from './rtdose.js';
import { RTSTRUCT_CLASS } from './rtstruct.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** A fresh UID under the 2.25 (UUID-derived) root. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

/** Encodes a naturalized dataset as a DICOM Part 10 file. */
export function encodeDicom(ds: Record<string, unknown>): Uint8Array {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: '2.25.80302813137786398554742050926734630921',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}

/** A number that fits a decimal string (DS, at most 16 characters). */
export function ds16(x: number): number {
  return Number(x.toFixed(Math.abs(x) >= 1e5 ? 2 : 6));
}

/** Patient, study and frame of reference shared by the objects of one case. */
export interface RtIdentity {
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
}

export function newRtIdentity(patientId: string): RtIdentity {
  return { patientId, studyInstanceUid: newUid(), frameOfReferenceUid: newUid() };
}

const common = (id: RtIdentity, modality: string, sopClass: string) => ({
  SOPClassUID: sopClass,
  SOPInstanceUID: newUid(),
  Modality: modality,
  PatientID: id.patientId,
  PatientName: id.patientId,
  StudyInstanceUID: id.studyInstanceUid,
  SeriesInstanceUID: newUid(),
  SeriesNumber: 1,
});

/** The geometry of a dose grid to write; `offsets` relative to `origin` along row x col. */
export interface DoseGridSpec {
  readonly origin: Vec3;
  readonly row: Vec3;
  readonly col: Vec3;
  readonly dc: number;
  readonly dr: number;
  readonly nx: number;
  readonly ny: number;
  readonly offsets: readonly number[];
}

/**
 * Writes an RT Dose of `dose` (Gy, x fastest, then rows, then frames) as unsigned 32-bit (default, scaling
 * 1e-5 Gy) or 16-bit pixel values (scaled to the maximum).
 */
export function writeRtDose(
  id: RtIdentity,
  g: DoseGridSpec,
  dose: Float64Array,
  opts: { bits?: 16 | 32; summationType?: string; planUid?: string; absoluteOffsets?: boolean } = {},
): Uint8Array {
  const bits = opts.bits ?? 32;
  let max = 0;
  for (const v of dose) max = Math.max(max, v);
  const scaling = bits === 32 ? 1e-5 : Number(((max > 0 ? max : 1) / 65000).toPrecision(8));
  const px = bits === 32 ? new Uint32Array(dose.length) : new Uint16Array(dose.length);
  for (let i = 0; i < dose.length; i++) px[i] = Math.max(0, Math.round(dose[i]! / scaling));
  const offsets = opts.absoluteOffsets ? g.offsets.map((o) => o + g.origin[2]) : g.offsets;
  return encodeDicom({
    ...common(id, 'RTDOSE', RTDOSE_CLASS),
    FrameOfReferenceUID: id.frameOfReferenceUid,
    ImagePositionPatient: g.origin.map(ds16),
    ImageOrientationPatient: [...g.row, ...g.col].map(ds16),
    PixelSpacing: [ds16(g.dr), ds16(g.dc)],
    Rows: g.ny,
    Columns: g.nx,
    NumberOfFrames: g.offsets.length,
    FrameIncrementPointer: 0x3004000c,
    GridFrameOffsetVector: offsets.map(ds16),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    DoseUnits: 'GY',
    DoseType: 'PHYSICAL',
    DoseSummationType: opts.summationType ?? 'PLAN',
    DoseGridScaling: scaling,
    ...(opts.planUid
      ? {
          ReferencedRTPlanSequence: [
            {
              ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.481.5',
              ReferencedSOPInstanceUID: opts.planUid,
            },
          ],
        }
      : {}),
    PixelData: [px.buffer],
    _vrMap: { PixelData: 'OW' },
  });
}

/** One ROI to write: its contours as x, y, z triplets in patient coordinates (mm). */
export interface RoiToWrite {
  readonly number: number;
  readonly name: string;
  readonly interpretedType?: string;
  readonly contours: readonly (readonly Vec3[])[];
  /** Contour Geometric Type of every contour (default CLOSED_PLANAR). */
  readonly geometricType?: string;
}

/** Writes an RT Structure Set with the given ROIs on the identity's frame of reference. */
export function writeRtStruct(id: RtIdentity, rois: readonly RoiToWrite[]): Uint8Array {
  return encodeDicom({
    ...common(id, 'RTSTRUCT', RTSTRUCT_CLASS),
    StructureSetLabel: 'PHANTOM',
    ReferencedFrameOfReferenceSequence: [{ FrameOfReferenceUID: id.frameOfReferenceUid }],
    StructureSetROISequence: rois.map((r) => ({
      ROINumber: r.number,
      ReferencedFrameOfReferenceUID: id.frameOfReferenceUid,
      ROIName: r.name,
      ROIGenerationAlgorithm: 'MANUAL',
    })),
    ROIContourSequence: rois.map((r) => ({
      ReferencedROINumber: r.number,
      ContourSequence: r.contours.map((c) => ({
        ContourGeometricType: r.geometricType ?? 'CLOSED_PLANAR',
        NumberOfContourPoints: c.length,
        ContourData: c.flatMap((p) => [ds16(p[0]), ds16(p[1]), ds16(p[2])]),
      })),
    })),
    RTROIObservationsSequence: rois.map((r) => ({
      ObservationNumber: r.number,
      ReferencedROINumber: r.number,
      RTROIInterpretedType: r.interpretedType ?? 'ORGAN',
      ROIInterpreter: '',
    })),
  });
}

/** Writes an RT Plan carrying a prescription (one target dose reference) and the number of fractions. */
export function writeRtPlan(
  id: RtIdentity,
  p: { prescriptionGy: number; fractions: number; label?: string; sopInstanceUid?: string },
): Uint8Array {
  return encodeDicom({
    ...common(id, 'RTPLAN', '1.2.840.10008.5.1.4.1.1.481.5'),
    ...(p.sopInstanceUid ? { SOPInstanceUID: p.sopInstanceUid } : {}),
    FrameOfReferenceUID: id.frameOfReferenceUid,
    RTPlanLabel: p.label ?? 'PLAN',
    RTPlanGeometry: 'PATIENT',
    DoseReferenceSequence: [
      {
        DoseReferenceNumber: 1,
        DoseReferenceStructureType: 'SITE',
        DoseReferenceType: 'TARGET',
        TargetPrescriptionDose: p.prescriptionGy,
      },
    ],
    FractionGroupSequence: [
      { FractionGroupNumber: 1, NumberOfFractionsPlanned: p.fractions, NumberOfBeams: 0 },
    ],
  });
}
