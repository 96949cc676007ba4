import { createHash } from 'node:crypto';
import { type Discretisation, type RadiomicsConfig, validateConfig } from './config.js';
import { cropGrid, maskBounds } from './crop.js';
import { discretise } from './discretise.js';
import { ivhFeatures } from './features/ivh.js';
import { localIntensityFeatures } from './features/local-intensity.js';
import { morphologyFeatures } from './features/morphology.js';
import { histogramFeatures, statisticsFeatures } from './features/stats.js';
import { ibsiAggregationCodes, ibsiCode, ibsiFamilyCodes } from './ibsi-codes.js';
import { preprocess } from './preprocess.js';
import { textureFeatures } from './texture/aggregate.js';
import type { Mask, Volume } from './volume.js';

/** One computed feature, keyed by its IBSI tag (e.g. `cm_joint_max_3D_comb`). */
export interface Feature {
  readonly tag: string;
  /** Four-letter IBSI code of the feature (e.g. 'RNU0'; see ibsi-codes.ts). */
  readonly code: string | undefined;
  /** IBSI family prefix: morph, loc, stat, ih, ivh, cm, rlm, szm, dzm, ngt, ngl. */
  readonly family: string;
  /** IBSI code of the family (e.g. 'HCUG' for morph). */
  readonly familyCode: string | undefined;
  /** Texture aggregation (e.g. '3D_comb', '2_5D', '2D_avg'), or 'none'. */
  readonly aggregation: string;
  /** IBSI code of the aggregation method (e.g. 'IAZD' for 3D_comb); undefined for 'none'. */
  readonly aggregationCode: string | undefined;
  readonly value: number;
  /** First 12 hex digits of sha256 of the canonical JSON of the configuration. */
  readonly settingsHash: string;
}

/** Result of computeFeatures: the features and IBSI diagnostic values (keyed by their tags). */
export interface FeatureResult {
  readonly features: Feature[];
  readonly diagnostics: Record<string, number>;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Short settings hash: sha256 of the canonical (sorted-key) JSON of the configuration, 12 hex digits. */
export function settingsHash(config: RadiomicsConfig): string {
  return createHash('sha256').update(canonical(config)).digest('hex').slice(0, 12);
}

function ivhInput(
  roiValues: Float64Array,
  d: Discretisation,
  range: readonly [number | null, number | null] | null,
): { values: Float64Array; lo: number; hi: number; step: number } {
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  for (const x of roiValues) {
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  if (d.method === 'fbn') {
    const span = mx - mn;
    const values = roiValues.map((x) =>
      span > 0 ? (x >= mx ? d.bins : Math.floor((d.bins * (x - mn)) / span) + 1) : 1,
    );
    return { values, lo: 1, hi: d.bins, step: 1 };
  }
  const lo = range?.[0] ?? mn;
  const hi = range?.[1] ?? mx;
  if (d.method === 'fbs') {
    const m = d.min ?? lo;
    const bin = (x: number) => Math.floor((x - m) / d.width + 1e-9);
    const values = roiValues.map((x) => m + (bin(x) + 0.5) * d.width);
    return { values, lo: m + 0.5 * d.width, hi: m + (bin(hi) + 0.5) * d.width, step: d.width };
  }
  return { values: roiValues, lo, hi, step: 1 };
}

/**
 * Computes the IBSI-1 features of the ROI `mask` in `image` with the given configuration: processing
 * (interpolation, rounding, re-segmentation, discretisation) then every implemented feature family.
 */
export function computeFeatures(image: Volume, mask: Mask, config: RadiomicsConfig): FeatureResult {
  validateConfig(config);
  const hash = settingsHash(config);
  const pre = preprocess(image, mask, config);
  const { image: img, morph, intensity } = pre;
  const features: Feature[] = [];
  const push = (tag: string, family: string, aggregation: string, value: number) =>
    features.push({
      tag,
      code: ibsiCode(tag),
      family,
      familyCode: ibsiFamilyCodes[family],
      aggregation,
      aggregationCode: ibsiAggregationCodes[aggregation],
      value,
      settingsHash: hash,
    });
  const add = (r: Record<string, number>, family: string) => {
    for (const [tag, value] of Object.entries(r)) push(tag, family, 'none', value);
  };
  let nRoi = 0;
  for (let i = 0; i < intensity.length; i++) nRoi += intensity[i] ?? 0;
  const roiValues = new Float64Array(nRoi);
  const levels = new Float64Array(nRoi);
  for (let i = 0, k = 0; i < intensity.length; i++) {
    if (intensity[i] !== 1) continue;
    roiValues[k] = img.data[i] ?? 0;
    k++;
  }
  add(morphologyFeatures(img, morph, intensity, config.maxVoxelsForAutocorrelation), 'morph');
  add(localIntensityFeatures(img, intensity), 'loc');
  add(statisticsFeatures(roiValues, 'stat'), 'stat');
  const rangeMin = config.resegmentRange?.[0] ?? null;
  const disc = discretise(img.data, intensity, config.discretisation, rangeMin);
  for (let i = 0, k = 0; i < intensity.length; i++) {
    if (intensity[i] !== 1) continue;
    levels[k] = disc.levels[i] ?? 0;
    k++;
  }
  add(histogramFeatures(levels, disc.ng), 'ih');
  const iv = ivhInput(roiValues, config.ivhDiscretisation, config.resegmentRange);
  add(ivhFeatures(iv.values, iv.lo, iv.hi, iv.step), 'ivh');
  // Texture code relies on a zero border (no bounds checks in its inner loops).
  const box = maskBounds(morph, img.dims);
  const lv = cropGrid(disc.levels, img.dims, box.lo, box.hi, (n) => new Int32Array(n), 1);
  const mm = cropGrid(morph, img.dims, box.lo, box.hi, (n) => new Uint8Array(n), 1);
  const grid = { levels: lv.data, dims: lv.dims, ng: disc.ng };
  const modes =
    config.dimensionality === 'both' ? (['2D', '3D'] as const) : ([config.dimensionality] as const);
  for (const mode of modes) {
    for (const t of textureFeatures(grid, mm.data, mode, config.ngldmAlpha))
      push(t.tag, t.family, t.aggregation, t.value);
  }
  return { features, diagnostics: pre.diagnostics };
}
