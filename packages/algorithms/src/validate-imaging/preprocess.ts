/**
 * The preprocessing a model card declares (protocol `ImagingPreprocessing`), as pure functions of a volume:
 * resampling (trilinear for images, nearest neighbour for masks, on the IBSI centre-aligned grid of
 * @fedhub/radiomics), intensity normalisation, crop/pad to a size around the volume's centre or a
 * structure's bounding box, and the layout of the model's input tensors (3D volume or 2D slices).
 *
 * Volumes are x fastest, then y, then z (x = column, y = row, z = slice), as @fedhub/radiomics reads DICOM.
 */
import type { ImagingPreprocessing, Intensity } from '@fedhub/protocol';
import type { Mask, Volume } from '@fedhub/radiomics';
// the resampler alone: the package's main entry also loads its DICOM readers (dcmjs) and feature code
import { resample } from '@fedhub/radiomics/resample';

export type Vec3 = [number, number, number];

/** An input tensor for the model: row-major data and its shape; `slice` is the slice index in 2D mode. */
export interface InputTensor {
  readonly data: Float32Array;
  readonly dims: number[];
  readonly slice: number | null;
}

const keepsSpacing = (s: ImagingPreprocessing['spacing']) => s === null || s.every((a) => a === null);

/** The image on the card's spacing (trilinear); the volume itself when the card keeps the spacing. */
export function resampleImage(v: Volume, spacing: ImagingPreprocessing['spacing']): Volume {
  return keepsSpacing(spacing) ? v : resample(v, spacing as (number | null)[], 'linear');
}

