import { convexHullVolumeArea } from './convex-hull.js';
import { type Mesh, marchingCubes, meshVolumeArea } from './marching-cubes.js';

/**
 * Surface area (mm²) of an ellipsoid with semi-axes a ≥ b ≥ c, by the Legendre series of the IBSI manual
 * (20 terms).
 */
export function ellipsoidArea(a: number, b: number, c: number): number {
  const alpha = Math.sqrt(Math.max(0, 1 - (b * b) / (a * a)));
  const beta = Math.sqrt(Math.max(0, 1 - (c * c) / (a * a)));
  const ab = alpha * beta;
  if (ab === 0) {
    // Spheroid limits: fall back to the exact sphere when both vanish, else Thomsen's approximation.
    if (alpha === 0 && beta === 0) return 4 * Math.PI * a * a;
    const p = 1.6075;
    return 4 * Math.PI * (((a * b) ** p + (a * c) ** p + (b * c) ** p) / 3) ** (1 / p);
  }
  const x = (alpha * alpha + beta * beta) / (2 * ab);
  let pPrev = 1;
  let pCur = x;
  let sum = 1;
  let pow = 1;
  for (let nu = 1; nu <= 20; nu++) {
    pow *= ab;
    const legendre = nu === 1 ? x : pCur;
    sum += (pow * legendre) / (1 - 4 * nu * nu);
    if (nu >= 1) {
      const next = ((2 * nu + 1) * x * pCur - nu * pPrev) / (nu + 1);
      pPrev = pCur;
      pCur = next;
    }
  }
  return 4 * Math.PI * a * b * sum;
}

/**
 * Mesh vertices that can be convex-hull vertices: a hull vertex is the lowest or highest point of each
 * axis-parallel line through it (else it lies between two points), so keep only points extreme on their
 * x, y and z lines. Vertices sit on voxel-edge midpoints, so 2·coordinate/spacing is an integer and the
 * lines are indexed in dense tables rather than keyed by strings.
 */
function hullCandidates(m: Mesh, count: number, spacing: readonly number[]): Float64Array {
  const v = m.vertices;
  const q = new Int32Array(3 * count);
  const qmin = [0, 0, 0];
  const qmax = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const s = spacing[a] ?? 1;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const x = Math.round((2 * (v[3 * i + a] as number)) / s);
      q[3 * i + a] = x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    qmin[a] = count > 0 ? lo : 0;
    qmax[a] = count > 0 ? hi : 0;
  }
  const extreme = new Uint8Array(count).fill(1);
  for (let a = 0; a < 3; a++) {
    const b = (a + 1) % 3;
    const c = (a + 2) % 3;
    const nb = (qmax[b] as number) - (qmin[b] as number) + 1;
    const nc = (qmax[c] as number) - (qmin[c] as number) + 1;
    const first = new Int32Array(nb * nc).fill(-1);
    const last = new Int32Array(nb * nc).fill(-1);
    for (let i = 0; i < count; i++) {
      const line =
        ((q[3 * i + b] as number) - (qmin[b] as number)) * nc +
        (q[3 * i + c] as number) -
        (qmin[c] as number);
      const x = v[3 * i + a] as number;
      const lo = first[line] as number;
      if (lo < 0) {
        first[line] = i;
        last[line] = i;
        continue;
      }
      if (x < (v[3 * lo + a] as number)) first[line] = i;
      if (x > (v[3 * (last[line] as number) + a] as number)) last[line] = i;
    }
    const keep = new Uint8Array(count);
    for (let l = 0; l < first.length; l++) {
      if ((first[l] as number) < 0) continue;
      keep[first[l] as number] = 1;
      keep[last[l] as number] = 1;
    }
    for (let i = 0; i < count; i++) extreme[i] = (extreme[i] as number) & (keep[i] as number);
  }
  const out: number[] = [];
  for (let i = 0; i < count; i++)
    if (extreme[i]) out.push(v[3 * i] as number, v[3 * i + 1] as number, v[3 * i + 2] as number);
  return Float64Array.from(out);
}

/**
 * Mesh-based IBSI morphological features of the morphological mask: volume, area, their ratios
 * (compactness, sphericity...), maximum diameter, axis-aligned bounding box and approximate enclosing
 * ellipsoid and convex hull densities, integrated intensity. `pcaEigen` are the covariance eigenvalues (mm², descending);
 * `meanIntensity` is the mean of the intensity ROI.
 */
