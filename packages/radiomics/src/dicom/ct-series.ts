/**
 * A single-frame image series (CT) as a Volume. Slices are ordered by Image Position Patient projected on
 * the slice normal (row × column direction), never by Instance Number or file name; the slice spacing comes
 * from those positions, never from Slice Thickness (which is the reconstructed slab width, and may differ).
 * Series whose slices are unevenly spaced or sheared (gantry tilt) are refused: resampling them is a
 * processing decision the user has to make explicitly.
 */
import { RadiomicsError, RadiomicsErrorCode } from '../errors.js';
import type { Volume } from '../volume.js';
import {
  type DicomDataset,
  optNumber,
  optString,
  pixelBytes,
  reqNumber,
  reqNumbers,
  reqString,
  requireNativePixels,
} from './parse.js';

export type Vec3 = readonly [number, number, number];

/** A regular image grid in patient coordinates: voxel (i, j, k) sits at position0 + i·dx·row + j·dy·col + k·dz·normal. */
export interface PatientGrid {
  readonly dims: readonly [number, number, number];
  /** [column spacing (along `row`), row spacing (along `col`), slice spacing (along `normal`)] in mm. */
  readonly spacing: Vec3;
  /** Image Position Patient of the first slice (centre of its first voxel), mm. */
  readonly position0: Vec3;
  /** Direction of increasing column index (first triplet of Image Orientation Patient). */
  readonly row: Vec3;
  /** Direction of increasing row index (second triplet of Image Orientation Patient). */
  readonly col: Vec3;
  /** row × col: direction of increasing slice index. */
  readonly normal: Vec3;
}

/** A CT series read into a Volume (x = column, y = row, z = slice along the normal), with its geometry. */
export interface ImageSeries {
  readonly volume: Volume;
  readonly grid: PatientGrid;
  /** SOP Instance UID of each slice, in slice (z) order. */
  readonly sliceUids: readonly string[];
  readonly seriesInstanceUid: string;
  readonly frameOfReferenceUid: string | undefined;
  readonly modality: string | undefined;
}

export const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

function geometryError(what: string): never {
  throw new RadiomicsError(RadiomicsErrorCode.dicomGeometry, what);
}

const isSegLike = (d: DicomDataset) => optString(d, 'Modality') === 'SEG';

interface Slice {
  readonly d: DicomDataset;
  readonly position: Vec3;
  readonly along: number;
}

/**
 * Reads the image slices among `datasets` (files without pixel data, e.g. an RT structure set in the same
 * folder, are skipped) into one Volume. Throws FH_ERR_DICOM_SERIES when the files hold no image, several
 * series (pass `seriesInstanceUid` to choose), or slices of different size or orientation, and
 * FH_ERR_DICOM_GEOMETRY for duplicate positions, uneven spacing or gantry tilt.
 */
