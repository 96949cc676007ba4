/**
 * Overlap and surface metrics of a predicted mask against a reference mask on the same grid, with the
 * conventions of MONAI (`compute_dice`, `compute_hausdorff_distance(percentile=95)`,
 * `compute_surface_dice`) so that numbers agree with the tools a medical physicist already uses:
 * - the surface of a mask is its voxels with a 6-neighbour outside it or on the grid's border
 *   (`mask ^ binary_erosion(mask)`, scipy's default cross structuring element);
 * - distances are exact Euclidean distances (mm, anisotropic spacing) from each surface voxel of one mask
 *   to the nearest surface voxel of the other (scipy `distance_transform_edt(~edges, sampling)`);
 * - HD95 = max of the two directed 95th percentiles (numpy's linear interpolation);
 * - surface Dice at tolerance tau = (surface voxels of each within tau of the other) / (all surface voxels).
 * Checked against scipy on committed cases (scripts/seg-metrics-reference.py) and analytic ones.
 *
 * Written here (not a library) because no maintained JavaScript package computes exact anisotropic
 * distance transforms; the 1D transform is Felzenszwalb & Huttenlocher (2012), "Distance transforms of
 * sampled functions", Theory of Computing 8.
 */

export type Dims = readonly [number, number, number];

/** 2|A ∩ B| / (|A| + |B|); 1 when both are empty. */
export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

/** The surface voxels of a mask: inside, with a 6-neighbour outside the mask or outside the grid. */
export function surfaceVoxels(m: Uint8Array, dims: Dims): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(m.length);
  const sy = nx;
  const sz = nx * ny;
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        if (m[o] === 0) continue;
        const edge =
          i === 0 ||
          i === nx - 1 ||
          j === 0 ||
          j === ny - 1 ||
          k === 0 ||
          k === nz - 1 ||
          m[o - 1] === 0 ||
          m[o + 1] === 0 ||
          m[o - sy] === 0 ||
          m[o + sy] === 0 ||
          m[o - sz] === 0 ||
          m[o + sz] === 0;
        if (edge) out[o] = 1;
      }
  return out;
}

const FAR = 1e20;

/** 1D squared distance transform of f (positions q * s) into d; v and z are scratch. */
function dt1d(f: Float64Array, n: number, s: number, d: Float64Array, v: Int32Array, z: Float64Array) {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = (f[q] as number) + (q * s) ** 2;
    let x: number;
    // z[0] is -Infinity, so the loop stops at k = 0 at the latest
    for (;;) {
      const p = v[k] as number;
      x = (fq - ((f[p] as number) + (p * s) ** 2)) / (2 * s * (q - p));
      if (x <= (z[k] as number)) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = x;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q * s) k++;
    const p = v[k] as number;
    d[q] = ((q - p) * s) ** 2 + (f[p] as number);
  }
}

/**
 * Squared Euclidean distance (mm²) from every voxel to the nearest voxel of `sites`, on a grid of the
 * given spacing; FAR (1e20) everywhere when there is no site.
 */
export function squaredDistanceTransform(sites: Uint8Array, dims: Dims, spacing: Dims): Float64Array {
  const [nx, ny, nz] = dims;
  const g = new Float64Array(sites.length);
  for (let i = 0; i < g.length; i++) g[i] = sites[i] !== 0 ? 0 : FAR;
  const n = Math.max(nx, ny, nz);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const len = dims[axis] as number;
    if (len < 2) continue;
    const stride = strides[axis] as number;
    const s = spacing[axis] as number;
    // every line along the axis: its first voxel runs over the other two axes
    const [a, b] = [0, 1, 2].filter((x) => x !== axis) as [number, number];
    for (let jb = 0; jb < (dims[b] as number); jb++)
      for (let ja = 0; ja < (dims[a] as number); ja++) {
        const base = ja * (strides[a] as number) + jb * (strides[b] as number);
        for (let q = 0; q < len; q++) f[q] = g[base + q * stride] as number;
        dt1d(f, len, s, d, v, z);
        for (let q = 0; q < len; q++) g[base + q * stride] = Math.min(d[q] as number, FAR);
      }
  }
  return g;
}

