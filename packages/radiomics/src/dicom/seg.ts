/**
 * DICOM Segmentation (SEG) objects on an image series: reading a segment as a Mask (binary, or fractional
 * with a threshold) and writing a Mask as a SEG. Each frame is placed on the image slice it references
 * (Derivation Image > Source Image > Referenced SOP Instance UID) or, failing that, by its Plane Position
 * projected on the slice normal; frames must share the image's in-plane grid.
 */
import { RadiomicsError, RadiomicsErrorCode } from '../errors.js';
import type { Mask } from '../volume.js';
import { dot, type ImageSeries, type Vec3 } from './ct-series.js';
import {
  type DicomDataset,
  optNumber,
  optString,
  pixelBytes,
  reqNumber,
  reqNumbers,
  requireNativePixels,
  sequence,
} from './parse.js';
import { ds16, encodeDicom, newUid } from './write.js';

const SEG_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

/** True when the dataset is a DICOM Segmentation. */
export function isSeg(d: DicomDataset): boolean {
  return optString(d, 'SOPClassUID') === SEG_CLASS || optString(d, 'Modality') === 'SEG';
}

export interface SegSegment {
  readonly number: number;
  readonly label: string;
}

/** Segments (number and label) of a SEG. */
export function segSegments(d: DicomDataset): SegSegment[] {
  return sequence(d, 'SegmentSequence').map((s) => ({
    number: reqNumber(s, 'SegmentNumber'),
    label: optString(s, 'SegmentLabel') ?? '',
  }));
}

export interface ReadSegOptions {
  /** Segment label or number; may be omitted when the SEG holds one segment. */
  readonly segment?: string;
  /** Fractional SEG: a voxel is inside when its fraction is at least this (default 0.5). */
  readonly threshold?: number;
  /** Largest distance (mm) along the slice normal between a frame and its slice; default a quarter of the spacing. */
  readonly planeTolerance?: number;
}

function mismatch(what: string): never {
  throw new RadiomicsError(RadiomicsErrorCode.segMismatch, what);
}

function first(d: DicomDataset, ...path: string[]): DicomDataset | undefined {
  let cur: DicomDataset | undefined = d;
  for (const key of path) cur = cur ? sequence(cur, key)[0] : undefined;
  return cur;
}

