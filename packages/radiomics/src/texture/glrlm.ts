import type { LevelGrid, Offset, ZRange } from './grid.js';
import { linearOffset, roiCount } from './grid.js';
import type { CountMatrix } from './matrix-features.js';

/** Grey-level run-length counts for one direction over the slice range (runs stop at the zero border). */
export function glrlmMatrix(g: LevelGrid, d: Offset, z: ZRange): CountMatrix {
  const [nx, ny] = g.dims;
  const nj = Math.max(nx, ny, z[1] - z[0]);
  const m = new Float64Array(g.ng * nj);
  const step = linearOffset(d, g.dims);
  const lv = g.levels;
  const plane = nx * ny;
  const zLo = z[0] * plane;
  const zHi = z[1] * plane;
  // Steps in z leave the slice range of a 2D slice; treat those voxels as outside.
  const inRange = (j: number) => j >= zLo && j < zHi;
  for (let i = zLo; i < zHi; i++) {
    const l = lv[i] ?? 0;
    if (l === 0) continue;
    const prev = i - step;
    if (inRange(prev) && lv[prev] === l) continue;
    let len = 1;
    let j = i + step;
    while (inRange(j) && lv[j] === l) {
      len++;
      j += step;
    }
    m[(l - 1) * nj + len - 1] = (m[(l - 1) * nj + len - 1] ?? 0) + 1;
  }
  return { m, ng: g.ng, nj, nv: roiCount(g, z) };
}