export function readImageSeries(datasets: readonly DicomDataset[], seriesInstanceUid?: string): ImageSeries {
  const images = datasets.filter(
    (d) => d.ds.PixelData !== undefined && d.ds.ImagePositionPatient !== undefined,
  );
  const bySeries = new Map<string, DicomDataset[]>();
  for (const d of images) {
    const uid = reqString(d, 'SeriesInstanceUID');
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), d]);
  }
  if (bySeries.size === 0) {
    const multiFrame = datasets.find((d) => (optNumber(d, 'NumberOfFrames') ?? 1) > 1 && !isSegLike(d));
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomSeries,
      multiFrame
        ? `${multiFrame.where}: multi-frame (enhanced) images are not supported; convert to single-frame slices first (e.g. dcuncat, emf2sf)`
        : `no image slice (with Pixel Data and Image Position Patient) among ${datasets.length} file(s)`,
    );
  }
  let uid = seriesInstanceUid;
  if (uid === undefined) {
    if (bySeries.size > 1)
      throw new RadiomicsError(
        RadiomicsErrorCode.dicomSeries,
        `the files hold ${bySeries.size} image series (${[...bySeries].map(([u, s]) => `${u}: ${s.length} slices`).join('; ')}): choose one`,
      );
    uid = [...bySeries.keys()][0] as string;
  }
  const chosen = bySeries.get(uid);
  if (!chosen)
    throw new RadiomicsError(RadiomicsErrorCode.dicomSeries, `no image series ${uid} among the files`);

  const first = chosen[0] as DicomDataset;
  const rows = reqNumber(first, 'Rows');
  const cols = reqNumber(first, 'Columns');
  const iop = reqNumbers(first, 'ImageOrientationPatient', 6);
  const ps = reqNumbers(first, 'PixelSpacing', 2);
  const row: Vec3 = [iop[0] as number, iop[1] as number, iop[2] as number];
  const col: Vec3 = [iop[3] as number, iop[4] as number, iop[5] as number];
  if (
    Math.abs(dot(row, row) - 1) > 1e-3 ||
    Math.abs(dot(col, col) - 1) > 1e-3 ||
    Math.abs(dot(row, col)) > 1e-3
  )
    geometryError(
      `${first.where}: Image Orientation Patient ${iop.join('\\')} is not two orthonormal directions`,
    );
  if (!((ps[0] as number) > 0 && (ps[1] as number) > 0))
    geometryError(`${first.where}: Pixel Spacing ${ps.join('\\')} must be positive`);
  const normal = cross(row, col);

  const slices: Slice[] = chosen.map((d) => {
    if (reqNumber(d, 'Rows') !== rows || reqNumber(d, 'Columns') !== cols)
      throw new RadiomicsError(
        RadiomicsErrorCode.dicomSeries,
        `${d.where}: ${reqNumber(d, 'Rows')}x${reqNumber(d, 'Columns')} pixels, but ${first.where} has ${rows}x${cols}`,
      );
    const o = reqNumbers(d, 'ImageOrientationPatient', 6);
    if (o.some((v, i) => Math.abs(v - (iop[i] as number)) > 1e-4))
      throw new RadiomicsError(
        RadiomicsErrorCode.dicomSeries,
        `${d.where}: Image Orientation Patient differs from ${first.where} (slices must share one orientation)`,
      );
    const p = reqNumbers(d, 'PixelSpacing', 2);
    if (p.some((v, i) => Math.abs(v - (ps[i] as number)) > 1e-4))
      throw new RadiomicsError(
        RadiomicsErrorCode.dicomSeries,
        `${d.where}: Pixel Spacing differs from ${first.where}`,
      );
    const position = reqNumbers(d, 'ImagePositionPatient', 3) as unknown as Vec3;
    return { d, position, along: dot(position, normal) };
  });
  slices.sort((a, b) => a.along - b.along);

  const p0 = (slices[0] as Slice).position;
  const gaps: number[] = [];
  for (let k = 1; k < slices.length; k++) {
    const s = slices[k] as Slice;
    const prev = slices[k - 1] as Slice;
    const gap = s.along - prev.along;
    if (gap < 1e-3)
      geometryError(
        `${prev.d.where} and ${s.d.where} lie at the same position along the slice normal (duplicate slice?)`,
      );
    gaps.push(gap);
    // A tilted gantry shifts each slice in-plane: the series is then sheared, not a regular grid.
    const shift: Vec3 = [s.position[0] - p0[0], s.position[1] - p0[1], s.position[2] - p0[2]];
    const inPlane = Math.hypot(dot(shift, row), dot(shift, col));
    if (inPlane > 0.01 + 1e-3 * Math.min(ps[0] as number, ps[1] as number) * k)
      geometryError(
        `${s.d.where}: slice is shifted ${inPlane.toFixed(3)} mm in-plane from the first slice (gantry tilt or sheared series, Gantry/Detector Tilt ${optNumber(s.d, 'GantryDetectorTilt') ?? 'absent'}); resample it to an orthogonal grid first`,
      );
  }
  let dz: number;
  if (gaps.length === 0) {
    dz = optNumber(first, 'SpacingBetweenSlices') ?? optNumber(first, 'SliceThickness') ?? 1;
  } else {
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const lo = Math.min(...gaps);
    const hi = Math.max(...gaps);
    if (hi - lo > 0.01 + 1e-3 * mean)
      geometryError(
        `series ${uid}: slice spacing is not uniform (${lo.toFixed(3)} to ${hi.toFixed(3)} mm between positions; missing slice?)`,
      );
    dz = mean;
  }

  const nxy = rows * cols;
  const data = new Float64Array(nxy * slices.length);
  for (const [k, s] of slices.entries()) decodeSlice(s.d, rows, cols, data.subarray(k * nxy, (k + 1) * nxy));
  const spacing: Vec3 = [ps[1] as number, ps[0] as number, dz];
  const grid: PatientGrid = { dims: [cols, rows, slices.length], spacing, position0: p0, row, col, normal };
  const volume: Volume = {
    dims: grid.dims,
    spacing,
    // Coordinates in the image-aligned frame (row, col, normal), so that IBSI grid alignment uses real positions.
    origin: [dot(p0, row), dot(p0, col), dot(p0, normal)],
    data,
  };
  return {
    volume,
    grid,
    sliceUids: slices.map((s) => reqString(s.d, 'SOPInstanceUID')),
    seriesInstanceUid: uid,
    frameOfReferenceUid: optString(first, 'FrameOfReferenceUID'),
    modality: optString(first, 'Modality'),
  };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Stored pixel values -> modality values (Rescale Slope/Intercept), x fastest then y, into `out`. */
