import type { LevelGrid, Offset, ZRange } from './grid.js';
import { roiCount } from './grid.js';
import type { CountMatrix } from './matrix-features.js';

/** Grey-level run-length counts for one direction over the slice range (runs stay inside the range). */
export function glrlmMatrix(g: LevelGrid, d: Offset, z: ZRange): CountMatrix {
  const [nx, ny] = g.dims;
  const nj = Math.max(nx, ny, z[1] - z[0]);
  const m = new Float64Array(g.ng * nj);
  const inside = (x: number, y: number, k: number) => x >= 0 && y >= 0 && k >= z[0] && x < nx && y < ny && k < z[1];
  const at = (x: number, y: number, k: number) => (inside(x, y, k) ? (g.levels[x + nx * (y + ny * k)] ?? 0) : 0);
  for (let k = z[0]; k < z[1]; k++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const l = at(x, y, k);
        if (l === 0 || at(x - d[0], y - d[1], k - d[2]) === l) continue;
        let len = 1;
        while (at(x + len * d[0], y + len * d[1], k + len * d[2]) === l) len++;
        m[(l - 1) * nj + len - 1] = (m[(l - 1) * nj + len - 1] ?? 0) + 1;
      }
    }
  }
  return { m, ng: g.ng, nj, nv: roiCount(g, z) };
}
