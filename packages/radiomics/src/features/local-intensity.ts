import type { Volume } from '../volume.js';

/**
 * IBSI local intensity peaks: mean intensity of the image in a 1 cm³ sphere (radius 6.2035 mm) around
 * voxel centres. Local: around the highest-intensity ROI voxel(s) (the largest mean if several);
 * global: the largest such mean over all ROI voxels.
 */
export function localIntensityFeatures(img: Volume, roi: Uint8Array): Record<string, number> {
  const [nx, ny, nz] = img.dims;
  const [sx, sy, sz] = img.spacing;
  const r = 10 * Math.cbrt(3 / (4 * Math.PI));
  const offs: number[][] = [];
  const rx = Math.floor(r / sx);
  const ry = Math.floor(r / sy);
  const rz = Math.floor(r / sz);
  for (let c = -rz; c <= rz; c++)
    for (let b = -ry; b <= ry; b++)
      for (let a = -rx; a <= rx; a++)
        if ((a * sx) ** 2 + (b * sy) ** 2 + (c * sz) ** 2 <= r * r) offs.push([a, b, c]);
  // Flat index offsets: voxels whose sphere lies inside the grid (nearly all) are summed without checks.
  const flat = Int32Array.from(offs, ([a = 0, b = 0, c = 0]) => a + nx * (b + ny * c));
  const data = img.data;
  const sphereMean = (i: number) => {
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    let s = 0;
    if (x >= rx && y >= ry && z >= rz && x + rx < nx && y + ry < ny && z + rz < nz) {
      for (let k = 0; k < flat.length; k++) s += data[i + (flat[k] as number)] as number;
      return s / flat.length;
    }
    let n = 0;
    for (const [a = 0, b = 0, c = 0] of offs) {
      const p = x + a;
      const q = y + b;
      const t = z + c;
      if (p < 0 || q < 0 || t < 0 || p >= nx || q >= ny || t >= nz) continue;
      s += data[p + nx * (q + ny * t)] ?? 0;
      n++;
    }
    return s / n;
  };
  let maxI = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < roi.length; i++) if (roi[i] && (img.data[i] ?? 0) > maxI) maxI = img.data[i] ?? 0;
  let local = Number.NEGATIVE_INFINITY;
  let global = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < roi.length; i++) {
    if (!roi[i]) continue;
    const m = sphereMean(i);
    if (m > global) global = m;
    if (img.data[i] === maxI && m > local) local = m;
  }
  return { loc_peak_loc: local, loc_peak_glob: global };
}
