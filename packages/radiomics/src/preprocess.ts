import type { RadiomicsConfig } from './config.js';
import { RadiomicsError, RadiomicsErrorCode } from './errors.js';
import { resample } from './resample.js';
import type { Mask, Volume } from './volume.js';

/** Image and masks after interpolation and re-segmentation, with IBSI diagnostic values keyed by tag. */
export interface Preprocessed {
  readonly image: Volume;
  /** Morphological mask (interpolated ROI, not re-segmented). */
  readonly morph: Uint8Array;
  /** Intensity mask (morphological mask after re-segmentation). */
  readonly intensity: Uint8Array;
  readonly diagnostics: Record<string, number>;
}

function roundInPlace(d: Float64Array): void {
  for (let i = 0; i < d.length; i++) d[i] = Math.round(d[i] ?? 0);
}

function imageDiag(v: Volume, suffix: string, out: Record<string, number>): void {
  let s = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i] ?? 0;
    s += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  ['x', 'y', 'z'].forEach((a, i) => {
    out[`img_dim_${a}_${suffix}`] = v.dims[i] ?? 0;
    out[`vox_dim_${a}_${suffix}`] = v.spacing[i] ?? 0;
  });
  out[`mean_int_${suffix}`] = s / v.data.length;
  out[`min_int_${suffix}`] = lo;
  out[`max_int_${suffix}`] = hi;
}

function bbox(dims: readonly number[], m: Uint8Array): number[] {
  const [nx = 1, ny = 1] = dims;
  const lo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const hi = [-1, -1, -1];
  // Plain loops without per-voxel allocation: this runs over millions of voxels.
  let i = 0;
  for (let z = 0; z < (dims[2] ?? 1); z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!m[i]) continue;
        if (x < (lo[0] ?? 0)) lo[0] = x;
        if (x > (hi[0] ?? 0)) hi[0] = x;
        if (y < (lo[1] ?? 0)) lo[1] = y;
        if (y > (hi[1] ?? 0)) hi[1] = y;
        if (z < (lo[2] ?? 0)) lo[2] = z;
        if (z > (hi[2] ?? 0)) hi[2] = z;
      }
    }
  }
  return hi.map((h, a) => (h < 0 ? 0 : h - (lo[a] ?? 0) + 1));
}

function roiDiag(
  v: Volume,
  morph: Uint8Array,
  int: Uint8Array,
  suffix: string,
  out: Record<string, number>,
): void {
  const bbI = bbox(v.dims, int);
  const bbM = bbox(v.dims, morph);
  let n = 0;
  let nm = 0;
  let s = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < int.length; i++) {
    if (morph[i]) nm++;
    if (!int[i]) continue;
    const x = v.data[i] ?? 0;
    n++;
    s += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  ['x', 'y', 'z'].forEach((a, i) => {
    out[`int_mask_dim_${a}_${suffix}`] = v.dims[i] ?? 0;
    out[`int_mask_bb_dim_${a}_${suffix}`] = bbI[i] ?? 0;
    out[`morph_mask_bb_dim_${a}_${suffix}`] = bbM[i] ?? 0;
  });
  out[`int_mask_vox_count_${suffix}`] = n;
  out[`morph_mask_vox_count_${suffix}`] = nm;
  out[`int_mask_mean_int_${suffix}`] = s / n;
  out[`int_mask_min_int_${suffix}`] = lo;
  out[`int_mask_max_int_${suffix}`] = hi;
}

/**
 * IBSI processing chain: interpolation of image (config method) and mask (linear, then threshold),
 * intensity rounding, re-segmentation by range and by outliers (mean ± k·sd of the interpolated ROI).
 */
export function preprocess(image: Volume, mask: Mask, c: RadiomicsConfig): Preprocessed {
  if (image.dims.some((d, i) => d !== mask.dims[i])) {
    throw new RadiomicsError(
      RadiomicsErrorCode.shapeMismatch,
      `image dims ${image.dims.join('x')} differ from mask dims ${mask.dims.join('x')}`,
    );
  }
  const diagnostics: Record<string, number> = {};
  const init: Volume = { ...image, data: image.data.slice() };
  if (c.roundIntensities) roundInPlace(init.data);
  const initMask = new Uint8Array(mask.data.length);
  for (let i = 0; i < initMask.length; i++) initMask[i] = (mask.data[i] ?? 0) > 0.5 ? 1 : 0;
  imageDiag(init, 'init_img', diagnostics);
  roiDiag(init, initMask, initMask, 'init_roi', diagnostics);
  let img = init;
  let morph = initMask;
  if (c.resampleSpacing !== null) {
    img = resample(init, c.resampleSpacing, c.interpolation);
    if (c.roundIntensities) roundInPlace(img.data);
    const mv = resample({ ...mask, data: new Float64Array(initMask) }, c.resampleSpacing, 'linear');
    morph = new Uint8Array(mv.data.length);
    for (let i = 0; i < morph.length; i++) morph[i] = (mv.data[i] ?? 0) >= c.maskThreshold - 1e-12 ? 1 : 0;
  }
  imageDiag(img, 'interp_img', diagnostics);
  roiDiag(img, morph, morph, 'interp_roi', diagnostics);
  const intensity = morph.slice();
  const [lo, hi] = c.resegmentRange ?? [null, null];
  let bounds = [lo ?? Number.NEGATIVE_INFINITY, hi ?? Number.POSITIVE_INFINITY];
  if (c.outlierSigma !== null) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < morph.length; i++) {
      if (!morph[i]) continue;
      const x = img.data[i] ?? 0;
      n++;
      s += x;
      s2 += x * x;
    }
    const m = s / n;
    const sd = Math.sqrt(Math.max(0, s2 / n - m * m));
    bounds = [
      Math.max(bounds[0] ?? 0, m - c.outlierSigma * sd),
      Math.min(bounds[1] ?? 0, m + c.outlierSigma * sd),
    ];
  }
  for (let i = 0; i < intensity.length; i++) {
    if (!intensity[i]) continue;
    const x = img.data[i] ?? 0;
    if (x < (bounds[0] ?? 0) || x > (bounds[1] ?? 0)) intensity[i] = 0;
  }
  roiDiag(img, morph, intensity, 'reseg_roi', diagnostics);
  if (!intensity.some((x) => x > 0)) {
    throw new RadiomicsError(
      RadiomicsErrorCode.emptyRoi,
      'the region of interest is empty after re-segmentation',
    );
  }
  return { image: img, morph, intensity, diagnostics };
}
