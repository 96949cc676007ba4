import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cropGrid, maskBounds } from '../crop.js';
import { readNifti } from '../nifti.js';
import { glcmMatrix } from './glcm.js';
import { glrlmMatrix } from './glrlm.js';
import { directions2D, directions3D, type LevelGrid } from './grid.js';
import { neighbourhoodMatrices } from './neighbourhood.js';
import { zoneMatrices } from './zones.js';

function ibsiDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package-lock.json'))) {
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('no package-lock.json above the radiomics tests: cannot find the repository root');
    dir = up;
  }
  const out = path.resolve(dir, '../shared/reference/ibsi');
  if (!existsSync(out)) throw new Error(`IBSI reference data not found at ${out}`);
  return out;
}

function phantomGrid(): { grid: LevelGrid; morph: Uint8Array } {
  const dir = path.join(ibsiDir(), 'digital_phantom');
  const img = readNifti(readFileSync(path.join(dir, 'phantom.nii.gz'))).volume;
  const mask = readNifti(readFileSync(path.join(dir, 'mask.nii.gz'))).volume;
  const inRoi = Uint8Array.from(mask.data, (x) => (x > 0.5 ? 1 : 0));
  const levels = Int32Array.from(img.data, (x, i) => (inRoi[i] ? x : 0));
  const box = maskBounds(inRoi, img.dims);
  const lv = cropGrid(levels, img.dims, box.lo, box.hi, (n) => new Int32Array(n), 1);
  const mm = cropGrid(inRoi, img.dims, box.lo, box.hi, (n) => new Uint8Array(n), 1);
  return { grid: { levels: lv.data, dims: lv.dims, ng: 6 }, morph: mm.data };
}

function sparse(m: Float64Array, ng: number): Record<string, number> {
  const out: Record<string, number> = {};
  m.forEach((v, k) => {
    if (v > 0) out[`${Math.floor(k / ng) + 1},${(k % ng) + 1}`] = v;
  });
  return out;
}

describe('digital phantom texture matrices', () => {
  const { grid, morph } = phantomGrid();
  const [, , nz] = grid.dims;
  const slices = Array.from({ length: nz - 2 }, (_, k) => [k + 1, k + 2] as const);

  it('2D merged GLCMs per slice equal the matrices printed in the IBSI manual (chapter 6)', () => {
    // IBSI manual, "Grey level co-occurrence matrix (2D, merged)", slices 1-4 (upper triangles shown
    // doubled by symmetry).
    const expected = [
      { '1,1': 22, '1,4': 17, '1,6': 6, '4,1': 17, '4,4': 16, '4,6': 11, '6,1': 6, '6,4': 11, '6,6': 4 },
      {
        '1,1': 42,
        '1,3': 5,
        '1,4': 8,
        '1,6': 8,
        '3,1': 5,
        '3,4': 1,
        '3,6': 2,
        '4,1': 8,
        '4,3': 1,
        '4,4': 4,
        '4,6': 3,
        '6,1': 8,
        '6,3': 2,
        '6,4': 3,
      },
      { '1,1': 56, '1,4': 7, '1,6': 4, '4,1': 7, '4,4': 2, '6,1': 4 },
      { '1,1': 70, '1,4': 7, '1,6': 5, '4,1': 7, '4,4': 2, '6,1': 5 },
    ];
    const got = slices.map((z) => {
      const sum = new Float64Array(36);
      for (const d of directions2D) {
        glcmMatrix(grid, d, z).forEach((v, i) => {
          sum[i] = (sum[i] ?? 0) + v;
        });
      }
      return sparse(sum, 6);
    });
    expect(got).toEqual(expected);
  });

  it('GLCMs are symmetric and count every in-ROI neighbour pair twice', () => {
    for (const d of directions3D) {
      const m = glcmMatrix(grid, d, [0, nz]);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(m[i * 6 + j]).toBe(m[j * 6 + i]);
      expect(m.reduce((a, b) => a + b, 0) % 2).toBe(0);
    }
  });

  it('run lengths of each direction add up to the voxel count per grey level', () => {
    const perLevel = new Float64Array(6);
    for (const l of grid.levels) if (l > 0) perLevel[l - 1] = (perLevel[l - 1] ?? 0) + 1;
    expect(perLevel.reduce((a, b) => a + b, 0)).toBe(74);
    for (const d of directions3D) {
      const r = glrlmMatrix(grid, d, [0, nz]);
      for (let i = 0; i < 6; i++) {
        let s = 0;
        for (let j = 0; j < r.nj; j++) s += (j + 1) * (r.m[i * r.nj + j] ?? 0);
        expect(s).toBe(perLevel[i]);
      }
    }
  });

  it('size and distance zone matrices hold the same zones; sizes add up to the ROI', () => {
    const { szm, dzm } = zoneMatrices(grid, morph, [0, nz], false);
    let voxels = 0;
    szm.m.forEach((v, k) => {
      voxels += v * ((k % szm.nj) + 1);
    });
    expect(voxels).toBe(74);
    for (let i = 0; i < 6; i++) {
      const a = szm.m.slice(i * szm.nj, (i + 1) * szm.nj).reduce((x, y) => x + y, 0);
      const b = dzm.m.slice(i * dzm.nj, (i + 1) * dzm.nj).reduce((x, y) => x + y, 0);
      expect(a).toBe(b);
    }
  });

  it('NGLDM counts every ROI voxel once; NGTDM counts voxels with a neighbour', () => {
    const { ngldm, ngtdm } = neighbourhoodMatrices(grid, [0, nz], false, 0);
    expect(ngldm.m.reduce((a, b) => a + b, 0)).toBe(74);
    expect(ngtdm.n.reduce((a, b) => a + b, 0)).toBe(74);
  });
});
