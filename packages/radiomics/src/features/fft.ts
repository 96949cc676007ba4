import { fftAxis } from './fft-mixed.js';

/**
 * In-place 3D FFT (forward: exp(-2πi k·x/N); inverse scaled by 1/N) of a complex grid whose dims are of
 * the form 2^a 3^b 5^c (see fft-mixed.ts), x fastest. The y and z passes transform whole rows / planes at once (sequential memory access).
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
  const sr = new Float64Array(re.length);
  const si = new Float64Array(re.length);
  const pass = (a: number) => {
    if (a === 0) {
      for (let z = 0; z < sz; z++)
        for (let y = 0; y < sy; y++) fftAxis(re, im, nx * (y + ny * z), nx, 1, inverse, sr, si);
    } else if (a === 1) {
      for (let z = 0; z < sz; z++) fftAxis(re, im, z * nx * ny, ny, nx, inverse, sr, si);
    } else {
      fftAxis(re, im, 0, nz, nx * ny, inverse, sr, si);
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
