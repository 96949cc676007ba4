import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Dims,
  dice,
  percentile,
  segMetrics,
  squaredDistanceTransform,
  surfaceVoxels,
} from './seg-metrics.js';

const ref = JSON.parse(readFileSync(new URL('./fixtures/seg-metrics.json', import.meta.url), 'utf8')) as {
  tolerances: number[];
  cases: Array<{
    name: string;
    dims: Dims;
    spacing: Dims;
    pred: string;
    ref: string;
    dice: number;
    hd95: number;
    surfaceDice: number[];
  }>;
};
const bits = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : 0));

function box(dims: Dims, lo: Dims, hi: Dims): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k < hi[2]; k++)
    for (let j = lo[1]; j < hi[1]; j++)
      for (let i = lo[0]; i < hi[0]; i++) m[i + dims[0] * (j + dims[1] * k)] = 1;
  return m;
}

describe('segmentation metrics', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('equal scipy (MONAI conventions): %s', (_, c) => {
    const m = segMetrics(bits(c.pred), bits(c.ref), c.dims, c.spacing, ref.tolerances);
    expect(m.dice).toBeCloseTo(c.dice, 12);
    expect(m.hd95).toBeCloseTo(c.hd95, 10);
    for (const [i, v] of m.surfaceDice.entries()) expect(v).toBeCloseTo(c.surfaceDice[i] as number, 12);
  });

  it('gives the same numbers for masks embedded in a larger grid (computed on the union bounding box)', () => {
    const c = ref.cases[0]!;
    const big: Dims = [c.dims[0] + 7, c.dims[1] + 5, c.dims[2] + 3];
    const embed = (m: Uint8Array) => {
      const out = new Uint8Array(big[0] * big[1] * big[2]);
      for (let k = 0; k < c.dims[2]; k++)
        for (let j = 0; j < c.dims[1]; j++)
          for (let i = 0; i < c.dims[0]; i++)
            out[i + 4 + big[0] * (j + 2 + big[1] * (k + 1))] = m[i + c.dims[0] * (j + c.dims[1] * k)]!;
      return out;
    };
    const m = segMetrics(embed(bits(c.pred)), embed(bits(c.ref)), big, c.spacing, ref.tolerances);
    expect(m.dice).toBeCloseTo(c.dice, 12);
    expect(m.hd95).toBeCloseTo(c.hd95, 10);
    for (const [i, v] of m.surfaceDice.entries()) expect(v).toBeCloseTo(c.surfaceDice[i] as number, 12);
  });

  it('Dice of two cubes of side 10 shifted by 2 voxels is 0.8; identical masks score 1, 0 mm, 1', () => {
    const dims: Dims = [16, 12, 12];
    const a = box(dims, [1, 1, 1], [11, 11, 11]);
    const b = box(dims, [3, 1, 1], [13, 11, 11]);
    expect(dice(a, b)).toBeCloseTo(0.8, 15);
    const same = segMetrics(a, a, dims, [0.7, 0.9, 2], [0.5]);
    expect([same.dice, same.hd95, same.surfaceDice[0]]).toEqual([1, 0, 1]);
  });

  it('two single voxels: HD95 is their distance in mm (anisotropic), surface Dice steps at it', () => {
    const dims: Dims = [8, 8, 8];
    const a = box(dims, [1, 2, 3], [2, 3, 4]);
    const b = box(dims, [4, 6, 5], [5, 7, 6]);
    const spacing: Dims = [0.5, 2, 3];
    const d = Math.hypot(3 * 0.5, 4 * 2, 2 * 3);
    const m = segMetrics(a, b, dims, spacing, [d - 1e-9, d]);
    expect(m.dice).toBe(0);
    expect(m.hd95).toBeCloseTo(d, 12);
    expect(m.surfaceDice).toEqual([0, 1]);
  });

  it('an empty prediction: Dice 0, HD95 infinite, surface Dice 0, flagged', () => {
    const dims: Dims = [6, 6, 6];
    const m = segMetrics(new Uint8Array(216), box(dims, [1, 1, 1], [4, 4, 4]), dims, [1, 1, 1], [2]);
    expect(m).toEqual({
      dice: 0,
      hd95: Infinity,
      surfaceDice: [0],
      emptyPrediction: true,
      emptyReference: false,
    });
  });

  it('the surface of a 3x3x3 cube inside the grid is all but its centre; on the border the border counts', () => {
    const dims: Dims = [5, 5, 5];
    const s = surfaceVoxels(box(dims, [1, 1, 1], [4, 4, 4]), dims);
    expect(s.reduce((a, b) => a + b, 0)).toBe(26);
    expect(s[2 + 5 * (2 + 5 * 2)]).toBe(0);
    const full = surfaceVoxels(new Uint8Array(125).fill(1), dims);
    expect(full.reduce((a, b) => a + b, 0)).toBe(125 - 27);
  });

  it('the distance transform equals brute force on random sites and spacings', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let t = 0; t < 5; t++) {
      const dims: Dims = [3 + Math.floor(rand() * 8), 1 + Math.floor(rand() * 8), 1 + Math.floor(rand() * 6)];
      const spacing: Dims = [0.3 + rand() * 3, 0.3 + rand() * 3, 0.3 + rand() * 3];
      const n = dims[0] * dims[1] * dims[2];
      const sites = Uint8Array.from({ length: n }, () => (rand() < 0.08 ? 1 : 0));
      sites[Math.floor(rand() * n)] = 1;
      const got = squaredDistanceTransform(sites, dims, spacing);
      const at = (o: number) => [
        o % dims[0],
        Math.floor(o / dims[0]) % dims[1],
        Math.floor(o / (dims[0] * dims[1])),
      ];
      for (let o = 0; o < n; o++) {
        let best = Infinity;
        const p = at(o);
        for (let q = 0; q < n; q++) {
          if (!sites[q]) continue;
          const r = at(q);
          best = Math.min(
            best,
            ((p[0]! - r[0]!) * spacing[0]) ** 2 +
              ((p[1]! - r[1]!) * spacing[1]) ** 2 +
              ((p[2]! - r[2]!) * spacing[2]) ** 2,
          );
        }
        expect(got[o]).toBeCloseTo(best, 9);
      }
    }
  });

  it("percentile interpolates like numpy's default", () => {
    expect(percentile(Float64Array.from([4, 1, 3, 2]), 95)).toBeCloseTo(3.85, 14);
    expect(percentile(Float64Array.from([5]), 95)).toBe(5);
  });
});
