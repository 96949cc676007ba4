import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RadiomicsError } from './errors.js';
import { readNifti } from './nifti.js';

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

describe('readNifti', () => {
  const phantom = readFileSync(path.join(ibsiDir(), 'digital_phantom', 'phantom.nii.gz'));

  it('reads the IBSI digital phantom (values as the IBSI data README states)', () => {
    const { header, volume } = readNifti(phantom);
    expect(volume.dims).toEqual([5, 4, 4]);
    expect(volume.spacing).toEqual([2, 2, 2]);
    expect(header.datatype).toBe(4);
    const levels = new Set(volume.data);
    expect([...levels].sort()).toEqual([1, 3, 4, 6, 9]);
  });

  it('reads the uncompressed form the same way', () => {
    const a = readNifti(phantom).volume.data;
    const b = readNifti(gunzipSync(phantom)).volume.data;
    expect(b).toEqual(a);
  });

  it('reads the CT phantom header (float32, 0.977 x 0.977 x 3 mm)', () => {
    const { header, volume } = readNifti(readFileSync(path.join(ibsiDir(), 'ct_phantom', 'phantom.nii.gz')));
    expect(volume.dims).toEqual([204, 201, 60]);
    expect(header.datatype).toBe(16);
    expect(volume.spacing[2]).toBeCloseTo(3, 6);
    expect(volume.spacing[0]).toBeCloseTo(0.977, 3);
  });

  it('rejects truncated and non-NIfTI input with stable codes', () => {
    const raw = gunzipSync(phantom);
    expect(() => readNifti(raw.subarray(0, 100))).toThrow(RadiomicsError);
    let caught: unknown;
    try {
      readNifti(raw.subarray(0, raw.length - 10));
    } catch (e) {
      caught = e;
    }
    expect((caught as RadiomicsError | undefined)?.code).toBe('FH_ERR_NIFTI_TRUNCATED');
    const bad = Uint8Array.from(raw);
    bad[0] = 1;
    expect(() => readNifti(bad)).toThrow(/sizeof_hdr/);
  });

  it('applies scl_slope and scl_inter', () => {
    const raw = Uint8Array.from(gunzipSync(phantom));
    const v = new DataView(raw.buffer);
    v.setFloat32(112, 2, true);
    v.setFloat32(116, -1, true);
    const plain = readNifti(gunzipSync(phantom)).volume.data;
    const scaled = readNifti(raw).volume.data;
    expect(scaled[0]).toBe((plain[0] ?? 0) * 2 - 1);
  });
});
