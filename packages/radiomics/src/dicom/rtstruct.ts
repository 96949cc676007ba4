/**
 * RT Structure Set ROIs rasterised to an image grid. Each closed planar contour is matched to the slice whose
 * plane it lies in (within a tolerance along the slice normal); on each slice a voxel is inside when its
 * centre lies inside an odd number of the ROI's contours on that slice (the even-odd rule), so a contour
 * inside another cuts a hole and separate contours add up.
 */
import { RadiomicsError, RadiomicsErrorCode } from '../errors.js';
import type { Mask } from '../volume.js';
import { dot, type ImageSeries, type Vec3 } from './ct-series.js';
import { type DicomDataset, optNumber, optString, sequence } from './parse.js';

/** One contour: `points` holds x, y, z triplets in patient coordinates (mm). */
export interface RtContour {
  readonly geometricType: string;
  readonly points: Float64Array;
}

/** One ROI of a structure set with its contours. */
export interface RtRoi {
  readonly number: number;
  readonly name: string;
  readonly frameOfReferenceUid: string | undefined;
  readonly contours: readonly RtContour[];
}

export interface RtStructureSet {
  readonly where: string;
  readonly rois: readonly RtRoi[];
}

const RTSTRUCT_CLASS = '1.2.840.10008.5.1.4.1.1.481.3';

/** True when the dataset is an RT Structure Set. */
export function isRtStruct(d: DicomDataset): boolean {
  return optString(d, 'SOPClassUID') === RTSTRUCT_CLASS || optString(d, 'Modality') === 'RTSTRUCT';
}

/** Reads the ROIs (number, name, contours) of an RT Structure Set. */
export function readRtStruct(d: DicomDataset): RtStructureSet {
  if (!isRtStruct(d))
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomUnreadable,
      `${d.where}: not an RT Structure Set (Modality ${optString(d, 'Modality') ?? 'absent'})`,
    );
  const names = new Map<number, { name: string; frame: string | undefined }>();
  for (const r of sequence(d, 'StructureSetROISequence')) {
    const n = optNumber(r, 'ROINumber');
    if (n !== undefined)
      names.set(n, {
        name: optString(r, 'ROIName') ?? '',
        frame: optString(r, 'ReferencedFrameOfReferenceUID'),
      });
  }
  const rois: RtRoi[] = [];
  for (const rc of sequence(d, 'ROIContourSequence')) {
    const number = optNumber(rc, 'ReferencedROINumber');
    if (number === undefined) continue;
    const contours: RtContour[] = sequence(rc, 'ContourSequence').map((c) => {
      const raw = Array.isArray(c.ds.ContourData) ? (c.ds.ContourData as unknown[]) : [];
      const points = Float64Array.from(raw, Number);
      if (points.length % 3 !== 0 || points.some((v) => !Number.isFinite(v)))
        throw new RadiomicsError(
          RadiomicsErrorCode.dicomUnreadable,
          `${c.where}: Contour Data must hold x\\y\\z triplets of numbers`,
        );
      return { geometricType: optString(c, 'ContourGeometricType') ?? 'CLOSED_PLANAR', points };
    });
    const meta = names.get(number);
    rois.push({ number, name: meta?.name ?? '', frameOfReferenceUid: meta?.frame, contours });
  }
  for (const [number, meta] of names)
    if (!rois.some((r) => r.number === number))
      rois.push({ number, name: meta.name, frameOfReferenceUid: meta.frame, contours: [] });
  return { where: d.where, rois };
}

/** The ROI named `nameOrNumber` (exact name, then case-insensitive, then ROI Number). */
export function findRoi(rs: RtStructureSet, nameOrNumber: string): RtRoi {
  const hit =
    rs.rois.find((r) => r.name === nameOrNumber) ??
    rs.rois.find((r) => r.name.toLowerCase() === nameOrNumber.toLowerCase()) ??
    (/^\d+$/.test(nameOrNumber) ? rs.rois.find((r) => r.number === Number(nameOrNumber)) : undefined);
  if (!hit)
    throw new RadiomicsError(
      RadiomicsErrorCode.roiNotFound,
      `${rs.where}: no ROI "${nameOrNumber}" (it has: ${rs.rois.map((r) => `${r.number} "${r.name}"`).join(', ') || 'none'})`,
    );
  return hit;
}