/** A mask on the card's spacing (nearest neighbour, the same grid as {@link resampleImage}). */
export function resampleMask(m: Mask, spacing: ImagingPreprocessing['spacing']): Mask {
  if (keepsSpacing(spacing)) return m;
  const r = resample(
    { dims: m.dims, spacing: m.spacing, origin: m.origin, data: Float64Array.from(m.data) },
    spacing as (number | null)[],
    'nearest',
  );
  const data = new Uint8Array(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (r.data[i] as number) > 0.5 ? 1 : 0;
  return { dims: r.dims, spacing: r.spacing, origin: r.origin, data };
}

/** Centre (voxel coordinates) of the bounding box of a mask's voxels; null for an empty mask. */
export function boundingBoxCentre(m: Pick<Mask, 'dims' | 'data'>): Vec3 | null {
  const [nx, ny, nz] = m.dims;
  const lo: Vec3 = [nx, ny, nz];
  const hi: Vec3 = [-1, -1, -1];
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        if (m.data[o] === 0) continue;
        if (i < lo[0]) lo[0] = i;
        if (i > hi[0]) hi[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (j > hi[1]) hi[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (k > hi[2]) hi[2] = k;
      }
  if (hi[0] < 0) return null;
  return [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
}

/**
 * The first voxel of a window of `size` centred on `centre` (voxel coordinates; null: the volume's
 * centre). Negative or past the end where the window pads. For an even difference the extra voxel goes
 * after the centre: floor(c - (size - 1) / 2).
 */
export function windowStart(dims: Vec3, size: Vec3, centre: Vec3 | null): Vec3 {
  const c = centre ?? [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
  return [0, 1, 2].map((a) => Math.floor((c[a] as number) - ((size[a] as number) - 1) / 2 + 1e-9)) as Vec3;
}

/** The window [start, start + size) of a volume's data, `pad` outside the volume. */
export function cropOrPad<T extends Float64Array | Uint8Array>(
  data: T,
  dims: Vec3,
  start: Vec3,
  size: Vec3,
  pad: number,
): T {
  const out = new (data.constructor as { new (n: number): T })(size[0] * size[1] * size[2]);
  out.fill(pad);
  const [nx, ny, nz] = dims;
  for (let k = 0; k < size[2]; k++) {
    const z = start[2] + k;
    if (z < 0 || z >= nz) continue;
    for (let j = 0; j < size[1]; j++) {
      const y = start[1] + j;
      if (y < 0 || y >= ny) continue;
      const src = nx * (y + ny * z);
      const dst = size[0] * (j + size[1] * k);
      for (let i = 0; i < size[0]; i++) {
        const x = start[0] + i;
        if (x >= 0 && x < nx) out[dst + i] = data[src + x] as number;
      }
    }
  }
  return out;
}

/** A window's mask put back on the whole grid (zero outside the window): the inverse of cropOrPad. */
export function pasteWindow(window: Uint8Array, size: Vec3, start: Vec3, dims: Vec3): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < size[2]; k++) {
    const z = start[2] + k;
    if (z < 0 || z >= dims[2]) continue;
    for (let j = 0; j < size[1]; j++) {
      const y = start[1] + j;
      if (y < 0 || y >= dims[1]) continue;
      for (let i = 0; i < size[0]; i++) {
        const x = start[0] + i;
        if (x >= 0 && x < dims[0])
          out[x + dims[0] * (y + dims[1] * z)] = window[i + size[0] * (j + size[1] * k)] as number;
      }
    }
  }
  return out;
}

/**
 * The intensity map of the card: a window, or a z-score whose mean and SD are the card's or, where it
 * gives none, those of `image` (the whole resampled image, after the clip; population SD).
 */
export function intensityMap(spec: Intensity, image: ArrayLike<number>): (v: number) => number {
  if (spec.kind === 'none') return (v) => v;
  if (spec.kind === 'window') {
    const lo = spec.center - spec.width / 2;
    const [r0, r1] = spec.range;
    return (v) => (v <= lo ? r0 : v >= lo + spec.width ? r1 : r0 + ((v - lo) / spec.width) * (r1 - r0));
  }
  const clip = spec.clip;
  const c = clip ? (v: number) => Math.min(clip[1], Math.max(clip[0], v)) : (v: number) => v;
  let mean = spec.mean;
  let sd = spec.std;
  if (mean === undefined || sd === undefined) {
    let s = 0;
    for (let i = 0; i < image.length; i++) s += c(image[i] as number);
    const m = image.length > 0 ? s / image.length : 0;
    let ss = 0;
    for (let i = 0; i < image.length; i++) ss += (c(image[i] as number) - m) ** 2;
    mean ??= m;
    sd ??= image.length > 0 ? Math.sqrt(ss / image.length) : 1;
  }
  const m = mean;
  const d = sd > 0 ? sd : 1;
  return (v) => (c(v) - m) / d;
}

/**
 * The model's inputs from a normalised window: one [1, C, D, H, W] (or [1, D, H, W, C]) tensor in 3D,
 * one [1, C, H, W] (or [1, H, W, C]) per slice in `slices` in 2D; the grey value on every channel.
 */
export function toInputs(
  window: Float32Array,
  size: Vec3,
  pp: Pick<ImagingPreprocessing, 'mode' | 'layout' | 'channels'>,
  slices: readonly number[] = Array.from({ length: size[2] }, (_, k) => k),
): InputTensor[] {
  const [nx, ny, nz] = size;
  const C = pp.channels;
  const first = pp.layout === 'channels-first';
  const pack = (src: Float32Array, spatial: number[], slice: number | null): InputTensor => {
    const n = src.length;
    const data = new Float32Array(n * C);
    if (first) for (let c = 0; c < C; c++) data.set(src, c * n);
    else for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) data[i * C + c] = src[i] as number;
    return { data, dims: first ? [1, C, ...spatial] : [1, ...spatial, C], slice };
  };
  if (pp.mode === '3d') return [pack(window, [nz, ny, nx], null)];
  const plane = nx * ny;
  return slices.map((k) => pack(window.subarray(k * plane, (k + 1) * plane), [ny, nx], k));
}

/**
 * Channel `channel` of a segmentation output for `voxels` voxels, thresholded (> threshold is inside).
 * Returns null when the output's size is not a whole number of channels of that many voxels, or the
 * channel is not there (a shape mismatch), and NaN when any value of the channel is NaN.
 */
export function outputMask(
  output: ArrayLike<number>,
  voxels: number,
  layout: ImagingPreprocessing['layout'],
  channel: number,
  threshold: number,
): Uint8Array | null | 'nan' {
  if (voxels === 0 || output.length % voxels !== 0) return null;
  const C = output.length / voxels;
  if (channel >= C) return null;
  const out = new Uint8Array(voxels);
  for (let i = 0; i < voxels; i++) {
    const v = output[layout === 'channels-first' ? channel * voxels + i : i * C + channel] as number;
    if (Number.isNaN(v)) return 'nan';
    out[i] = v > threshold ? 1 : 0;
  }
  return out;
}

/** Indices of the slices (z) a mask crosses. */
export function slicesWith(mask: Uint8Array, size: Vec3): number[] {
  const plane = size[0] * size[1];
  const out: number[] = [];
  for (let k = 0; k < size[2]; k++)
    if (mask.subarray(k * plane, (k + 1) * plane).some((v) => v !== 0)) out.push(k);
  return out;
}
