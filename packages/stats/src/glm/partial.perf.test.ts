import { describe, expect, it } from 'vitest';
import { glmLocalPartial } from './partial.js';

describe('GLM partial performance', () => {
  it('binomial partial for 10 coefficients over 333k rows runs in tens of milliseconds (fastest of 7)', () => {
    const n = 333_000;
    const p = 10;
    const x = new Float64Array(n * p);
    const y = new Float64Array(n);
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < n; i++) {
      x[i * p] = 1;
      for (let j = 1; j < p; j++) x[i * p + j] = j < 4 ? (rnd() < 0.3 ? 1 : 0) : rnd() * 2 - 1;
      y[i] = rnd() < 0.4 ? 1 : 0;
    }
    const beta = Float64Array.from({ length: p }, (_, j) => 0.1 * j - 0.3);
    const data = { x, n, p, y };
    glmLocalPartial(data, 'binomial', beta); // warm-up (JIT)
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      const out = glmLocalPartial(data, 'binomial', beta);
      times.push(performance.now() - t0);
      expect(out[0]).toBeGreaterThan(0);
    }
    // Fastest of 7 runs: measured 45-50 ms alone on a shared 2-core EPYC, ~100 ms while the rest of the
    // suite runs in parallel; the bound still catches per-row allocation or call dispatch (3-4x slower).
    expect(Math.min(...times)).toBeLessThan(150);
  });
});
