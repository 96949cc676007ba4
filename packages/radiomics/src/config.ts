import { RadiomicsError, RadiomicsErrorCode } from './errors.js';
import type { Interpolation } from './resample.js';

/** Discretisation: fixed bin number (`bins`), fixed bin size (`width`, intensity units), or none. */
export type Discretisation =
  | { readonly method: 'none' }
  | { readonly method: 'fbn'; readonly bins: number }
  | { readonly method: 'fbs'; readonly width: number; readonly min?: number };

/** Feature-computation settings (one IBSI configuration). Lengths in mm, intensities in image units. */
export interface RadiomicsConfig {
  /** '2D': texture per slice (IBSI 2D and 2.5D aggregation); '3D': over the volume; 'both': all three. */
  readonly dimensionality: '2D' | '3D' | 'both';
  /** Target voxel spacing in mm per axis (null keeps the axis); null: no interpolation. */
  readonly resampleSpacing: readonly [number | null, number | null, number | null] | null;
  readonly interpolation: Interpolation;
  /** Partial-volume threshold for the linearly interpolated mask. */
  readonly maskThreshold: number;
  /** Round intensities to integers (after interpolation), as IBSI asks for CT. */
  readonly roundIntensities: boolean;
  /** Re-segmentation range [min, max] (inclusive); null bounds are open. */
  readonly resegmentRange: readonly [number | null, number | null] | null;
  /** Outlier filtering: drop voxels outside mean ± sigma·sd; null: none. */
  readonly outlierSigma: number | null;
  /** Discretisation for texture features and the intensity histogram. */
  readonly discretisation: Discretisation;
  /** Discretisation for the intensity-volume histogram. */
  readonly ivhDiscretisation: Discretisation;
  /** NGLDM coarseness parameter α. */
  readonly ngldmAlpha: number;
  /** Moran's I / Geary's C by exact O(n²) pair sums up to this many ROI voxels; by FFT convolution above. */
  readonly maxVoxelsForAutocorrelation: number;
}

const base = {
  interpolation: 'linear',
  maskThreshold: 0.5,
  roundIntensities: true,
  ngldmAlpha: 0,
  maxVoxelsForAutocorrelation: 20000,
} as const;

/** IBSI digital phantom: no interpolation, no re-segmentation, no discretisation, 3D (2D/2.5D also given). */
export const ibsiDigitalPhantom: RadiomicsConfig = {
  ...base,
  dimensionality: 'both',
  resampleSpacing: null,
  roundIntensities: false,
  resegmentRange: null,
  outlierSigma: null,
  discretisation: { method: 'none' },
  ivhDiscretisation: { method: 'none' },
};

/** IBSI configuration A: 2D, no interpolation, range [-500, 400] HU, FBS 25 HU; IVH on integer HU. */
export const ibsiConfigA: RadiomicsConfig = {
  ...base,
  dimensionality: '2D',
  resampleSpacing: null,
  resegmentRange: [-500, 400],
  outlierSigma: null,
  discretisation: { method: 'fbs', width: 25 },
  ivhDiscretisation: { method: 'none' },
};

/** IBSI configuration B: 2D, bilinear to 2x2 mm in-plane, range [-500, 400] HU, FBN 32; IVH on integer HU. */
export const ibsiConfigB: RadiomicsConfig = {
  ...base,
  dimensionality: '2D',
  resampleSpacing: [2, 2, null],
  resegmentRange: [-500, 400],
  outlierSigma: null,
  discretisation: { method: 'fbn', bins: 32 },
  ivhDiscretisation: { method: 'none' },
};

/** IBSI configuration C: 3D, trilinear to 2x2x2 mm, range [-1000, 400] HU, FBS 25 HU; IVH FBS 2.5 HU. */
export const ibsiConfigC: RadiomicsConfig = {
  ...base,
  dimensionality: '3D',
  resampleSpacing: [2, 2, 2],
  resegmentRange: [-1000, 400],
  outlierSigma: null,
  discretisation: { method: 'fbs', width: 25 },
  ivhDiscretisation: { method: 'fbs', width: 2.5 },
};

/** IBSI configuration D: 3D, trilinear to 2x2x2 mm, outlier filtering (3 sd), FBN 32; IVH on integer HU. */
export const ibsiConfigD: RadiomicsConfig = {
  ...base,
  dimensionality: '3D',
  resampleSpacing: [2, 2, 2],
  resegmentRange: null,
  outlierSigma: 3,
  discretisation: { method: 'fbn', bins: 32 },
  ivhDiscretisation: { method: 'none' },
};

/** IBSI configuration E: 3D, tricubic spline to 2x2x2 mm, range [-1000, 400] HU and outliers (3 sd), FBN 32; IVH FBN 1000. */
export const ibsiConfigE: RadiomicsConfig = {
  ...base,
  dimensionality: '3D',
  resampleSpacing: [2, 2, 2],
  interpolation: 'cubic',
  resegmentRange: [-1000, 400],
  outlierSigma: 3,
  discretisation: { method: 'fbn', bins: 32 },
  ivhDiscretisation: { method: 'fbn', bins: 1000 },
};

function fail(where: string, what: string): never {
  throw new RadiomicsError(RadiomicsErrorCode.badConfig, `radiomics config: ${where} ${what}`);
}

function checkDisc(d: Discretisation, where: string): void {
  if (d.method === 'fbn') {
    if (!Number.isInteger(d.bins) || d.bins < 1)
      fail(`${where}.bins`, `must be a positive integer (got ${d.bins})`);
  } else if (d.method === 'fbs') {
    if (!(d.width > 0)) fail(`${where}.width`, `must be > 0 (got ${d.width})`);
  } else if (d.method !== 'none') {
    fail(`${where}.method`, `must be 'none', 'fbn' or 'fbs' (got ${(d as { method: unknown }).method})`);
  }
}

/** Validates a configuration; throws RadiomicsError (FH_ERR_RADIOMICS_CONFIG) naming the bad field. */
export function validateConfig(c: RadiomicsConfig): RadiomicsConfig {
  if (!['2D', '3D', 'both'].includes(c.dimensionality))
    fail('dimensionality', "must be '2D', '3D' or 'both'");
  if (c.resampleSpacing !== null) {
    if (!Array.isArray(c.resampleSpacing) || c.resampleSpacing.length !== 3)
      fail('resampleSpacing', 'must be [x, y, z]');
    c.resampleSpacing.forEach((s, i) => {
      if (s !== null && !(s > 0)) fail(`resampleSpacing[${i}]`, `must be > 0 mm or null (got ${s})`);
    });
  }
  if (!['nearest', 'linear', 'cubic'].includes(c.interpolation))
    fail('interpolation', "must be 'nearest', 'linear' or 'cubic'");
  if (!(c.maskThreshold > 0 && c.maskThreshold <= 1)) fail('maskThreshold', 'must be in (0, 1]');
  if (c.resegmentRange !== null) {
    const [lo, hi] = c.resegmentRange;
    if (lo !== null && hi !== null && !(lo <= hi)) fail('resegmentRange', `min ${lo} is above max ${hi}`);
  }
  if (c.outlierSigma !== null && !(c.outlierSigma > 0)) fail('outlierSigma', 'must be > 0 or null');
  checkDisc(c.discretisation, 'discretisation');
  checkDisc(c.ivhDiscretisation, 'ivhDiscretisation');
  if (!(c.ngldmAlpha >= 0)) fail('ngldmAlpha', 'must be >= 0');
  return c;
}
