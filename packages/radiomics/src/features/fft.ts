/** In-place radix-2 FFT of one contiguous line (re, im) of length n (a power of two). */
function fftLine(
  re: Float64Array,
  im: Float64Array,
  rev: Uint32Array,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const n = re.length;
  for (let i = 0; i < n; i++) {
    const j = rev[i] ?? 0;
    if (i < j) {
      const tr = re[i] as number;
      const ti = im[i] as number;
      re[i] = re[j] as number;
      im[i] = im[j] as number;
      re[j] = tr;
      im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step] as number;
        const wi = sin[k * step] as number;
        const a = i + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/**
 * In-place FFT along an axis with the given stride, applied to `stride` interleaved lines at once: each
 * butterfly runs over a contiguous block of `stride` values, which keeps memory access sequential.
 */
function fftBlocks(
  re: Float64Array,
  im: Float64Array,
  base: number,
  n: number,
  stride: number,
  rev: Uint32Array,
  cos: Float64Array,
  sin: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const j = rev[i] ?? 0;
    if (i >= j) continue;
    const a = base + i * stride;
    const b = base + j * stride;
    for (let q = 0; q < stride; q++) {
      const tr = re[a + q] as number;
      const ti = im[a + q] as number;
      re[a + q] = re[b + q] as number;
      im[a + q] = im[b + q] as number;
      re[b + q] = tr;
      im[b + q] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step] as number;
        const wi = sin[k * step] as number;
        const a = base + (i + k) * stride;
        const b = a + half * stride;
        for (let q = 0; q < stride; q++) {
          const br = re[b + q] as number;
          const bi = im[b + q] as number;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a + q] as number;
          const ai = im[a + q] as number;
          re[b + q] = ar - xr;
          im[b + q] = ai - xi;
          re[a + q] = ar + xr;
          im[a + q] = ai + xi;
        }
      }
    }
  }
}

/**
 * In-place 3D FFT (forward: exp(-2πi k·x/N); inverse scaled by 1/N) of a complex grid with power-of-two
 * dims, x fastest. The y and z passes transform whole rows / planes at once (sequential memory access).
 * `support` [sx, sy, sz]: forward, the input is zero outside x < sx, y < sy, z < sz; inverse, only that
 * corner of the output is needed. Lines known to be zero (or not needed) are skipped.
 */
export function fft3d(
  re: Float64Array,
  im: Float64Array,
  dims: readonly [number, number, number],
  inverse: boolean,
  support: readonly [number, number, number] = dims,
): void {
  const [nx, ny, nz] = dims;
  const [, sy, sz] = support;
  const pass = (a: number) => {
    const n = dims[a] ?? 1;
    if (n < 2) return;
    const cos = new Float64Array(n / 2);
    const sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = (inverse ? 1 : -1) * Math.sin((2 * Math.PI * k) / n);
    }
    const bits = Math.round(Math.log2(n));
    const rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev[i] = r;
    }
    if (a === 0) {
      for (let z = 0; z < sz; z++) {
        for (let y = 0; y < sy; y++) {
          const start = nx * (y + ny * z);
          fftLine(re.subarray(start, start + n), im.subarray(start, start + n), rev, cos, sin);
        }
      }
    } else if (a === 1) {
      for (let z = 0; z < sz; z++) fftBlocks(re, im, z * nx * ny, n, nx, rev, cos, sin);
    } else {
      fftBlocks(re, im, 0, n, nx * ny, rev, cos, sin);
    }
  };
  // Forward: x, y, z (zeros stay zero until their axis is transformed); inverse: z, y, x.
  for (const a of inverse ? [2, 1, 0] : [0, 1, 2]) pass(a);
  if (inverse) {
    const s = 1 / (nx * ny * nz);
    for (let i = 0; i < re.length; i++) {
      re[i] = (re[i] as number) * s;
      im[i] = (im[i] as number) * s;
    }
  }
}