/** Reads one segment of a SEG as a Mask on the grid of `series` (see the module comment). */
export function readSeg(d: DicomDataset, series: ImageSeries, opts: ReadSegOptions = {}): Mask {
  if (!isSeg(d))
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomUnreadable,
      `${d.where}: not a DICOM Segmentation (Modality ${optString(d, 'Modality') ?? 'absent'})`,
    );
  requireNativePixels(d);
  const segments = segSegments(d);
  let segment: SegSegment | undefined;
  if (opts.segment === undefined) {
    if (segments.length !== 1)
      throw new RadiomicsError(
        RadiomicsErrorCode.roiNotFound,
        `${d.where}: ${segments.length} segments (${segments.map((s) => `${s.number} "${s.label}"`).join(', ')}): name one`,
      );
    segment = segments[0];
  } else {
    const key = opts.segment;
    segment =
      segments.find((s) => s.label === key) ??
      segments.find((s) => s.label.toLowerCase() === key.toLowerCase()) ??
      (/^\d+$/.test(key) ? segments.find((s) => s.number === Number(key)) : undefined);
    if (!segment)
      throw new RadiomicsError(
        RadiomicsErrorCode.roiNotFound,
        `${d.where}: no segment "${key}" (it has: ${segments.map((s) => `${s.number} "${s.label}"`).join(', ') || 'none'})`,
      );
  }
  const g = series.grid;
  const [nx, ny, nz] = g.dims;
  const rows = reqNumber(d, 'Rows');
  const cols = reqNumber(d, 'Columns');
  if (rows !== ny || cols !== nx)
    mismatch(
      `${d.where}: frames of ${rows}x${cols} pixels, the image has ${ny}x${nx}: the SEG must share the image grid`,
    );
  const type = optString(d, 'SegmentationType') ?? 'BINARY';
  const bits = reqNumber(d, 'BitsAllocated');
  if (type === 'BINARY' ? bits !== 1 : bits !== 8)
    mismatch(`${d.where}: ${type} segmentation with Bits Allocated ${bits}`);
  if (type !== 'BINARY' && type !== 'FRACTIONAL')
    mismatch(`${d.where}: Segmentation Type ${type} is not supported`);
  const maxFraction = type === 'FRACTIONAL' ? reqNumber(d, 'MaximumFractionalValue') : 1;
  const threshold = opts.threshold ?? 0.5;
  const frames = optNumber(d, 'NumberOfFrames') ?? 1;
  const perFrame = sequence(d, 'PerFrameFunctionalGroupsSequence');
  if (perFrame.length !== frames)
    mismatch(`${d.where}: ${frames} frames but ${perFrame.length} Per-frame Functional Groups items`);
  const shared = first(d, 'SharedFunctionalGroupsSequence');
  const tol = opts.planeTolerance ?? g.spacing[2] / 4;
  const sliceOf = new Map(series.sliceUids.map((u, k) => [u, k]));
  const bytes = pixelBytes(d);
  const n = rows * cols;
  if (bytes.byteLength * (8 / bits) < n * frames)
    mismatch(`${d.where}: Pixel Data holds fewer than ${frames} frames of ${rows}x${cols}`);
  const data = new Uint8Array(nx * ny * nz);
  perFrame.forEach((f, fi) => {
    const seg =
      first(f, 'SegmentIdentificationSequence') ?? (shared && first(shared, 'SegmentIdentificationSequence'));
    const segNo = seg ? reqNumber(seg, 'ReferencedSegmentNumber') : segments[0]?.number;
    if (segNo !== segment?.number) return;
    const orient =
      first(f, 'PlaneOrientationSequence') ?? (shared && first(shared, 'PlaneOrientationSequence'));
    if (orient) {
      const iop = reqNumbers(orient, 'ImageOrientationPatient', 6);
      const want = [...g.row, ...g.col];
      if (iop.some((v, i) => Math.abs(v - (want[i] as number)) > 1e-4))
        mismatch(`${f.where}: frame orientation differs from the image series`);
    }
    const ref = first(f, 'DerivationImageSequence', 'SourceImageSequence');
    const refUid = ref ? optString(ref, 'ReferencedSOPInstanceUID') : undefined;
    let k = refUid !== undefined ? sliceOf.get(refUid) : undefined;
    const pos = first(f, 'PlanePositionSequence');
    if (pos) {
      const ipp = reqNumbers(pos, 'ImagePositionPatient', 3);
      const p: Vec3 = [
        (ipp[0] as number) - g.position0[0],
        (ipp[1] as number) - g.position0[1],
        (ipp[2] as number) - g.position0[2],
      ];
      const inPlane = Math.hypot(dot(p, g.row), dot(p, g.col));
      if (inPlane > 0.01)
        mismatch(`${f.where}: frame is shifted ${inPlane.toFixed(3)} mm in-plane from the image grid`);
      const w = dot(p, g.normal);
      const kk = Math.round(w / g.spacing[2]);
      if (Math.abs(w - kk * g.spacing[2]) > tol || kk < 0 || kk >= nz)
        mismatch(`${f.where}: frame position matches no slice of the image series`);
      if (k !== undefined && k !== kk)
        mismatch(`${f.where}: the referenced slice (${k}) and the frame position (slice ${kk}) disagree`);
      k = kk;
    }
    if (k === undefined)
      mismatch(`${f.where}: frame references no slice of the image series and has no Plane Position`);
    const base = k * n;
    if (type === 'BINARY') {
      const start = fi * n;
      for (let i = 0; i < n; i++) {
        const bit = start + i;
        if ((((bytes[bit >> 3] as number) >> (bit & 7)) & 1) === 1) data[base + i] = 1;
      }
    } else {
      const start = fi * n;
      for (let i = 0; i < n; i++)
        if ((bytes[start + i] as number) / maxFraction >= threshold) data[base + i] = 1;
    }
  });
  const v = series.volume;
  return { dims: v.dims, spacing: v.spacing, origin: v.origin, data };
}

