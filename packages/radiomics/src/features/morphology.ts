import { cropGrid, maskBounds } from '../crop.js';
import type { Volume } from '../volume.js';
import { autocorrelationFft } from './autocorrelation.js';
import { meshMorphologyFeatures } from './morphology-mesh.js';

function roiCountOf(roi: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < roi.length; i++) n += roi[i] ?? 0;
  return n;
}

/** Eigenvalues (descending) of a symmetric 3x3 matrix [a11, a22, a33, a12, a13, a23] (trigonometric method). */
export function symmetricEigenvalues3(a: readonly number[]): [number, number, number] {
  const [a11 = 0, a22 = 0, a33 = 0, a12 = 0, a13 = 0, a23 = 0] = a;
  const p1 = a12 * a12 + a13 * a13 + a23 * a23;
  if (p1 === 0) return [a11, a22, a33].sort((x, y) => y - x) as [number, number, number];
  const q = (a11 + a22 + a33) / 3;
  const p2 = (a11 - q) ** 2 + (a22 - q) ** 2 + (a33 - q) ** 2 + 2 * p1;
  const p = Math.sqrt(p2 / 6);
  const b11 = (a11 - q) / p;
  const b22 = (a22 - q) / p;
  const b33 = (a33 - q) / p;
  const b12 = a12 / p;
  const b13 = a13 / p;
  const b23 = a23 / p;
  const detB = b11 * (b22 * b33 - b23 * b23) - b12 * (b12 * b33 - b23 * b13) + b13 * (b12 * b23 - b22 * b13);
  const r = Math.max(-1, Math.min(1, detB / 2));
  const phi = Math.acos(r) / 3;
  const e1 = q + 2 * p * Math.cos(phi);
  const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [e1, 3 * q - e1 - e3, e3];
}

/**
 * Voxel-based IBSI morphological features: approximate volume (mm³), centre-of-mass shift (mm), PCA axis
 * lengths (mm, from the sample covariance), elongation, flatness, Moran's I and Geary's C (inverse-distance
 * weights; exact pairwise sums up to `maxVoxelsForAutocorrelation` ROI voxels, FFT convolution above), plus the mesh-based features of morphology-mesh.ts.
 */
export function morphologyFeatures(
  img: Volume,
  morph: Uint8Array,
  roi: Uint8Array,
  maxVoxelsForAutocorrelation: number,
): Record<string, number> {
  const [nx, ny] = img.dims;
  const [sx, sy, sz] = img.spacing;
  const pos = (i: number) => [(i % nx) * sx, (Math.floor(i / nx) % ny) * sy, Math.floor(i / (nx * ny)) * sz];
  let n = 0;
  const c = [0, 0, 0];
  const cov = [0, 0, 0, 0, 0, 0];
  const pts: number[][] = [];
  for (let i = 0; i < morph.length; i++) {
    if (!morph[i]) continue;
    const p = pos(i);
    pts.push(p);
    n++;
    for (let a = 0; a < 3; a++) c[a] = (c[a] ?? 0) + (p[a] ?? 0);
  }
  const cm = c.map((v) => v / n);
  for (const p of pts) {
    const d = p.map((v, a) => v - (cm[a] ?? 0));
    const [dx = 0, dy = 0, dz = 0] = d;
    const terms = [dx * dx, dy * dy, dz * dz, dx * dy, dx * dz, dy * dz];
    terms.forEach((t, k) => {
      cov[k] = (cov[k] ?? 0) + t / (n - 1);
    });
  }
  const [l1, l2, l3] = symmetricEigenvalues3(cov);
  const gl = [0, 0, 0];
  let wsum = 0;
  const vals: number[] = [];
  const vpos: number[][] = [];
  for (let i = 0; i < roi.length; i++) {
    if (!roi[i]) continue;
    const x = img.data[i] ?? 0;
    const p = pos(i);
    vals.push(x);
    vpos.push(p);
    wsum += x;
    for (let a = 0; a < 3; a++) gl[a] = (gl[a] ?? 0) + x * (p[a] ?? 0);
  }
  const out: Record<string, number> = {
    ...meshMorphologyFeatures(morph, img.dims, img.spacing, [l1, l2, l3], wsum / roiCountOf(roi)),
    morph_vol_approx: n * sx * sy * sz,
    morph_com: Math.hypot(...gl.map((v, a) => v / wsum - (cm[a] ?? 0))),
    morph_pca_maj_axis: 4 * Math.sqrt(l1),
    morph_pca_min_axis: 4 * Math.sqrt(l2),
    morph_pca_least_axis: 4 * Math.sqrt(Math.max(0, l3)),
    morph_pca_elongation: Math.sqrt(l2 / l1),
    morph_pca_flatness: Math.sqrt(Math.max(0, l3) / l1),
  };
  if (vals.length <= maxVoxelsForAutocorrelation && vals.length > 1) {
    Object.assign(out, autocorrelation(Float64Array.from(vals), Float64Array.from(vpos.flat())));
  } else if (vals.length > 1) {
    const box = maskBounds(roi, img.dims);
    const d = cropGrid(img.data, img.dims, box.lo, box.hi, (k) => new Float64Array(k), 0);
    const r = cropGrid(roi, img.dims, box.lo, box.hi, (k) => new Uint8Array(k), 0);
    Object.assign(out, autocorrelationFft(d.data, r.data, d.dims, img.spacing));
  }
  return out;
}

/**
 * Moran's I and Geary's C of intensities `x` at positions `pos` (x, y, z triples in mm) with
 * inverse-distance weights over all pairs: exact, O(n²).
 */
export function autocorrelation(x: Float64Array, pos: Float64Array): Record<string, number> {
  const m = x.length;
  let mu = 0;
  for (let i = 0; i < m; i++) mu += x[i] ?? 0;
  mu /= m;
  let den = 0;
  for (let i = 0; i < m; i++) den += ((x[i] ?? 0) - mu) ** 2;
  let w = 0;
  let num = 0;
  let gnum = 0;
  for (let i = 0; i < m; i++) {
    const xi = pos[3 * i] ?? 0;
    const yi = pos[3 * i + 1] ?? 0;
    const zi = pos[3 * i + 2] ?? 0;
    const vi = x[i] ?? 0;
    let wr = 0;
    let nr = 0;
    let gr = 0;
    for (let j = i + 1; j < m; j++) {
      const dx = xi - (pos[3 * j] ?? 0);
      const dy = yi - (pos[3 * j + 1] ?? 0);
      const dz = zi - (pos[3 * j + 2] ?? 0);
      const wij = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz);
      const vj = x[j] ?? 0;
      wr += wij;
      nr += wij * (vj - mu);
      gr += wij * (vi - vj) * (vi - vj);
    }
    w += 2 * wr;
    num += 2 * (vi - mu) * nr;
    gnum += 2 * gr;
  }
  return {
    morph_moran_i: den > 0 ? ((m / w) * num) / den : Number.NaN,
    morph_geary_c: den > 0 ? ((m - 1) * gnum) / (2 * w * den) : Number.NaN,
  };
}
