import { describe, expect, it } from 'vitest';
import { StatsError } from './errors.js';
import { cholesky, inverseSpd, matVec, solveSpd, symmetrizeFromUpper } from './linalg.js';
import { readFixtureJson, relDiff } from './test-support.js';

interface LinalgFixture {
  p: number;
  a: number[];
  b: number[];
  chol: number[]; // R's upper-triangular chol(A), column-major = our L row-major
  solve: number[];
  inverse: number[];
  notPd: number[];
}
const fx = readFixtureJson<LinalgFixture>('linalg.json');
const a = Float64Array.from(fx.a);

describe('linalg against R', () => {
  it('cholesky equals R chol() transposed', () => {
    const l = cholesky(a, fx.p);
    // R's chol() returns upper U (column-major); U' = L, so U column-major == L row-major.
    fx.chol.forEach((v, i) => {
      expect(Math.abs(l[i]! - v)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v)));
    });
  });
  it('solve and inverse equal R solve()', () => {
    const x = solveSpd(a, fx.p, Float64Array.from(fx.b));
    fx.solve.forEach((v, i) => {
      expect(relDiff(x[i]!, v)).toBeLessThan(1e-12);
    });
    const inv = inverseSpd(a, fx.p);
    fx.inverse.forEach((v, i) => {
      expect(relDiff(inv[i]!, v)).toBeLessThan(1e-11);
    });
    const back = matVec(a, fx.p, fx.p, x);
    fx.b.forEach((v, i) => {
      expect(back[i]).toBeCloseTo(v, 12);
    });
  });
  it('rejects a matrix that is not positive definite with a coded error', () => {
    expect(() => cholesky(Float64Array.from(fx.notPd), 2)).toThrowError(StatsError);
    try {
      cholesky(Float64Array.from(fx.notPd), 2);
    } catch (e) {
      expect((e as StatsError).code).toBe('FH_ERR_STATS_NOT_PD');
    }
    expect(() => cholesky(new Float64Array(3), 2)).toThrow(/2x2/);
  });
  it('symmetrizes from the upper triangle', () => {
    const m = Float64Array.from([1, 2, 0, 3]);
    expect([...symmetrizeFromUpper(m, 2)]).toEqual([1, 2, 2, 3]);
  });
});
