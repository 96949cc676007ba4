import type { LevelGrid, ZRange } from './grid.js';
import { linearOffset, neighbourOffsets, roiCount } from './grid.js';
import type { CountMatrix } from './matrix-features.js';

/** NGTDM sums: per grey level, the count n_i of voxels with at least one ROI neighbour and s_i. */
export interface Ngtdm {
  readonly n: Float64Array;
  readonly s: Float64Array;
}

/**
 * NGTDM and NGLDM of the slice range (Chebyshev distance 1, neighbours outside the ROI ignored).
 * NGLDM: dependence j = 1 + number of ROI neighbours whose level differs by at most alpha.
 */
export function neighbourhoodMatrices(
  g: LevelGrid,
  z: ZRange,
  planar: boolean,
  alpha: number,
): { ngtdm: Ngtdm; ngldm: CountMatrix } {
  const offs = Int32Array.from(neighbourOffsets(planar), (d) => linearOffset(d, g.dims));
  const nj = offs.length + 1;
  const n = new Float64Array(g.ng);
  const s = new Float64Array(g.ng);
  const dm = new Float64Array(g.ng * nj);
  const lv = g.levels;
  const plane = g.dims[0] * g.dims[1];
  for (let i = z[0] * plane; i < z[1] * plane; i++) {
    const l = lv[i] ?? 0;
    if (l === 0) continue;
    let sum = 0;
    let cnt = 0;
    let dep = 1;
    for (let q = 0; q < offs.length; q++) {
      const m = lv[i + (offs[q] ?? 0)] ?? 0;
      if (m === 0) continue;
      sum += m;
      cnt++;
      if (Math.abs(m - l) <= alpha) dep++;
    }
    dm[(l - 1) * nj + dep - 1] = (dm[(l - 1) * nj + dep - 1] ?? 0) + 1;
    if (cnt === 0) continue;
    n[l - 1] = (n[l - 1] ?? 0) + 1;
    s[l - 1] = (s[l - 1] ?? 0) + Math.abs(l - sum / cnt);
  }
  return { ngtdm: { n, s }, ngldm: { m: dm, ng: g.ng, nj, nv: roiCount(g, z) } };
}

/** Sum of NGTDMs (2.5D merging). */
export function mergeNgtdm(ms: readonly Ngtdm[]): Ngtdm {
  const ng = Math.max(...ms.map((m) => m.n.length));
  const n = new Float64Array(ng);
  const s = new Float64Array(ng);
  for (const m of ms) {
    m.n.forEach((v, i) => {
      n[i] = (n[i] ?? 0) + v;
    });
    m.s.forEach((v, i) => {
      s[i] = (s[i] ?? 0) + v;
    });
  }
  return { n, s };
}

/** IBSI NGTDM features: coarseness, contrast, busyness, complexity, strength. */
export function ngtdmFeatures(t: Ngtdm): Record<string, number> {
  const ng = t.n.length;
  let nvc = 0;
  for (const v of t.n) nvc += v;
  const p = t.n.map((v) => v / nvc);
  const levels: number[] = [];
  for (let i = 0; i < ng; i++) if ((p[i] ?? 0) > 0) levels.push(i);
  const ngp = levels.length;
  let ps = 0;
  let sSum = 0;
  for (const i of levels) {
    ps += (p[i] ?? 0) * (t.s[i] ?? 0);
    sSum += t.s[i] ?? 0;
  }
  let con = 0;
  let busyDen = 0;
  let complexity = 0;
  let strength = 0;
  for (const a of levels) {
    for (const b of levels) {
      const pa = p[a] ?? 0;
      const pb = p[b] ?? 0;
      const d = a - b;
      con += pa * pb * d * d;
      busyDen += Math.abs((a + 1) * pa - (b + 1) * pb);
      complexity += (Math.abs(d) * (pa * (t.s[a] ?? 0) + pb * (t.s[b] ?? 0))) / (pa + pb);
      strength += (pa + pb) * d * d;
    }
  }
  return {
    ngt_coarseness: ps > 0 ? 1 / ps : 1e6,
    ngt_contrast: ngp > 1 ? (con / (ngp * (ngp - 1))) * (sSum / nvc) : 0,
    ngt_busyness: busyDen > 0 ? ps / busyDen : 0,
    ngt_complexity: complexity / nvc,
    ngt_strength: sSum > 0 ? strength / sSum : 0,
  };
}
