/**
 * RT Dose reader: a multi-frame dose grid in Gy on its frame of reference. Frames lie at Grid Frame Offset
 * Vector positions along the normal (row x column direction) of Image Orientation (Patient), which may be any
 * orthonormal pair; pixel values times Dose Grid Scaling give the dose. Offsets may be relative (first
 * value 0) or, for the axial orientation only, absolute z positions (PS3.3 C.8.8.3.2); frames are stored
 * here in increasing offset.
 */
import { FedhubError } from '@fedhub/protocol';
import { cross, dot, norm, type Vec3 } from './geometry.js';
import {
  fail,
  optNumber,
  optString,
  pixelBytes,
  type RtDataset,
  reqNumber,
  reqNumbers,
  reqString,
} from './parse.js';

export const RTDOSE_CLASS = '1.2.840.10008.5.1.4.1.1.481.2';

/** A dose grid: `dose[k * nx * ny + j * nx + i]` (Gy) at origin + i*dc*row + j*dr*col + offsets[k]*normal. */
export interface DoseGrid {
  readonly where: string;
  readonly patientId: string | undefined;
  readonly frameOfReferenceUid: string;
  readonly origin: Vec3;
  /** Direction of increasing column index i (first three values of Image Orientation). */
  readonly row: Vec3;
  /** Direction of increasing row index j. */
  readonly col: Vec3;
  readonly normal: Vec3;
  /** Spacing along `row` (between columns) and along `col` (between rows), mm. */
  readonly dc: number;
  readonly dr: number;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** Increasing frame positions along `normal`, relative to `origin` (mm). */
  readonly offsets: Float64Array;
  readonly dose: Float64Array;
  /** Dose Summation Type (PLAN, BEAM, FRACTION, ...). */
  readonly summationType: string | undefined;
  /** Referenced RT Plan SOP Instance UID, where given. */
  readonly planUid: string | undefined;
}

/** True when the dataset is an RT Dose. */
export function isRtDose(d: RtDataset): boolean {
  return optString(d, 'SOPClassUID') === RTDOSE_CLASS || optString(d, 'Modality') === 'RTDOSE';
}

function checkOrientation(d: RtDataset, iop: number[]): { row: Vec3; col: Vec3; normal: Vec3 } {
  const row: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const col: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  if (Math.abs(norm(row) - 1) > 1e-3 || Math.abs(norm(col) - 1) > 1e-3 || Math.abs(dot(row, col)) > 1e-3)
    throw new FedhubError(
      'FH_ERR_RT_GEOMETRY',
      `${d.where}: Image Orientation (Patient) is not two orthogonal unit vectors`,
    );
  return { row, col, normal: cross(row, col) };
}

