import type { LevelGrid, Offset, ZRange } from './grid.js';

/**
 * Symmetric grey-level co-occurrence counts (ng x ng, row-major, level i at index i-1) for one direction:
 * each pair of ROI voxels (v, v + d) within the slice range is counted as (i, j) and (j, i).
 */
export function glcmMatrix(g: LevelGrid, d: Offset, z: ZRange): Float64Array {
  const [nx, ny] = g.dims;
  const ng = g.ng;
  const m = new Float64Array(ng * ng);
  for (let k = z[0]; k < z[1]; k++) {
    const k2 = k + d[2];
    if (k2 < z[0] || k2 >= z[1]) continue;
    for (let y = 0; y < ny; y++) {
      const y2 = y + d[1];
      if (y2 < 0 || y2 >= ny) continue;
      for (let x = 0; x < nx; x++) {
        const x2 = x + d[0];
        if (x2 < 0 || x2 >= nx) continue;
        const a = g.levels[x + nx * (y + ny * k)] ?? 0;
        if (a === 0) continue;
        const b = g.levels[x2 + nx * (y2 + ny * k2)] ?? 0;
        if (b === 0) continue;
        m[(a - 1) * ng + b - 1] = (m[(a - 1) * ng + b - 1] ?? 0) + 1;
        m[(b - 1) * ng + a - 1] = (m[(b - 1) * ng + a - 1] ?? 0) + 1;
      }
    }
  }
  return m;
}

/** IBSI GLCM features (keys `cm_*` without aggregation suffix) of a co-occurrence count matrix. */
export function glcmFeatures(counts: Float64Array, ng: number): Record<string, number> {
  let total = 0;
  for (const c of counts) total += c;
  const p = counts.map((c) => c / total);
  const pi = new Float64Array(ng);
  const pj = new Float64Array(ng);
  const pMinus = new Float64Array(ng);
  const pPlus = new Float64Array(2 * ng + 1);
  let jmax = 0;
  let jentr = 0;
  let energy = 0;
  let contrast = 0;
  let dissim = 0;
  let invDiff = 0;
  let invDiffNorm = 0;
  let idm = 0;
  let idmn = 0;
  let autoCorr = 0;
  for (let a = 0; a < ng; a++) {
    for (let b = 0; b < ng; b++) {
      const v = p[a * ng + b] ?? 0;
      if (v === 0) continue;
      const i = a + 1;
      const j = b + 1;
      const dd = Math.abs(i - j);
      pi[a] = (pi[a] ?? 0) + v;
      pj[b] = (pj[b] ?? 0) + v;
      pMinus[dd] = (pMinus[dd] ?? 0) + v;
      pPlus[i + j] = (pPlus[i + j] ?? 0) + v;
      if (v > jmax) jmax = v;
      jentr -= v * Math.log2(v);
      energy += v * v;
      contrast += dd * dd * v;
      dissim += dd * v;
      invDiff += v / (1 + dd);
      invDiffNorm += v / (1 + dd / ng);
      idm += v / (1 + dd * dd);
      idmn += v / (1 + (dd * dd) / (ng * ng));
      autoCorr += i * j * v;
    }
  }
  let muI = 0;
  let muJ = 0;
  for (let a = 0; a < ng; a++) {
    muI += (a + 1) * (pi[a] ?? 0);
    muJ += (a + 1) * (pj[a] ?? 0);
  }
  let jvar = 0;
  let sdI = 0;
  let sdJ = 0;
  let tend = 0;
  let shade = 0;
  let prom = 0;
  let hxy1 = 0;
  let hxy2 = 0;
  for (let a = 0; a < ng; a++) {
    sdI += (a + 1 - muI) ** 2 * (pi[a] ?? 0);
    sdJ += (a + 1 - muJ) ** 2 * (pj[a] ?? 0);
    for (let b = 0; b < ng; b++) {
      const pp = (pi[a] ?? 0) * (pj[b] ?? 0);
      if (pp > 0) hxy2 -= pp * Math.log2(pp);
      const v = p[a * ng + b] ?? 0;
      if (v === 0) continue;
      jvar += (a + 1 - muI) ** 2 * v;
      const s = a + 1 + b + 1 - muI - muJ;
      tend += s * s * v;
      shade += s * s * s * v;
      prom += s * s * s * s * v;
      hxy1 -= v * Math.log2(pp);
    }
  }
  let hx = 0;
  for (const v of pi) if (v > 0) hx -= v * Math.log2(v);
  let diffAvg = 0;
  let diffEntr = 0;
  let invVar = 0;
  for (let k = 0; k < ng; k++) {
    const v = pMinus[k] ?? 0;
    diffAvg += k * v;
    if (v > 0) diffEntr -= v * Math.log2(v);
    if (k > 0) invVar += v / (k * k);
  }
  let diffVar = 0;
  for (let k = 0; k < ng; k++) diffVar += (k - diffAvg) ** 2 * (pMinus[k] ?? 0);
  let sumAvg = 0;
  let sumEntr = 0;
  for (let k = 2; k <= 2 * ng; k++) {
    const v = pPlus[k] ?? 0;
    sumAvg += k * v;
    if (v > 0) sumEntr -= v * Math.log2(v);
  }
  let sumVar = 0;
  for (let k = 2; k <= 2 * ng; k++) sumVar += (k - sumAvg) ** 2 * (pPlus[k] ?? 0);
  const sd = Math.sqrt(sdI) * Math.sqrt(sdJ);
  return {
    cm_joint_max: jmax,
    cm_joint_avg: muI,
    cm_joint_var: jvar,
    cm_joint_entr: jentr,
    cm_diff_avg: diffAvg,
    cm_diff_var: diffVar,
    cm_diff_entr: diffEntr,
    cm_sum_avg: sumAvg,
    cm_sum_var: sumVar,
    cm_sum_entr: sumEntr,
    cm_energy: energy,
    cm_contrast: contrast,
    cm_dissimilarity: dissim,
    cm_inv_diff: invDiff,
    cm_inv_diff_norm: invDiffNorm,
    cm_inv_diff_mom: idm,
    cm_inv_diff_mom_norm: idmn,
    cm_inv_var: invVar,
    cm_corr: sd > 0 ? (autoCorr - muI * muJ) / sd : Number.NaN,
    cm_auto_corr: autoCorr,
    cm_clust_tend: tend,
    cm_clust_shade: shade,
    cm_clust_prom: prom,
    cm_info_corr1: hx > 0 ? (jentr - hxy1) / hx : Number.NaN,
    cm_info_corr2: Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy2 - jentr)))),
  };
}
