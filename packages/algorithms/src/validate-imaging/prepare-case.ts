/**
 * One case through the card's preprocessing: the image (and the reference structure, where there is one)
 * resampled to the card's spacing, the crop/pad window, the normalised window as the model's inputs; and
 * back: the model's outputs as a case score or as a mask on the whole resampled grid.
 */
import type { ImagingOutput, ImagingPreprocessing } from '@fedhub/protocol';
import type { Mask, Volume } from '@fedhub/radiomics';
import {
  boundingBoxCentre,
  cropOrPad,
  type InputTensor,
  intensityMap,
  outputMask,
  pasteWindow,
  resampleImage,
  resampleMask,
  slicesWith,
  toInputs,
  type Vec3,
  windowStart,
} from './preprocess.js';

/** Why a case could not be scored: reasons only (they are counted; no case is ever named). */
export const CASE_FAILURES = [
  'unreadable-series',
  'no-structure',
  'no-label',
  'shape-mismatch',
  'nan-output',
  'model-error',
] as const;
export type CaseFailure = (typeof CASE_FAILURES)[number];

export interface PreparedCase {
  /** The resampled grid (the metrics are computed on it). */
  readonly dims: Vec3;
  readonly spacing: Vec3;
  /** The window: first voxel on the grid and size. */
  readonly start: Vec3;
  readonly size: Vec3;
  readonly inputs: InputTensor[];
  /** The reference structure on the resampled grid (nearest neighbour); null without one. */
  readonly reference: Mask | null;
}

/**
 * Resamples, crops/pads and normalises one case. `reference` is on the image's grid. Fails with
 * 'no-structure' when the crop or the slices follow a structure the case does not have.
 */
export function prepareCase(
  image: Volume,
  reference: Mask | null,
  pp: ImagingPreprocessing,
): PreparedCase | { reason: CaseFailure } {
  const img = resampleImage(image, pp.spacing);
  const ref = reference ? resampleMask(reference, pp.spacing) : null;
  const dims = [...img.dims] as Vec3;
  const size: Vec3 = [pp.size[0], pp.size[1], pp.size[2] ?? dims[2]];
  let centre: Vec3 | null = null;
  if (pp.crop === 'structure') {
    centre = ref ? boundingBoxCentre(ref) : null;
    if (!centre) return { reason: 'no-structure' };
    // every slice kept: the window is centred in-plane only
    if (pp.size[2] === null) centre[2] = (dims[2] - 1) / 2;
  }
  const start = windowStart(dims, size, centre);
  const map = intensityMap(pp.intensity, img.data);
  const raw = cropOrPad(img.data, dims, start, size, pp.padValue);
  const window = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) window[i] = map(raw[i] as number);
  let slices: number[] | undefined;
  if (pp.mode === '2d' && pp.slices === 'structure') {
    if (!ref) return { reason: 'no-structure' };
    slices = slicesWith(cropOrPad(ref.data, dims, start, size, 0), size);
    if (slices.length === 0) return { reason: 'no-structure' };
  }
  return {
    dims,
    spacing: [...img.spacing] as Vec3,
    start,
    size,
    inputs: toInputs(window, size, pp, slices),
    reference: ref,
  };
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** The case's score from its outputs (one per input): the card's element, logistic where a logit, the slices' max or mean. */
export function caseScore(
  outputs: ReadonlyArray<ArrayLike<number>>,
  out: Extract<ImagingOutput, { task: 'classification' }>,
  aggregation: ImagingPreprocessing['sliceAggregation'],
): number | { reason: CaseFailure } {
  const scores: number[] = [];
  for (const o of outputs) {
    if (out.index >= o.length) return { reason: 'shape-mismatch' };
    const v = o[out.index] as number;
    if (!Number.isFinite(v)) return { reason: 'nan-output' };
    scores.push(out.scale === 'logit' ? logistic(v) : v);
  }
  if (scores.length === 0) return { reason: 'no-structure' };
  return aggregation === 'max' ? Math.max(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** The predicted mask on the whole resampled grid from the outputs (one per input, in input order). */
export function predictedMask(
  prepared: PreparedCase,
  outputs: ReadonlyArray<ArrayLike<number>>,
  out: Extract<ImagingOutput, { task: 'segmentation' }>,
  layout: ImagingPreprocessing['layout'],
): Uint8Array | { reason: CaseFailure } {
  const { size, inputs } = prepared;
  const plane = size[0] * size[1];
  const window = new Uint8Array(plane * size[2]);
  for (const [n, o] of outputs.entries()) {
    const input = inputs[n] as InputTensor;
    const voxels = input.slice === null ? plane * size[2] : plane;
    const m = outputMask(o, voxels, layout, out.channel, out.threshold);
    if (m === null) return { reason: 'shape-mismatch' };
    if (m === 'nan') return { reason: 'nan-output' };
    window.set(m, input.slice === null ? 0 : input.slice * plane);
  }
  return pasteWindow(window, size, prepared.start, prepared.dims);
}
