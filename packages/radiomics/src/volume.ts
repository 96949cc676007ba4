/**
 * A 3D image on a regular grid. `data` is stored x fastest, then y, then z:
 * index = x + nx * (y + ny * z). `spacing` and `origin` are in mm (origin = centre of voxel 0,0,0).
 */
export interface Volume {
  readonly dims: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  readonly origin: readonly [number, number, number];
  readonly data: Float64Array;
}

/** A binary mask on the same grid as a Volume (1 = inside the region of interest). */
export interface Mask {
  readonly dims: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  readonly origin: readonly [number, number, number];
  readonly data: Uint8Array;
}

/** Number of voxels of a grid. */
export function voxelCount(dims: readonly [number, number, number]): number {
  return dims[0] * dims[1] * dims[2];
}

/** Converts a volume (e.g. a NIfTI mask) to a binary Mask: voxels with value > 0.5 are inside. */
export function toMask(v: Volume): Mask {
  const data = new Uint8Array(v.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (v.data[i] ?? 0) > 0.5 ? 1 : 0;
  return { dims: v.dims, spacing: v.spacing, origin: v.origin, data };
}
