import type { Volume } from './volume.js';

/** Interpolation kinds supported by the resampler. */
export const Interpolation = { nearest: 'nearest', linear: 'linear', cubic: 'cubic' } as const;
/** One of the interpolation kinds: nearest neighbour, (tri/bi)linear, cubic B-spline. */
export type Interpolation = (typeof Interpolation)[keyof typeof Interpolation];

/**
 * IBSI "align grid centres" target grid: n_new = ceil(n * s / s_new) per axis, with the centre of the new
 * grid on the centre of the old one. `newSpacing[a]` null keeps that axis unchanged (2D configurations).
 * Returns the new dims/spacing/origin and, per axis, the sampling positions in old voxel coordinates.
 */
export function alignedGrid(
  vol: Pick<Volume, 'dims' | 'spacing' | 'origin'>,
  newSpacing: readonly (number | null)[],
): {
  dims: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
  pos: Float64Array[];
} {
  const dims: number[] = [];
  const spacing: number[] = [];
  const origin: number[] = [];
  const pos: Float64Array[] = [];
  for (let a = 0; a < 3; a++) {
    const n = vol.dims[a] ?? 1;
    const s = vol.spacing[a] ?? 1;
    const sn = newSpacing[a] ?? s;
    // The 1e-9 guard keeps exact multiples (e.g. 3 mm to 2 mm over 60 slices) from rounding up.
    const nn = newSpacing[a] == null ? n : Math.ceil((n * s) / sn - 1e-9);
    const p = new Float64Array(nn);
    const start = (n - 1) / 2 - ((sn / s) * (nn - 1)) / 2;
    for (let i = 0; i < nn; i++) p[i] = start + (i * sn) / s;
    dims.push(nn);
    spacing.push(sn);
    origin.push((vol.origin[a] ?? 0) + start * s);
    pos.push(p);
  }
  return {
    dims: dims as [number, number, number],
    spacing: spacing as [number, number, number],
    origin: origin as [number, number, number],
    pos,
  };
}

/** Cubic B-spline prefilter along one axis (mirror boundary), in place; converts samples to coefficients. */
function bsplinePrefilter(data: Float64Array, dims: readonly number[], axis: number): void {
  const z = Math.sqrt(3) - 2;
  const n = dims[axis] ?? 1;
  if (n < 2) return;
  const stride = axis === 0 ? 1 : axis === 1 ? (dims[0] ?? 1) : (dims[0] ?? 1) * (dims[1] ?? 1);
  const nx = dims[0] ?? 1;
  const ny = dims[1] ?? 1;
  const nz = dims[2] ?? 1;
  const line = new Float64Array(n);
  const outer = axis === 0 ? ny * nz : axis === 1 ? nx * nz : nx * ny;
  const horizon = Math.min(n, Math.ceil(Math.log(1e-12) / Math.log(Math.abs(z))));
  for (let o = 0; o < outer; o++) {
    let base: number;
    if (axis === 0) base = o * nx;
    else if (axis === 1) base = (o % nx) + Math.floor(o / nx) * nx * ny;
    else base = o;
    for (let i = 0; i < n; i++) line[i] = (data[base + i * stride] ?? 0) * 6;
    // Causal initialisation (mirror-symmetric boundary), then the two recursive passes.
    let sum = line[0] ?? 0;
    let zk = z;
    for (let k = 1; k < horizon; k++) {
      sum += zk * (line[k] ?? 0);
      zk *= z;
    }
    line[0] = sum;
    for (let i = 1; i < n; i++) line[i] = (line[i] ?? 0) + z * (line[i - 1] ?? 0);
    line[n - 1] = (z / (z * z - 1)) * ((line[n - 1] ?? 0) + z * (line[n - 2] ?? 0));
    for (let i = n - 2; i >= 0; i--) line[i] = z * ((line[i + 1] ?? 0) - (line[i] ?? 0));
    for (let i = 0; i < n; i++) data[base + i * stride] = line[i] ?? 0;
  }
}

function bsplineWeights(t: number, w: Float64Array): void {
  const u = 1 - t;
  w[0] = (u * u * u) / 6;
  w[1] = (4 - 6 * t * t + 3 * t * t * t) / 6;
  w[2] = (1 + 3 * t + 3 * t * t - 3 * t * t * t) / 6;
  w[3] = (t * t * t) / 6;
}

function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/**
 * Resamples a volume onto the IBSI centre-aligned grid with the given spacing (null: keep the axis).
 * Positions outside the old grid take the nearest edge value (linear) or a mirrored extension (cubic).
 */