export function meshMorphologyFeatures(
  morph: Uint8Array,
  dims: readonly [number, number, number],
  spacing: readonly number[],
  pcaEigen: readonly number[],
  meanIntensity: number,
): Record<string, number> {
  const mesh = marchingCubes(morph, dims, spacing);
  const { volume: V, area: A } = meshVolumeArea(mesh);
  // Only cube-edge vertices can be extreme points of the mesh.
  const edgeVertices = mesh.edgeVertexCount;
  const cand = hullCandidates(mesh, edgeVertices, spacing);
  const lo = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const hi = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < edgeVertices; i++) {
    for (let a = 0; a < 3; a++) {
      const c = mesh.vertices[3 * i + a] ?? 0;
      if (c < (lo[a] ?? 0)) lo[a] = c;
      if (c > (hi[a] ?? 0)) hi[a] = c;
    }
  }
  const [ex = 0, ey = 0, ez = 0] = hi.map((h, a) => h - (lo[a] ?? 0));
  const sa = 2 * Math.sqrt(pcaEigen[0] ?? 0);
  const sb = 2 * Math.sqrt(pcaEigen[1] ?? 0);
  const sc = 2 * Math.sqrt(Math.max(0, pcaEigen[2] ?? 0));
  const k = 36 * Math.PI * V * V;
  const hull = convexHullVolumeArea(cand);
  // The maximum diameter is attained between two hull vertices. Visiting them by decreasing distance r
  // from their centroid, |p_i - p_j| <= r_i + r_j bounds every remaining pair, so the search stops early.
  const hv = hull.vertices;
  const nh = hv.length;
  const c3 = [0, 0, 0];
  for (let i = 0; i < nh; i++)
    for (let a = 0; a < 3; a++) c3[a] = (c3[a] as number) + (cand[3 * (hv[i] as number) + a] as number) / nh;
  const r = new Float64Array(nh);
  for (let i = 0; i < nh; i++) {
    const p = 3 * (hv[i] as number);
    r[i] = Math.hypot(
      (cand[p] as number) - (c3[0] as number),
      (cand[p + 1] as number) - (c3[1] as number),
      (cand[p + 2] as number) - (c3[2] as number),
    );
  }
  const order = Array.from({ length: nh }, (_, i) => i).sort((x, y) => (r[y] as number) - (r[x] as number));
  let diam = 0;
  for (let oi = 0; oi < nh; oi++) {
    const i = order[oi] as number;
    if (2 * (r[i] as number) <= diam) break;
    const p = 3 * (hv[i] as number);
    for (let oj = oi + 1; oj < nh; oj++) {
      const j = order[oj] as number;
      if ((r[i] as number) + (r[j] as number) <= diam) break;
      const q = 3 * (hv[j] as number);
      const d = Math.sqrt(
        ((cand[p] as number) - (cand[q] as number)) ** 2 +
          ((cand[p + 1] as number) - (cand[q + 1] as number)) ** 2 +
          ((cand[p + 2] as number) - (cand[q + 2] as number)) ** 2,
      );
      if (d > diam) diam = d;
    }
  }
  return {
    morph_volume: V,
    morph_area_mesh: A,
    morph_av: A / V,
    morph_comp_1: V / (Math.sqrt(Math.PI) * A ** 1.5),
    morph_comp_2: k / A ** 3,
    morph_sph_dispr: A / Math.cbrt(k),
    morph_sphericity: Math.cbrt(k) / A,
    morph_asphericity: Math.cbrt(A ** 3 / k) - 1,
    morph_diam: diam,
    morph_vol_dens_aabb: V / (ex * ey * ez),
    morph_area_dens_aabb: A / (2 * (ex * ey + ey * ez + ex * ez)),
    morph_vol_dens_aee: (3 * V) / (4 * Math.PI * sa * sb * sc),
    morph_area_dens_aee: A / ellipsoidArea(sa, sb, sc),
    morph_vol_dens_conv_hull: V / hull.volume,
    morph_area_dens_conv_hull: A / hull.area,
    morph_integ_int: V * meanIntensity,
  };
}