function decodeSlice(d: DicomDataset, rows: number, cols: number, out: Float64Array): void {
  requireNativePixels(d);
  const spp = optNumber(d, 'SamplesPerPixel') ?? 1;
  if (spp !== 1) geometryError(`${d.where}: ${spp} samples per pixel; only greyscale images are supported`);
  const bits = reqNumber(d, 'BitsAllocated');
  const signed = (optNumber(d, 'PixelRepresentation') ?? 0) === 1;
  const slope = optNumber(d, 'RescaleSlope') ?? 1;
  const intercept = optNumber(d, 'RescaleIntercept') ?? 0;
  const bytes = pixelBytes(d);
  const n = rows * cols;
  if (bytes.byteLength < (n * bits) / 8)
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomUnreadable,
      `${d.where}: Pixel Data holds ${bytes.byteLength} bytes, fewer than ${rows}x${cols} pixels of ${bits} bits`,
    );
  if (bits !== 8 && bits !== 16 && bits !== 32)
    geometryError(`${d.where}: Bits Allocated ${bits} is not supported (8, 16 or 32)`);
  const stored = optNumber(d, 'BitsStored') ?? bits;
  const shift = 32 - Math.min(Math.max(stored, 1), bits);
  if (bits === 16 && shift === 16 && LITTLE_ENDIAN_HOST) {
    // The common case (16 bits stored in 16): a typed view, aligned by a copy when needed.
    const src = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
    const px = signed
      ? new Int16Array(src.buffer, src.byteOffset, n)
      : new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = (px[i] as number) * slope + intercept;
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw =
    bits === 16
      ? (i: number) => view.getUint16(2 * i, true)
      : bits === 8
        ? (i: number) => view.getUint8(i)
        : (i: number) => view.getUint32(4 * i, true);
  // Bits above Bits Stored may hold overlays: drop them, and sign-extend from the stored high bit.
  const read = signed
    ? (i: number) => (raw(i) << shift) >> shift
    : (i: number) => (raw(i) << shift) >>> shift;
  for (let i = 0; i < n; i++) out[i] = read(i) * slope + intercept;
}
