import { describe, expect, it } from 'vitest';
import { autocorrelationFft } from './autocorrelation.js';
import { autocorrelation } from './morphology.js';

describe("Moran's I and Geary's C", () => {
  it('the FFT convolution equals the pairwise definition on an irregular ROI with anisotropic voxels', () => {
    const dims = [7, 6, 5] as const;
    const spacing = [0.8, 1.1, 3];
    const n = dims[0] * dims[1] * dims[2];
    const data = new Float64Array(n);
    const roi = new Uint8Array(n);
    // Deterministic pseudo-random intensities and ROI (linear congruential generator).
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const vals: number[] = [];
    const pos: number[] = [];
    for (let z = 0; z < dims[2]; z++) {
      for (let y = 0; y < dims[1]; y++) {
        for (let x = 0; x < dims[0]; x++) {
          const i = x + dims[0] * (y + dims[1] * z);
          data[i] = Math.round(rand() * 200 - 100 + 10 * x);
          roi[i] = rand() < 0.7 ? 1 : 0;
          if (!roi[i]) continue;
          vals.push(data[i] ?? 0);
          pos.push(x * (spacing[0] ?? 1), y * (spacing[1] ?? 1), z * (spacing[2] ?? 1));
        }
      }
    }
    const exact = autocorrelation(Float64Array.from(vals), Float64Array.from(pos));
    const fft = autocorrelationFft(data, roi, dims, spacing);
    expect(fft.morph_moran_i).toBeCloseTo(exact.morph_moran_i ?? Number.NaN, 10);
    expect(fft.morph_geary_c).toBeCloseTo(exact.morph_geary_c ?? Number.NaN, 10);
    // Spatial trend in x makes the autocorrelation clearly positive.
    expect(exact.morph_moran_i).toBeGreaterThan(0);
  });
});
