import { fft3d } from './fft.js';
import { smoothSize } from './fft-mixed.js';

/**
 * The DFT (period P per axis) of the kernel 1/|offset| (0 at the origin) over offsets |x| < nx, |y| < ny,
 * |z| < nz. The kernel is real and even in each axis separately, so its DFT is the separable cosine sum
 * over one octant, K^(k) = sum_x sum_y sum_z c_x(k_x, x) c_y(k_y, y) c_z(k_z, z) K(x, y, z) with
 * c(k, 0) = 1 and c(k, x) = 2 cos(2 pi k x / P) for x > 0; computed axis by axis on the octant for
 * k <= P/2 (the caller mirrors: K^(P - k) = K^(k)), as [kz][ky][kx] with P/2 + 1 values per axis. This replaces a full complex 3D FFT of the padded kernel.
 */
function kernelSpectrum(
  nx: number,
  ny: number,
  nz: number,
  P: readonly [number, number, number],
  spacing: readonly number[],
): Float64Array {
  const [sx = 1, sy = 1, sz = 1] = spacing;
  const [hx, hy, hz] = [Math.floor(P[0] / 2) + 1, Math.floor(P[1] / 2) + 1, Math.floor(P[2] / 2) + 1];
  const cosTable = (h: number, n: number, period: number) => {
    const t = new Float64Array(h * n);
    for (let k = 0; k < h; k++)
      for (let x = 0; x < n; x++)
        t[k * n + x] = (x === 0 ? 1 : 2) * Math.cos((2 * Math.PI * ((k * x) % period)) / period);
    return t;
  };
  const cx = cosTable(hx, nx, P[0]);
  const cy = cosTable(hy, ny, P[1]);
  const cz = cosTable(hz, nz, P[2]);
  // a[z][y][kx], then b[z][ky][kx], then c[kz][ky][kx]
  const a = new Float64Array(nz * ny * hx);
  const row = new Float64Array(nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const r2 = (x * sx) ** 2 + (y * sy) ** 2 + (z * sz) ** 2;
        row[x] = r2 > 0 ? 1 / Math.sqrt(r2) : 0;
      }
      const out = (z * ny + y) * hx;
      for (let k = 0; k < hx; k++) {
        let acc = 0;
        const t = k * nx;
        for (let x = 0; x < nx; x++) acc += (cx[t + x] as number) * (row[x] as number);
        a[out + k] = acc;
      }
    }
  const b = new Float64Array(nz * hy * hx);
  for (let z = 0; z < nz; z++)
    for (let ky = 0; ky < hy; ky++) {
      const o = (z * hy + ky) * hx;
      for (let y = 0; y < ny; y++) {
        const c = cy[ky * ny + y] as number;
        const src = (z * ny + y) * hx;
        for (let k = 0; k < hx; k++) b[o + k] = (b[o + k] as number) + c * (a[src + k] as number);
      }
    }
  const c3 = new Float64Array(hz * hy * hx);
  for (let kz = 0; kz < hz; kz++)
    for (let z = 0; z < nz; z++) {
      const c = cz[kz * nz + z] as number;
      const src = z * hy * hx;
      const o = kz * hy * hx;
      for (let i = 0; i < hy * hx; i++) c3[o + i] = (c3[o + i] as number) + c * (b[src + i] as number);
    }
  return c3;
}

/**
 * Moran's I and Geary's C of the intensities in `roi` (a grid, x fastest) with inverse-distance weights
 * 1/|r_i - r_j| (mm) over all pairs of ROI voxels. The pair sums are convolutions of the ROI indicator m
 * and the centred intensities d = (x - mean)·m with the kernel 1/|offset|, done by FFT (zero-padded, so
 * linear, not circular): W = m·(K*m), Moran numerator = d·(K*d), Geary numerator = 2 d²·(K*m) - 2 d·(K*d).
 * Equal to the pairwise definition up to rounding, in O(N log N).
 */
export function autocorrelationFft(
  data: Float64Array,
  roi: Uint8Array,
  dims: readonly [number, number, number],
  spacing: readonly number[],
): Record<string, number> {
  const [nx, ny, nz] = dims;
  let n = 0;
  let mu = 0;
  for (let i = 0; i < roi.length; i++) {
    if (!roi[i]) continue;
    n++;
    mu += data[i] ?? 0;
  }
  mu /= n;
  const P: [number, number, number] = [
    smoothSize(2 * nx - 1),
    smoothSize(2 * ny - 1),
    smoothSize(2 * nz - 1),
  ];
  const size = P[0] * P[1] * P[2];
  const kr = kernelSpectrum(nx, ny, nz, P, spacing);
  // Two real signals in one complex transform: m in the real part, d in the imaginary part.
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let den = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        if (!roi[i]) continue;
        const o = x + P[0] * (y + P[1] * z);
        const d = (data[i] ?? 0) - mu;
        re[o] = 1;
        im[o] = d;
        den += d * d;
      }
    }
  }
  fft3d(re, im, P, false, dims);
  // The kernel is real and even, so its transform is real: multiply both parts by it.
  const [hx, hy, hz] = [Math.floor(P[0] / 2) + 1, Math.floor(P[1] / 2) + 1, Math.floor(P[2] / 2) + 1];
  for (let z = 0; z < P[2]; z++) {
    const kz = z < hz ? z : P[2] - z;
    for (let y = 0; y < P[1]; y++) {
      const src = (kz * hy + (y < hy ? y : P[1] - y)) * hx;
      const dst = P[0] * (y + P[1] * z);
      for (let x = 0; x < P[0]; x++) {
        const k = kr[src + (x < hx ? x : P[0] - x)] as number;
        re[dst + x] = (re[dst + x] as number) * k;
        im[dst + x] = (im[dst + x] as number) * k;
      }
    }
  }
  fft3d(re, im, P, true, dims);
  let w = 0;
  let moran = 0;
  let geary = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        if (!roi[i]) continue;
        const o = x + P[0] * (y + P[1] * z);
        const d = (data[i] ?? 0) - mu;
        const km = re[o] ?? 0;
        const kd = im[o] ?? 0;
        w += km;
        moran += d * kd;
        geary += 2 * d * d * km - 2 * d * kd;
      }
    }
  }
  return {
    morph_moran_i: den > 0 ? ((n / w) * moran) / den : Number.NaN,
    morph_geary_c: den > 0 ? ((n - 1) * geary) / (2 * w * den) : Number.NaN,
  };
}
