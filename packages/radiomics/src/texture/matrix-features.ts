/**
 * A counts matrix with rows = grey levels 1..ng and columns = run length / zone size / distance /
 * dependence 1..nj (row-major, index (i-1)*nj + (j-1)), plus the voxel count it was built from.
 */
export interface CountMatrix {
  readonly m: Float64Array;
  readonly ng: number;
  readonly nj: number;
  readonly nv: number;
}

/** Element-wise sum of matrices (sizes padded to the largest), voxel counts summed. */
export function mergeCounts(ms: readonly CountMatrix[]): CountMatrix {
  const ng = Math.max(...ms.map((x) => x.ng));
  const nj = Math.max(...ms.map((x) => x.nj));
  const m = new Float64Array(ng * nj);
  let nv = 0;
  for (const x of ms) {
    nv += x.nv;
    for (let i = 0; i < x.ng; i++)
      for (let j = 0; j < x.nj; j++) m[i * nj + j] = (m[i * nj + j] ?? 0) + (x.m[i * x.nj + j] ?? 0);
  }
  return { m, ng, nj, nv };
}

/** Names of the shared run-length-style features, per family, in the IBSI order of the reference tables. */
export const runLikeNames = {
  rlm: [
    'sre',
    'lre',
    'lgre',
    'hgre',
    'srlge',
    'srhge',
    'lrlge',
    'lrhge',
    'glnu',
    'glnu_norm',
    'rlnu',
    'rlnu_norm',
    'r_perc',
    'gl_var',
    'rl_var',
    'rl_entr',
  ],
  szm: [
    'sze',
    'lze',
    'lgze',
    'hgze',
    'szlge',
    'szhge',
    'lzlge',
    'lzhge',
    'glnu',
    'glnu_norm',
    'zsnu',
    'zsnu_norm',
    'z_perc',
    'gl_var',
    'zs_var',
    'zs_entr',
  ],
  dzm: [
    'sde',
    'lde',
    'lgze',
    'hgze',
    'sdlge',
    'sdhge',
    'ldlge',
    'ldhge',
    'glnu',
    'glnu_norm',
    'zdnu',
    'zdnu_norm',
    'z_perc',
    'gl_var',
    'zd_var',
    'zd_entr',
  ],
  ngl: [
    'lde',
    'hde',
    'lgce',
    'hgce',
    'ldlge',
    'ldhge',
    'hdlge',
    'hdhge',
    'glnu',
    'glnu_norm',
    'dcnu',
    'dcnu_norm',
    'dc_perc',
    'gl_var',
    'dc_var',
    'dc_entr',
  ],
} as const;

/**
 * IBSI features shared by GLRLM, GLSZM, GLDZM and NGLDM (emphases, non-uniformities, percentage,
 * variances, entropy; NGLDM adds energy). Keys are `${family}_${name}` without aggregation suffix.
 */
export function runLikeFeatures(x: CountMatrix, family: keyof typeof runLikeNames): Record<string, number> {
  const { m, ng, nj, nv } = x;
  let ns = 0;
  const acc = new Float64Array(8);
  const rowSum = new Float64Array(ng);
  const colSum = new Float64Array(nj);
  for (let a = 0; a < ng; a++) {
    const i = a + 1;
    for (let b = 0; b < nj; b++) {
      const c = m[a * nj + b] ?? 0;
      if (c === 0) continue;
      const j = b + 1;
      ns += c;
      rowSum[a] = (rowSum[a] ?? 0) + c;
      colSum[b] = (colSum[b] ?? 0) + c;
      const i2 = i * i;
      const j2 = j * j;
      acc[0] = (acc[0] ?? 0) + c / j2;
      acc[1] = (acc[1] ?? 0) + c * j2;
      acc[2] = (acc[2] ?? 0) + c / i2;
      acc[3] = (acc[3] ?? 0) + c * i2;
      acc[4] = (acc[4] ?? 0) + c / (i2 * j2);
      acc[5] = (acc[5] ?? 0) + (c * i2) / j2;
      acc[6] = (acc[6] ?? 0) + (c * j2) / i2;
      acc[7] = (acc[7] ?? 0) + c * i2 * j2;
    }
  }
  let glnu = 0;
  let muI = 0;
  for (let a = 0; a < ng; a++) {
    glnu += (rowSum[a] ?? 0) ** 2;
    muI += ((a + 1) * (rowSum[a] ?? 0)) / ns;
  }
  let jnu = 0;
  let muJ = 0;
  for (let b = 0; b < nj; b++) {
    jnu += (colSum[b] ?? 0) ** 2;
    muJ += ((b + 1) * (colSum[b] ?? 0)) / ns;
  }
  let varI = 0;
  let varJ = 0;
  let entr = 0;
  let energy = 0;
  for (let a = 0; a < ng; a++) {
    for (let b = 0; b < nj; b++) {
      const c = m[a * nj + b] ?? 0;
      if (c === 0) continue;
      const p = c / ns;
      varI += (a + 1 - muI) ** 2 * p;
      varJ += (b + 1 - muJ) ** 2 * p;
      entr -= p * Math.log2(p);
      energy += p * p;
    }
  }
  const values = [
    ...Array.from(acc, (v) => v / ns),
    glnu / ns,
    glnu / (ns * ns),
    jnu / ns,
    jnu / (ns * ns),
    ns / nv,
    varI,
    varJ,
    entr,
  ];
  const out: Record<string, number> = {};
  runLikeNames[family].forEach((name, k) => {
    out[`${family}_${name}`] = values[k] ?? Number.NaN;
  });
  if (family === 'ngl') out.ngl_dc_energy = energy;
  return out;
}