export interface WriteSegOptions {
  readonly label: string;
  /** BINARY (default), or FRACTIONAL from `fractions` (0..1 per voxel, same grid) with 255 as maximum. */
  readonly type?: 'BINARY' | 'FRACTIONAL';
  readonly fractions?: Float64Array;
  /** Place frames by referenced SOP Instance UID and plane position (default), or by plane position only. */
  readonly reference?: 'sop-and-position' | 'position';
}

/** Writes `mask` (on the grid of `series`) as a one-segment SEG, one frame per slice holding any voxel. */
export function writeSeg(mask: Mask, series: ImageSeries, opts: WriteSegOptions): Uint8Array {
  const g = series.grid;
  const [nx, ny, nz] = g.dims;
  const n = nx * ny;
  if (mask.dims.some((v, i) => v !== g.dims[i]))
    mismatch('writeSeg: the mask is not on the grid of the series');
  const fractional = opts.type === 'FRACTIONAL';
  if (fractional && opts.fractions?.length !== mask.data.length)
    mismatch('writeSeg: a FRACTIONAL segmentation needs one fraction per voxel');
  const slices: number[] = [];
  for (let k = 0; k < nz; k++) {
    const src = fractional ? (opts.fractions as Float64Array) : mask.data;
    for (let i = k * n; i < (k + 1) * n; i++)
      if ((src[i] as number) > 0) {
        slices.push(k);
        break;
      }
  }
  const pixels = new Uint8Array(fractional ? slices.length * n : Math.ceil((slices.length * n) / 8));
  slices.forEach((k, fi) => {
    for (let i = 0; i < n; i++) {
      if (fractional) {
        pixels[fi * n + i] = Math.round(
          Math.min(1, Math.max(0, (opts.fractions as Float64Array)[k * n + i] as number)) * 255,
        );
      } else if (mask.data[k * n + i] === 1) {
        const bit = fi * n + i;
        pixels[bit >> 3] = (pixels[bit >> 3] as number) | (1 << (bit & 7));
      }
    }
  });
  const position = (k: number) =>
    [0, 1, 2].map((a) => ds16((g.position0[a] as number) + k * g.spacing[2] * (g.normal[a] as number)));
  const sopInstanceUid = newUid();
  const ds: Record<string, unknown> = {
    SOPClassUID: SEG_CLASS,
    SOPInstanceUID: sopInstanceUid,
    Modality: 'SEG',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 300,
    InstanceNumber: 1,
    ...(series.frameOfReferenceUid ? { FrameOfReferenceUID: series.frameOfReferenceUid } : {}),
    ContentLabel: 'ROI',
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    NumberOfFrames: slices.length,
    BitsAllocated: fractional ? 8 : 1,
    BitsStored: fractional ? 8 : 1,
    HighBit: fractional ? 7 : 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: fractional ? 'FRACTIONAL' : 'BINARY',
    ...(fractional ? { SegmentationFractionalType: 'PROBABILITY', MaximumFractionalValue: 255 } : {}),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: series.seriesInstanceUid,
        ReferencedInstanceSequence: slices.map((k) => ({ ReferencedSOPInstanceUID: series.sliceUids[k] })),
      },
    ],
    SegmentSequence: [{ SegmentNumber: 1, SegmentLabel: opts.label, SegmentAlgorithmType: 'MANUAL' }],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...g.row, ...g.col].map(ds16) }],
        PixelMeasuresSequence: [
          {
            PixelSpacing: [ds16(g.spacing[1]), ds16(g.spacing[0])],
            SliceThickness: ds16(g.spacing[2]),
            SpacingBetweenSlices: ds16(g.spacing[2]),
          },
        ],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: 1 }],
      },
    ],
    PerFrameFunctionalGroupsSequence: slices.map((k) => ({
      ...(opts.reference === 'position'
        ? {}
        : {
            DerivationImageSequence: [
              { SourceImageSequence: [{ ReferencedSOPInstanceUID: series.sliceUids[k] }] },
            ],
          }),
      FrameContentSequence: [{ DimensionIndexValues: [1, k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: position(k) }],
    })),
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  return encodeDicom(ds);
}
