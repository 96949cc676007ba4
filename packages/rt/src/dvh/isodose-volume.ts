/** Volume of a dose grid at or above a dose level, each grid point standing for its voxel. */
import type { DoseGrid } from '../dicom/rtdose.js';

export function isodoseVolumeCc(g: DoseGrid, doseGy: number): number {
  const plane = g.nx * g.ny;
  let cc = 0;
  for (let k = 0; k < g.nz; k++) {
    // a frame's thickness: half the gaps to its neighbours (the grid spacing for a single frame)
    const lo = k > 0 ? g.offsets[k]! - g.offsets[k - 1]! : g.nz > 1 ? g.offsets[1]! - g.offsets[0]! : g.dc;
    const hi = k < g.nz - 1 ? g.offsets[k + 1]! - g.offsets[k]! : lo;
    const voxel = (g.dc * g.dr * (lo + hi)) / 2 / 1000;
    let count = 0;
    for (let i = k * plane; i < (k + 1) * plane; i++) if (g.dose[i]! >= doseGy) count++;
    cc += count * voxel;
  }
  return cc;
}
