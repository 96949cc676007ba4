import type { Volume } from '../volume.js';
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
 * lengths (mm, from the sample covariance), elongation, flatness and, when the ROI is small enough, Moran's I and Geary's C
 * (inverse-distance weights, O(n²)), plus the mesh-based features of morphology-mesh.ts.
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
  const m = vals.length;
  if (m <= maxVoxelsForAutocorrelation && m > 1) {
    const mu = vals.reduce((a, b) => a + b, 0) / m;
    let den = 0;
    for (const v of vals) den += (v - mu) ** 2;
    let w = 0;
    let num = 0;
    let gnum = 0;
    for (let i = 0; i < m; i++) {
      const [xi = 0, yi = 0, zi = 0] = vpos[i] ?? [];
      const di = (vals[i] ?? 0) - mu;
      for (let j = i + 1; j < m; j++) {
        const [xj = 0, yj = 0, zj = 0] = vpos[j] ?? [];
        const wij = 1 / Math.sqrt((xi - xj) ** 2 + (yi - yj) ** 2 + (zi - zj) ** 2);
        w += 2 * wij;
        num += 2 * wij * di * ((vals[j] ?? 0) - mu);
        gnum += 2 * wij * ((vals[i] ?? 0) - (vals[j] ?? 0)) ** 2;
      }
    }
    out.morph_moran_i = den > 0 ? ((m / w) * num) / den : Number.NaN;
    out.morph_geary_c = den > 0 ? ((m - 1) * gnum) / (2 * w * den) : Number.NaN;
  }
  return out;
}
