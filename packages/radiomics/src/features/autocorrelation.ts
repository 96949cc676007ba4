import { fft3d } from './fft.js';

const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

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
  const P: [number, number, number] = [pow2(2 * nx - 1), pow2(2 * ny - 1), pow2(2 * nz - 1)];
  const size = P[0] * P[1] * P[2];
  const kr = new Float64Array(size);
  const ki = new Float64Array(size);
  const [sx = 1, sy = 1, sz = 1] = spacing;
  for (let z = -(nz - 1); z < nz; z++) {
    for (let y = -(ny - 1); y < ny; y++) {
      for (let x = -(nx - 1); x < nx; x++) {
        if (x === 0 && y === 0 && z === 0) continue;
        const idx = ((x + P[0]) % P[0]) + P[0] * (((y + P[1]) % P[1]) + P[1] * ((z + P[2]) % P[2]));
        kr[idx] = 1 / Math.sqrt((x * sx) ** 2 + (y * sy) ** 2 + (z * sz) ** 2);
      }
    }
  }
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
  fft3d(kr, ki, P, false);
  fft3d(re, im, P, false, dims);
  // The kernel is real and even, so its transform is real: multiply both parts by it.
  for (let i = 0; i < size; i++) {
    const k = kr[i] ?? 0;
    re[i] = (re[i] ?? 0) * k;
    im[i] = (im[i] ?? 0) * k;
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
