import type { Discretisation } from './config.js';

/** Discretised ROI: grey level per voxel (1..ng, 0 outside the ROI) and the bin layout used. */
export interface Discretised {
  readonly levels: Int32Array;
  /** Number of grey levels (the highest level; matrices have ng rows). */
  readonly ng: number;
  /** Intensity at the lower edge of bin 1 and bin width (intensity units); width 1 and min 0 for 'none'. */
  readonly min: number;
  readonly width: number;
}

/**
 * IBSI discretisation of the voxels inside `mask`. FBN: floor(Ng (x - min)/(max - min)) + 1, max to Ng.
 * FBS: floor((x - min)/w) + 1 with min the re-segmentation lower bound (or the ROI minimum).
 * 'none' keeps the (integer) intensities as grey levels.
 */
export function discretise(
  data: Float64Array,
  mask: Uint8Array,
  d: Discretisation,
  rangeMin: number | null,
): Discretised {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    if (!mask[i]) continue;
    const x = data[i] ?? 0;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const levels = new Int32Array(data.length);
  let ng = 0;
  if (d.method === 'fbn') {
    const span = hi - lo;
    for (let i = 0; i < data.length; i++) {
      if (!mask[i]) continue;
      const x = data[i] ?? 0;
      const l = span > 0 ? (x >= hi ? d.bins : Math.floor((d.bins * (x - lo)) / span) + 1) : 1;
      levels[i] = l;
    }
    return { levels, ng: d.bins, min: lo, width: span / d.bins };
  }
  if (d.method === 'fbs') {
    const m = d.min ?? rangeMin ?? lo;
    for (let i = 0; i < data.length; i++) {
      if (!mask[i]) continue;
      const l = Math.floor(((data[i] ?? 0) - m) / d.width + 1e-9) + 1;
      levels[i] = l;
      if (l > ng) ng = l;
    }
    return { levels, ng, min: m, width: d.width };
  }
  for (let i = 0; i < data.length; i++) {
    if (!mask[i]) continue;
    const l = Math.round(data[i] ?? 0);
    levels[i] = l;
    if (l > ng) ng = l;
  }
  return { levels, ng, min: 0, width: 1 };
}
