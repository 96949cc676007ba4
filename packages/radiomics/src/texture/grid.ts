/**
 * A grid of discretised grey levels (0 = outside the ROI), x fastest. The outermost layer of voxels must
 * be 0 (a zero border): texture loops step to neighbours by linear offsets without bounds checks.
 */
export interface LevelGrid {
  readonly levels: Int32Array;
  readonly dims: readonly [number, number, number];
  /** Number of grey levels (matrices have rows 1..ng). */
  readonly ng: number;
}

/** A voxel offset (dx, dy, dz). */
export type Offset = readonly [number, number, number];

/** The 13 unique 3D directions of a 26-neighbourhood (each stands for itself and its opposite). */
export const directions3D: readonly Offset[] = [
  [1, 0, 0],
  [0, 1, 0],
  [1, 1, 0],
  [1, -1, 0],
  [0, 0, 1],
  [1, 0, 1],
  [1, 0, -1],
  [0, 1, 1],
  [0, 1, -1],
  [1, 1, 1],
  [1, 1, -1],
  [1, -1, 1],
  [1, -1, -1],
];

/** The 4 unique in-plane directions of an 8-neighbourhood. */
export const directions2D: readonly Offset[] = directions3D.slice(0, 4);

/** All 26 (3D) or 8 (in-plane) neighbour offsets at Chebyshev distance 1. */
export function neighbourOffsets(planar: boolean): Offset[] {
  const out: Offset[] = [];
  for (const d of planar ? directions2D : directions3D) {
    out.push(d, [-d[0], -d[1], -d[2]]);
  }
  return out;
}

/** Slice range [z0, z1) to work on: one slice (2D) or the whole volume. */
export type ZRange = readonly [number, number];

/** Number of ROI voxels in the slice range. */
export function roiCount(g: LevelGrid, z: ZRange): number {
  const plane = g.dims[0] * g.dims[1];
  let n = 0;
  for (let i = z[0] * plane; i < z[1] * plane; i++) if ((g.levels[i] ?? 0) > 0) n++;
  return n;
}

/** Linear index offset of a voxel offset on a grid. */
export function linearOffset(d: Offset, dims: readonly number[]): number {
  return d[0] + (dims[0] ?? 1) * (d[1] + (dims[1] ?? 1) * d[2]);
}