export interface RasteriseOptions {
  /** Largest distance (mm) along the slice normal between a contour and the slice it is assigned to; default a quarter of the slice spacing. */
  readonly planeTolerance?: number;
}

/**
 * Rasterises `roi` to the grid of `series` by the even-odd rule, slice by slice (see the module comment).
 * Throws FH_ERR_DICOM_CONTOUR_PLANE when a contour is not planar in the image plane, lies between slices or
 * outside the image, and FH_ERR_DICOM_GEOMETRY when the ROI is on another frame of reference.
 */
export function rasteriseRoi(roi: RtRoi, series: ImageSeries, opts: RasteriseOptions = {}): Mask {
  const g = series.grid;
  const [nx, ny, nz] = g.dims;
  const [dx, dy, dz] = g.spacing;
  const tol = opts.planeTolerance ?? dz / 4;
  if (
    roi.frameOfReferenceUid !== undefined &&
    series.frameOfReferenceUid !== undefined &&
    roi.frameOfReferenceUid !== series.frameOfReferenceUid
  )
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomGeometry,
      `ROI "${roi.name}" is on frame of reference ${roi.frameOfReferenceUid}, the image series on ${series.frameOfReferenceUid}`,
    );
  const bySlice = new Map<number, Float64Array[]>();
  roi.contours.forEach((c, ci) => {
    if (c.geometricType !== 'CLOSED_PLANAR' || c.points.length < 9) return;
    const n = c.points.length / 3;
    const uv = new Float64Array(2 * n);
    let wMin = Number.POSITIVE_INFINITY;
    let wMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const p: Vec3 = [
        (c.points[3 * i] as number) - g.position0[0],
        (c.points[3 * i + 1] as number) - g.position0[1],
        (c.points[3 * i + 2] as number) - g.position0[2],
      ];
      uv[2 * i] = dot(p, g.row) / dx;
      uv[2 * i + 1] = dot(p, g.col) / dy;
      const w = dot(p, g.normal);
      if (w < wMin) wMin = w;
      if (w > wMax) wMax = w;
    }
    const where = `ROI "${roi.name}" contour ${ci + 1}`;
    if (wMax - wMin > tol)
      throw new RadiomicsError(
        RadiomicsErrorCode.contourPlane,
        `${where} is not parallel to the image slices (spans ${(wMax - wMin).toFixed(3)} mm along the slice normal)`,
      );
    const w = (wMin + wMax) / 2;
    const k = Math.round(w / dz);
    if (Math.abs(w - k * dz) > tol)
      throw new RadiomicsError(
        RadiomicsErrorCode.contourPlane,
        `${where} lies ${Math.abs(w - k * dz).toFixed(3)} mm from the nearest slice plane (tolerance ${tol.toFixed(3)} mm)`,
      );
    if (k < 0 || k >= nz)
      throw new RadiomicsError(
        RadiomicsErrorCode.contourPlane,
        `${where} lies outside the image series (slice ${k} of 0..${nz - 1})`,
      );
    bySlice.set(k, [...(bySlice.get(k) ?? []), uv]);
  });
  const data = new Uint8Array(nx * ny * nz);
  const xs: number[] = [];
  for (const [k, polys] of bySlice) {
    const base = k * nx * ny;
    for (let j = 0; j < ny; j++) {
      xs.length = 0;
      for (const uv of polys) {
        const n = uv.length / 2;
        for (let a = 0, b = n - 1; a < n; b = a++) {
          const ua = uv[2 * a] as number;
          const va = uv[2 * a + 1] as number;
          const ub = uv[2 * b] as number;
          const vb = uv[2 * b + 1] as number;
          if (va > j !== vb > j) xs.push(ua + ((j - va) * (ub - ua)) / (vb - va));
        }
      }
      if (xs.length < 2) continue;
      xs.sort((p, q) => p - q);
      for (let m = 0; m + 1 < xs.length; m += 2) {
        const lo = Math.max(0, Math.ceil(xs[m] as number));
        const hi = Math.min(nx - 1, Math.ceil(xs[m + 1] as number) - 1);
        for (let i = lo; i <= hi; i++) data[base + j * nx + i] = 1;
      }
    }
  }
  const v = series.volume;
  return { dims: v.dims, spacing: v.spacing, origin: v.origin, data };
}
