/**
 * Dose at any point of patient space by trilinear interpolation on a dose grid (frames may be unevenly
 * spaced). Points up to half a voxel beyond the outermost grid points take the edge value (as the dose
 * voxels extend there); points further out are outside the grid (NaN).
 */

import type { DoseGrid } from '../dicom/rtdose.js';

export interface DoseSampler {
  /** Dose (Gy) at patient point (x, y, z), or NaN outside the grid. */
  at(x: number, y: number, z: number): number;
}

export function doseSampler(g: DoseGrid): DoseSampler {
  const { nx, ny, nz, dose, offsets } = g;
  const plane = nx * ny;
  const o = g.origin;
  const lastGap = nz > 1 ? offsets[nz - 1]! - offsets[nz - 2]! : Math.min(g.dc, g.dr);
  const firstGap = nz > 1 ? offsets[1]! - offsets[0]! : Math.min(g.dc, g.dr);
  const tMin = offsets[0]! - firstGap / 2;
  const tMax = offsets[nz - 1]! + lastGap / 2;
  const eps = 1e-6;
  const bilinear = (k: number, u: number, v: number): number => {
    const i0 = Math.min(Math.floor(u), nx - 2);
    const j0 = Math.min(Math.floor(v), ny - 2);
    if (nx === 1 && ny === 1) return dose[k * plane]!;
    if (nx === 1) {
      const fv = v - j0;
      return dose[k * plane + j0]! * (1 - fv) + dose[k * plane + j0 + 1]! * fv;
    }
    if (ny === 1) {
      const fu = u - i0;
      return dose[k * plane + i0]! * (1 - fu) + dose[k * plane + i0 + 1]! * fu;
    }
    const fu = u - i0;
    const fv = v - j0;
    const b = k * plane + j0 * nx + i0;
    return (
      (dose[b]! * (1 - fu) + dose[b + 1]! * fu) * (1 - fv) +
      (dose[b + nx]! * (1 - fu) + dose[b + nx + 1]! * fu) * fv
    );
  };
  const [ox, oy, oz] = o;
  const [rx, ry, rz] = g.row;
  const [cx, cy, cz] = g.col;
  const [nx0, ny0, nz0] = g.normal;
  return {
    at(x, y, z) {
      const px = x - ox;
      const py = y - oy;
      const pz = z - oz;
      let u = (px * rx + py * ry + pz * rz) / g.dc;
      let v = (px * cx + py * cy + pz * cz) / g.dr;
      const t = px * nx0 + py * ny0 + pz * nz0;
      if (u < -0.5 - eps || u > nx - 0.5 + eps || v < -0.5 - eps || v > ny - 0.5 + eps) return Number.NaN;
      if (t < tMin - eps || t > tMax + eps) return Number.NaN;
      u = Math.min(Math.max(u, 0), nx - 1);
      v = Math.min(Math.max(v, 0), ny - 1);
      if (nz === 1 || t <= offsets[0]!) return bilinear(0, u, v);
      if (t >= offsets[nz - 1]!) return bilinear(nz - 1, u, v);
      let lo = 0;
      let hi = nz - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid]! <= t) lo = mid;
        else hi = mid;
      }
      const f = (t - offsets[lo]!) / (offsets[hi]! - offsets[lo]!);
      const a = bilinear(lo, u, v);
      return f === 0 ? a : a * (1 - f) + bilinear(hi, u, v) * f;
    },
  };
}