/** Distances (mm) from each surface voxel of `from` to the nearest surface voxel of `to` (given as its distance map). */
function directed(fromEdges: Uint8Array, toDist: Float64Array): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < fromEdges.length; i++) if (fromEdges[i] !== 0) out.push(Math.sqrt(toDist[i] as number));
  return Float64Array.from(out);
}

/** numpy's default (linear) percentile, p in [0, 100]. */
export function percentile(values: Float64Array, p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = Float64Array.from(values).sort();
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const a = s[lo] as number;
  const b = s[Math.min(lo + 1, s.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

export interface SegMetrics {
  dice: number;
  /** 95th-percentile symmetric Hausdorff distance (mm); Infinity when one mask is empty. */
  hd95: number;
  /** Surface Dice at each tolerance (mm), in the order asked. */
  surfaceDice: number[];
  /** Empty masks: the prediction, the reference. */
  emptyPrediction: boolean;
  emptyReference: boolean;
}

/**
 * Both masks cropped to the bounding box of their union, one voxel wider where the grid allows (so a
 * voxel's surface status is unchanged, grid borders included): every distance between their surfaces lies
 * inside it, and a CT-sized grid shrinks to the structure's size.
 */
function cropToUnion(a: Uint8Array, b: Uint8Array, dims: Dims): { a: Uint8Array; b: Uint8Array; dims: Dims } {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  for (let k = 0, o = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, o++) {
        if (a[o] === 0 && b[o] === 0) continue;
        if (i < lo[0]!) lo[0] = i;
        if (i > hi[0]!) hi[0] = i;
        if (j < lo[1]!) lo[1] = j;
        if (j > hi[1]!) hi[1] = j;
        if (k < lo[2]!) lo[2] = k;
        if (k > hi[2]!) hi[2] = k;
      }
  if (hi[0]! < 0) return { a, b, dims };
  const start = lo.map((v) => Math.max(0, v - 1));
  const end = hi.map((v, i) => Math.min((dims[i] as number) - 1, v + 1));
  const size = [0, 1, 2].map((i) => end[i]! - start[i]! + 1) as [number, number, number];
  const ca = new Uint8Array(size[0] * size[1] * size[2]);
  const cb = new Uint8Array(ca.length);
  for (let k = 0, o = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++) {
      const src = start[0]! + nx * (start[1]! + j + ny * (start[2]! + k));
      ca.set(a.subarray(src, src + size[0]), o);
      cb.set(b.subarray(src, src + size[0]), o);
      o += size[0];
    }
  return { a: ca, b: cb, dims: size };
}

/** Dice, HD95 and surface Dice at `tolerances` (mm) of `pred` against `ref` on one grid. */
export function segMetrics(
  fullPred: Uint8Array,
  fullRef: Uint8Array,
  fullDims: Dims,
  spacing: Dims,
  tolerances: readonly number[],
): SegMetrics {
  const { a: pred, b: ref, dims } = cropToUnion(fullPred, fullRef, fullDims);
  const ep = surfaceVoxels(pred, dims);
  const er = surfaceVoxels(ref, dims);
  const emptyPrediction = !ep.some((x) => x !== 0);
  const emptyReference = !er.some((x) => x !== 0);
  const d = dice(pred, ref);
  if (emptyPrediction || emptyReference) {
    const both = emptyPrediction && emptyReference;
    return {
      dice: d,
      hd95: both ? 0 : Infinity,
      surfaceDice: tolerances.map(() => (both ? 1 : 0)),
      emptyPrediction,
      emptyReference,
    };
  }
  const pr = directed(ep, squaredDistanceTransform(er, dims, spacing));
  const rp = directed(er, squaredDistanceTransform(ep, dims, spacing));
  const hd95 = Math.max(percentile(pr, 95), percentile(rp, 95));
  const total = pr.length + rp.length;
  const surfaceDice = tolerances.map((t) => {
    let within = 0;
    for (const x of pr) if (x <= t) within++;
    for (const x of rp) if (x <= t) within++;
    return within / total;
  });
  return { dice: d, hd95, surfaceDice, emptyPrediction, emptyReference };
}