/** Reads an RT Dose file's grid (dose in Gy). */
export function readRtDose(d: RtDataset): DoseGrid {
  if (!isRtDose(d)) fail(d, `not an RT Dose (Modality ${optString(d, 'Modality') ?? 'absent'})`);
  const units = (optString(d, 'DoseUnits') ?? 'GY').toUpperCase();
  if (units !== 'GY') fail(d, `Dose Units ${units}: only absolute dose (GY) can give a DVH`);
  const nx = reqNumber(d, 'Columns');
  const ny = reqNumber(d, 'Rows');
  const nz = optNumber(d, 'NumberOfFrames') ?? 1;
  const ipp = reqNumbers(d, 'ImagePositionPatient', 3);
  const { row, col, normal } = checkOrientation(d, reqNumbers(d, 'ImageOrientationPatient', 6));
  const [dr, dc] = reqNumbers(d, 'PixelSpacing', 2) as [number, number];
  if (!(dr > 0 && dc > 0)) fail(d, 'PixelSpacing must be positive');
  let offsets: number[];
  if (nz === 1) offsets = [0];
  else {
    offsets = reqNumbers(d, 'GridFrameOffsetVector');
    if (offsets.length !== nz)
      throw new FedhubError(
        'FH_ERR_RT_MISSING_SLICE',
        `${d.where}: Grid Frame Offset Vector has ${offsets.length} values for ${nz} frames`,
      );
    if (offsets[0] !== 0) {
      // absolute z positions: allowed only for the axial orientation (PS3.3 C.8.8.3.2)
      const axial = Math.abs(normal[2] - 1) < 1e-3;
      if (!axial)
        throw new FedhubError(
          'FH_ERR_RT_GEOMETRY',
          `${d.where}: Grid Frame Offset Vector starts at ${offsets[0]} (absolute positions) on a non-axial grid`,
        );
      offsets = offsets.map((z) => z - ipp[2]!);
    }
  }
  const scaling = optNumber(d, 'DoseGridScaling') ?? 1;
  const bits = reqNumber(d, 'BitsAllocated');
  const signed = (optNumber(d, 'PixelRepresentation') ?? 0) === 1;
  const bytes = pixelBytes(d);
  const n = nx * ny * nz;
  if (bits !== 16 && bits !== 32) fail(d, `Bits Allocated ${bits} (16 or 32 expected)`);
  if (bytes.byteLength < (n * bits) / 8)
    throw new FedhubError(
      'FH_ERR_RT_MISSING_SLICE',
      `${d.where}: Pixel Data hold ${bytes.byteLength} bytes, ${nx}x${ny}x${nz} frames need ${(n * bits) / 8}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // frames sorted by increasing offset
  const order = Array.from({ length: nz }, (_, k) => k).sort((a, b) => offsets[a]! - offsets[b]!);
  const sorted = Float64Array.from(order, (k) => offsets[k]!);
  for (let k = 1; k < nz; k++)
    if (!(sorted[k]! > sorted[k - 1]!))
      throw new FedhubError(
        'FH_ERR_RT_GEOMETRY',
        `${d.where}: two dose frames share the offset ${sorted[k]} mm`,
      );
  const dose = new Float64Array(n);
  const plane = nx * ny;
  for (let k = 0; k < nz; k++) {
    const src = order[k]! * plane;
    for (let i = 0; i < plane; i++) {
      const at = src + i;
      const raw =
        bits === 16
          ? signed
            ? view.getInt16(at * 2, true)
            : view.getUint16(at * 2, true)
          : signed
            ? view.getInt32(at * 4, true)
            : view.getUint32(at * 4, true);
      dose[k * plane + i] = raw * scaling;
    }
  }
  return {
    where: d.where,
    patientId: optString(d, 'PatientID'),
    frameOfReferenceUid: reqString(d, 'FrameOfReferenceUID'),
    origin: [ipp[0]!, ipp[1]!, ipp[2]!],
    row,
    col,
    normal,
    dc,
    dr,
    nx,
    ny,
    nz,
    offsets: sorted,
    dose,
    summationType: optString(d, 'DoseSummationType'),
    planUid: referencedPlan(d),
  };
}

function referencedPlan(d: RtDataset): string | undefined {
  const items = d.ds.ReferencedRTPlanSequence;
  const first = Array.isArray(items) ? items[0] : items;
  const uid = (first as Record<string, unknown> | undefined)?.ReferencedSOPInstanceUID;
  return typeof uid === 'string' ? uid : undefined;
}

/**
 * The sum of dose grids on one geometry (e.g. the per-beam doses of a plan, or the plans of a course);
 * grids on another frame of reference or geometry are refused rather than resampled.
 */
export function sumDoseGrids(grids: readonly DoseGrid[]): DoseGrid {
  const first = grids[0];
  if (!first) throw new FedhubError('FH_ERR_RT_INCOMPLETE', 'no dose grid to sum');
  const dose = Float64Array.from(first.dose);
  for (const g of grids.slice(1)) {
    if (g.frameOfReferenceUid !== first.frameOfReferenceUid)
      throw new FedhubError(
        'FH_ERR_RT_FRAME_MISMATCH',
        `${g.where}: dose grid on another frame of reference than ${first.where}`,
      );
    const same =
      g.nx === first.nx &&
      g.ny === first.ny &&
      g.nz === first.nz &&
      [0, 1, 2].every(
        (a) =>
          Math.abs(g.origin[a]! - first.origin[a]!) < 1e-3 &&
          Math.abs(g.row[a]! - first.row[a]!) < 1e-6 &&
          Math.abs(g.col[a]! - first.col[a]!) < 1e-6,
      ) &&
      Math.abs(g.dc - first.dc) < 1e-6 &&
      Math.abs(g.dr - first.dr) < 1e-6 &&
      g.offsets.every((o, k) => Math.abs(o - first.offsets[k]!) < 1e-3);
    if (!same)
      throw new FedhubError(
        'FH_ERR_RT_GEOMETRY',
        `${g.where}: dose grid geometry differs from ${first.where}; summing needs identical grids`,
      );
    for (let i = 0; i < dose.length; i++) dose[i]! += g.dose[i]!;
  }
  return { ...first, dose, summationType: grids.length > 1 ? 'SUMMED' : first.summationType };
}
