/**
 * Writing DICOM with dcmjs: the Part 10 encoder, and writers of an image series and an RT Structure Set
 * from a grid and contours in patient coordinates (synthetic cohorts, tests, exporting).
 */
import { randomBytes } from 'node:crypto';
import dcmjs from 'dcmjs';
import type { PatientGrid, Vec3 } from './ct-series.js';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** A fresh UID under the 2.25 (UUID-derived) root. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

/** Encodes a naturalized dataset as a DICOM Part 10 file (explicit VR little endian). */
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

/** Identity of a written series: patient, study, series and frame of reference. */
export interface SeriesIdentity {
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
}

/** A new identity (fresh UIDs) for a synthetic patient. */
export function newSeriesIdentity(patientId: string): SeriesIdentity {
  return { patientId, studyInstanceUid: newUid(), frameOfReferenceUid: newUid() };
}

/**
 * Writes `values` (x fastest, then y, then slice; modality units such as HU) on `grid` as a CT series of
 * int16 slices with Rescale Intercept -1024, one file per slice. Returns the files in slice order.
 */
export function writeImageSeries(
  grid: PatientGrid,
  values: Float64Array,
  id: SeriesIdentity,
  opts: { seriesInstanceUid?: string; modality?: string } = {},
): Uint8Array[] {
  const [nx, ny, nz] = grid.dims;
  const seriesUid = opts.seriesInstanceUid ?? newUid();
  const files: Uint8Array[] = [];
  for (let k = 0; k < nz; k++) {
    const px = new Int16Array(nx * ny);
    for (let i = 0; i < nx * ny; i++)
      px[i] = Math.max(-32768, Math.min(32767, Math.round((values[k * nx * ny + i] as number) + 1024)));
    const pos = [0, 1, 2].map((a) =>
      ds16((grid.position0[a] as number) + k * grid.spacing[2] * (grid.normal[a] as number)),
    );
    const sop = newUid();
    files.push(
      encodeDicom({
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        SOPInstanceUID: sop,
        Modality: opts.modality ?? 'CT',
        PatientID: id.patientId,
        PatientName: id.patientId,
        StudyInstanceUID: id.studyInstanceUid,
        SeriesInstanceUID: seriesUid,
        FrameOfReferenceUID: id.frameOfReferenceUid,
        SeriesNumber: 1,
        // Deliberately opposite to the slice order: readers must sort by position, not by number.
        InstanceNumber: nz - k,
        ImagePositionPatient: pos,
        ImageOrientationPatient: [...grid.row, ...grid.col].map(ds16),
        PixelSpacing: [grid.spacing[1], grid.spacing[0]],
        SliceThickness: grid.spacing[2],
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: ny,
        Columns: nx,
        BitsAllocated: 16,
        BitsStored: 16,
        HighBit: 15,
        PixelRepresentation: 1,
        RescaleIntercept: -1024,
        RescaleSlope: 1,
        PixelData: [px.buffer],
        _vrMap: { PixelData: 'OW' },
      }),
    );
  }
  return files;
}

/** One ROI to write: its contours as x, y, z triplets in patient coordinates (mm). */
export interface RoiToWrite {
  readonly number: number;
  readonly name: string;
  readonly contours: readonly (readonly Vec3[])[];
}

/** Writes an RT Structure Set with the given ROIs (closed planar contours) on the identity's frame of reference. */
export function writeRtStruct(id: SeriesIdentity, rois: readonly RoiToWrite[]): Uint8Array {
  return encodeDicom({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.481.3',
    SOPInstanceUID: newUid(),
    Modality: 'RTSTRUCT',
    PatientID: id.patientId,
    PatientName: id.patientId,
    StudyInstanceUID: id.studyInstanceUid,
    SeriesInstanceUID: newUid(),
    SeriesNumber: 2,
    StructureSetLabel: 'RTSTRUCT',
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
        ContourGeometricType: 'CLOSED_PLANAR',
        NumberOfContourPoints: c.length,
        ContourData: c.flatMap((p) => [ds16(p[0]), ds16(p[1]), ds16(p[2])]),
      })),
    })),
  });
}

/** A number that fits a decimal string (DS, at most 16 characters). */
export function ds16(x: number): number {
  return Number(x.toFixed(Math.abs(x) >= 1e5 ? 2 : 5));
}
