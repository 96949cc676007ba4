/** Bounding box [lo, hi] (inclusive voxel indices per axis) of the non-zero voxels of a mask. */
export function maskBounds(
  mask: Uint8Array,
  dims: readonly [number, number, number],
): { lo: number[]; hi: number[] } {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        if (x < (lo[0] ?? 0)) lo[0] = x;
        if (x > (hi[0] ?? 0)) hi[0] = x;
        if (y < (lo[1] ?? 0)) lo[1] = y;
        if (y > (hi[1] ?? 0)) hi[1] = y;
        if (z < (lo[2] ?? 0)) lo[2] = z;
        if (z > (hi[2] ?? 0)) hi[2] = z;
      }
    }
  }
  return { lo, hi };
}

/**
 * Copies the box [lo, hi] of a grid (x fastest) into a new grid with a border of `margin` zero voxels. Texture features only look at ROI voxels and their
 * neighbours inside the ROI, so cropping to the ROI box changes no value and saves most of the work.
 */
export function cropGrid<T extends Int32Array | Uint8Array | Float64Array>(
  src: T,
  dims: readonly [number, number, number],
  lo: readonly number[],
  hi: readonly number[],
  make: (n: number) => T,
  margin: number,
): { data: T; dims: [number, number, number] } {
  const [nx, ny] = dims;
  const cd: [number, number, number] = [
    (hi[0] ?? 0) - (lo[0] ?? 0) + 1 + 2 * margin,
    (hi[1] ?? 0) - (lo[1] ?? 0) + 1 + 2 * margin,
    (hi[2] ?? 0) - (lo[2] ?? 0) + 1 + 2 * margin,
  ];
  const out = make(cd[0] * cd[1] * cd[2]);
  for (let z = lo[2] ?? 0; z <= (hi[2] ?? 0); z++) {
    for (let y = lo[1] ?? 0; y <= (hi[1] ?? 0); y++) {
      const row = nx * (y + ny * z);
      let o = margin + cd[0] * (y - (lo[1] ?? 0) + margin + cd[1] * (z - (lo[2] ?? 0) + margin));
      for (let x = lo[0] ?? 0; x <= (hi[0] ?? 0); x++, o++) out[o] = src[row + x] ?? 0;
    }
  }
  return { data: out, dims: cd };
}
