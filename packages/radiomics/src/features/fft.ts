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
 */
export function fft3d(
  re: Float64Array,
  im: Float64Array,
  dims: readonly [number, number, number],
  inverse: boolean,
): void {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  for (let a = 0; a < 3; a++) {
    const n = dims[a] ?? 1;
    if (n < 2) continue;
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
    const stride = strides[a] ?? 1;
    if (a === 0) {
      for (let start = 0; start < re.length; start += n) {
        fftLine(re.subarray(start, start + n), im.subarray(start, start + n), rev, cos, sin);
      }
    } else {
      for (let base = 0; base < re.length; base += n * stride)
        fftBlocks(re, im, base, n, stride, rev, cos, sin);
    }
  }
  if (inverse) {
    const s = 1 / (nx * ny * nz);
    for (let i = 0; i < re.length; i++) {
      re[i] = (re[i] as number) * s;
      im[i] = (im[i] as number) * s;
    }
  }
}
