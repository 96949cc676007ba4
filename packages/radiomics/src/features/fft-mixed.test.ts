import { describe, expect, it } from 'vitest';
import { fftAxis, smoothSize } from './fft-mixed.js';

/** Direct O(n^2) DFT of each of `block` interleaved lines, the definition the FFT must equal. */
function dft(re: number[], im: number[], n: number, block: number, sign: number) {
  const outR = new Array<number>(n * block).fill(0);
  const outI = new Array<number>(n * block).fill(0);
  for (let q = 0; q < block; q++)
    for (let k = 0; k < n; k++)
      for (let x = 0; x < n; x++) {
        const a = (sign * 2 * Math.PI * ((k * x) % n)) / n;
        const vr = re[x * block + q] as number;
        const vi = im[x * block + q] as number;
        outR[k * block + q] = (outR[k * block + q] as number) + vr * Math.cos(a) - vi * Math.sin(a);
        outI[k * block + q] = (outI[k * block + q] as number) + vr * Math.sin(a) + vi * Math.cos(a);
      }
  return { outR, outI };
}

describe('mixed-radix Stockham FFT', () => {
  it('picks the next 2^a 3^b 5^c', () => {
    expect([1, 7, 13, 79, 97, 101, 127, 129].map(smoothSize)).toEqual([1, 8, 15, 80, 100, 108, 128, 135]);
  });

  it('equals the direct DFT for every radix mix, forward and inverse, on interleaved lines', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    for (const n of [2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25, 30, 32, 45, 60, 64, 80, 96, 100]) {
      for (const block of [1, 3]) {
        for (const inverse of [false, true]) {
          const pad = 2; // data at an offset inside a larger array
          const re = Float64Array.from({ length: n * block + pad }, rand);
          const im = Float64Array.from({ length: n * block + pad }, rand);
          const ref = dft([...re.subarray(pad)], [...im.subarray(pad)], n, block, inverse ? 1 : -1);
          fftAxis(re, im, pad, n, block, inverse, new Float64Array(n * block), new Float64Array(n * block));
          const err = Math.max(
            ...ref.outR.map((v, i) => Math.abs(v - (re[pad + i] as number))),
            ...ref.outI.map((v, i) => Math.abs(v - (im[pad + i] as number))),
          );
          expect(err, `n ${n} block ${block} inverse ${inverse}`).toBeLessThan(1e-10 * n);
        }
      }
    }
  });
});