export function resample(vol: Volume, newSpacing: readonly (number | null)[], method: Interpolation): Volume {
  const g = alignedGrid(vol, newSpacing);
  const [nx, ny, nz] = vol.dims;
  const [mx, my, mz] = g.dims;
  const out = new Float64Array(mx * my * mz);
  const src = vol.data;
  const px = g.pos[0] as Float64Array;
  const py = g.pos[1] as Float64Array;
  const pz = g.pos[2] as Float64Array;
  const clamp = (v: number, n: number) => Math.max(0, Math.min(v, n - 1));
  if (method === 'cubic') {
    const coef = Float64Array.from(src);
    for (let a = 0; a < 3; a++) if (newSpacing[a] != null) bsplinePrefilter(coef, vol.dims, a);
    const wx = new Float64Array(4);
    const wy = new Float64Array(4);
    const wz = new Float64Array(4);
    let o = 0;
    for (let k = 0; k < mz; k++) {
      const z = pz[k] ?? 0;
      const fz = newSpacing[2] == null ? Math.round(z) : Math.floor(z);
      if (newSpacing[2] == null) wz.set([0, 1, 0, 0]);
      else bsplineWeights(z - fz, wz);
      for (let j = 0; j < my; j++) {
        const y = py[j] ?? 0;
        const fy = Math.floor(y);
        bsplineWeights(y - fy, wy);
        for (let i = 0; i < mx; i++, o++) {
          const x = px[i] ?? 0;
          const fx = Math.floor(x);
          bsplineWeights(x - fx, wx);
          let acc = 0;
          for (let c = 0; c < 4; c++) {
            const wzc = wz[c] ?? 0;
            if (wzc === 0) continue;
            const zi = mirror(fz - 1 + c, nz);
            for (let b = 0; b < 4; b++) {
              const yi = mirror(fy - 1 + b, ny);
              const row = nx * (yi + ny * zi);
              const wzy = wzc * (wy[b] ?? 0);
              for (let a = 0; a < 4; a++)
                acc += wzy * (wx[a] ?? 0) * (coef[row + mirror(fx - 1 + a, nx)] ?? 0);
            }
          }
          out[o] = acc;
        }
      }
    }
    return { dims: g.dims, spacing: g.spacing, origin: g.origin, data: out };
  }
  // Per-axis source indices and weights, computed once (the inner loop then only reads and blends).
  const axis = (p: Float64Array, m: number, n: number) => {
    const i0 = new Int32Array(m);
    const i1 = new Int32Array(m);
    const t = new Float64Array(m);
    const near = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const x = clamp(p[i] ?? 0, n);
      i0[i] = Math.min(Math.floor(x), n - 1);
      i1[i] = Math.min((i0[i] as number) + 1, n - 1);
      t[i] = x - (i0[i] as number);
      near[i] = Math.round(x);
    }
    return { i0, i1, t, near };
  };
  const ax = axis(px, mx, nx);
  const ay = axis(py, my, ny);
  const az = axis(pz, mz, nz);
  let o = 0;
  for (let k = 0; k < mz; k++) {
    const z0 = nx * ny * (az.i0[k] as number);
    const z1 = nx * ny * (az.i1[k] as number);
    const tz = az.t[k] as number;
    for (let j = 0; j < my; j++) {
      const y0 = nx * (ay.i0[j] as number);
      const y1 = nx * (ay.i1[j] as number);
      const ty = ay.t[j] as number;
      if (method === 'nearest') {
        const row = nx * ((ay.near[j] as number) + ny * (az.near[k] as number));
        for (let i = 0; i < mx; i++, o++) out[o] = src[row + (ax.near[i] as number)] ?? 0;
        continue;
      }
      const r00 = y0 + z0;
      const r10 = y1 + z0;
      const r01 = y0 + z1;
      const r11 = y1 + z1;
      for (let i = 0; i < mx; i++, o++) {
        const x0 = ax.i0[i] as number;
        const x1 = ax.i1[i] as number;
        const tx = ax.t[i] as number;
        const c00 = (src[r00 + x0] as number) * (1 - tx) + (src[r00 + x1] as number) * tx;
        const c10 = (src[r10 + x0] as number) * (1 - tx) + (src[r10 + x1] as number) * tx;
        const c01 = (src[r01 + x0] as number) * (1 - tx) + (src[r01 + x1] as number) * tx;
        const c11 = (src[r11 + x0] as number) * (1 - tx) + (src[r11 + x1] as number) * tx;
        out[o] = (c00 * (1 - ty) + c10 * ty) * (1 - tz) + (c01 * (1 - ty) + c11 * ty) * tz;
      }
    }
  }
  return { dims: g.dims, spacing: g.spacing, origin: g.origin, data: out };
}
