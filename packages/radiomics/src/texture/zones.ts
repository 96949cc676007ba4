import type { LevelGrid, ZRange } from './grid.js';
import { linearOffset, neighbourOffsets, roiCount } from './grid.js';
import type { CountMatrix } from './matrix-features.js';

/**
 * Distance of each voxel of `roi` to the ROI edge in the slice range: steps through face neighbours
 * (4 in-plane, 6 in 3D) to the nearest voxel outside the ROI or the grid; edge voxels have distance 1.
 */
export function distanceMap(
  roi: Uint8Array,
  dims: readonly number[],
  z: ZRange,
  planar: boolean,
): Int32Array {
  const [nx = 1, ny = 1] = dims;
  const dist = new Int32Array(roi.length);
  const queue: number[] = [];
  const steps = planar
    ? [
        [1, 0, 0],
        [-1, 0, 0],
        [0, 1, 0],
        [0, -1, 0],
      ]
    : [
        [1, 0, 0],
        [-1, 0, 0],
        [0, 1, 0],
        [0, -1, 0],
        [0, 0, 1],
        [0, 0, -1],
      ];
  for (let k = z[0]; k < z[1]; k++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * k);
        if (!roi[i]) continue;
        for (const [dx = 0, dy = 0, dz = 0] of steps) {
          const a = x + dx;
          const b = y + dy;
          const c = k + dz;
          if (a < 0 || b < 0 || c < z[0] || a >= nx || b >= ny || c >= z[1] || !roi[a + nx * (b + ny * c)]) {
            dist[i] = 1;
            queue.push(i);
            break;
          }
        }
      }
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const i = queue[h] ?? 0;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const k = Math.floor(i / (nx * ny));
    for (const [dx = 0, dy = 0, dz = 0] of steps) {
      const a = x + dx;
      const b = y + dy;
      const c = k + dz;
      if (a < 0 || b < 0 || c < z[0] || a >= nx || b >= ny || c >= z[1]) continue;
      const j = a + nx * (b + ny * c);
      if (!roi[j] || dist[j]) continue;
      dist[j] = (dist[i] ?? 0) + 1;
      queue.push(j);
    }
  }
  return dist;
}

/**
 * Size-zone (GLSZM) and distance-zone (GLDZM) counts: zones are groups of connected voxels (8- or
 * 26-connected) with the same grey level (the grid needs its zero border); the zone distance is the smallest edge distance of its voxels.
 */
export function zoneMatrices(
  g: LevelGrid,
  morph: Uint8Array,
  z: ZRange,
  planar: boolean,
): { szm: CountMatrix; dzm: CountMatrix } {
  const [nx, ny] = g.dims;
  const dist = distanceMap(morph, g.dims, z, planar);
  const seen = new Uint8Array(g.levels.length);
  const offs = Int32Array.from(neighbourOffsets(planar), (d) => linearOffset(d, g.dims));
  const zones: { l: number; size: number; d: number }[] = [];
  const stack: number[] = [];
  const lv = g.levels;
  for (let i = z[0] * nx * ny; i < z[1] * nx * ny; i++) {
    const l = lv[i] ?? 0;
    if (l === 0 || seen[i]) continue;
    seen[i] = 1;
    stack.push(i);
    let size = 0;
    let dmin = Number.POSITIVE_INFINITY;
    while (stack.length > 0) {
      const v = stack.pop() ?? 0;
      size++;
      const dv = dist[v] || 1;
      if (dv < dmin) dmin = dv;
      for (let q = 0; q < offs.length; q++) {
        const j = v + (offs[q] ?? 0);
        if (seen[j] || lv[j] !== l) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    zones.push({ l, size, d: dmin });
  }
  let maxSize = 1;
  let maxD = 1;
  for (const q of zones) {
    if (q.size > maxSize) maxSize = q.size;
    if (q.d > maxD) maxD = q.d;
  }
  const szm = new Float64Array(g.ng * maxSize);
  const dzm = new Float64Array(g.ng * maxD);
  for (const q of zones) {
    szm[(q.l - 1) * maxSize + q.size - 1] = (szm[(q.l - 1) * maxSize + q.size - 1] ?? 0) + 1;
    dzm[(q.l - 1) * maxD + q.d - 1] = (dzm[(q.l - 1) * maxD + q.d - 1] ?? 0) + 1;
  }
  const nv = roiCount(g, z);
  return { szm: { m: szm, ng: g.ng, nj: maxSize, nv }, dzm: { m: dzm, ng: g.ng, nj: maxD, nv } };
}
