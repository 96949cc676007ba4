import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeFeatures, settingsHash } from './compute.js';
import { ibsiConfigC, ibsiDigitalPhantom } from './config.js';
import { ibsiCode } from './ibsi-codes.js';
import type { Mask, Volume } from './volume.js';

const geometry = { dims: [4, 4, 4] as const, spacing: [1, 1, 1] as const, origin: [0, 0, 0] as const };

describe('computeFeatures', () => {
  it('rejects a mask on another grid and an empty ROI with stable codes', () => {
    const image: Volume = { ...geometry, data: new Float64Array(64).fill(1) };
    const small: Mask = { ...geometry, dims: [4, 4, 3], data: new Uint8Array(48) };
    expect(() => computeFeatures(image, small, ibsiDigitalPhantom)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RADIOMICS_SHAPE_MISMATCH' }),
    );
    const empty: Mask = { ...geometry, data: new Uint8Array(64) };
    expect(() => computeFeatures(image, empty, ibsiDigitalPhantom)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RADIOMICS_EMPTY_ROI' }),
    );
  });

  it('keys features by IBSI tag with family, aggregation, code and the settings hash', () => {
    const data = Float64Array.from({ length: 64 }, (_, i) => 1 + (i % 5));
    const image: Volume = { ...geometry, data };
    const mask: Mask = { ...geometry, data: new Uint8Array(64).fill(1) };
    const { features } = computeFeatures(image, mask, ibsiDigitalPhantom);
    const byTag = new Map(features.map((f) => [f.tag, f]));
    expect(byTag.get('morph_volume')?.code).toBe('RNU0');
    expect(byTag.get('cm_joint_max_3D_comb')?.aggregation).toBe('3D_comb');
    expect(byTag.get('szm_sze_2_5D')?.family).toBe('szm');
    expect(byTag.get('stat_mean')?.value).toBeCloseTo(data.reduce((a, b) => a + b, 0) / 64, 12);
    expect(new Set(features.map((f) => f.settingsHash))).toEqual(new Set([settingsHash(ibsiDigitalPhantom)]));
    expect(features.length).toBe(byTag.size);
  });

  it('gives every emitted feature its IBSI code, family code and aggregation code (2D, 2.5D and 3D)', () => {
    const data = Float64Array.from({ length: 64 }, (_, i) => 1 + ((i * 7) % 5));
    const image: Volume = { ...geometry, data };
    const mask: Mask = { ...geometry, data: new Uint8Array(64).fill(1) };
    const { features } = computeFeatures(image, mask, ibsiDigitalPhantom);
    expect(features.length).toBeGreaterThan(400);
    const missing = features.filter(
      (f) =>
        !/^[0-9A-Z]{4}$/.test(f.code ?? '') ||
        !/^[0-9A-Z]{4}$/.test(f.familyCode ?? '') ||
        (f.aggregation === 'none') !== (f.aggregationCode === undefined),
    );
    expect(missing.map((f) => f.tag)).toEqual([]);
    const byTag = new Map(features.map((f) => [f.tag, f]));
    expect(byTag.get('cm_joint_max_2D_avg')).toMatchObject({
      code: 'GYBY',
      familyCode: 'LFYI',
      aggregationCode: 'BTW3',
    });
    expect(byTag.get('ngl_dc_energy_2_5D')).toMatchObject({
      code: 'CAS9',
      familyCode: 'REK0',
      aggregationCode: '62GR',
    });
    expect(byTag.get('stat_mean')).toMatchObject({
      code: 'Q4LE',
      familyCode: 'UHIW',
      aggregationCode: undefined,
    });
  });

  it('knows the code of every feature tag of the IBSI reference tables', () => {
    const dir = resolve(
      fileURLToPath(import.meta.url),
      '../../../../../shared/reference/ibsi/reference_values',
    );
    const tags = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.startsWith('ibsi_1_') && f.endsWith('.csv'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split(/\r?\n/).slice(1)) {
        const tag = line.split(',').at(-1) ?? '';
        if (
          /^(morph|loc|stat|ih|ivh|cm|rlm|szm|dzm|ngt|ngl)_/.test(tag) &&
          !/_(init|interp|reseg)_roi$/.test(tag)
        )
          tags.add(tag);
      }
    }
    expect(tags.size).toBeGreaterThan(400);
    expect([...tags].filter((t) => ibsiCode(t) === undefined)).toEqual([]);
  });

  it('rejects an invalid configuration before any work', () => {
    const image: Volume = { ...geometry, data: new Float64Array(64) };
    const mask: Mask = { ...geometry, data: new Uint8Array(64).fill(1) };
    expect(() => computeFeatures(image, mask, { ...ibsiConfigC, outlierSigma: -1 })).toThrow(/outlierSigma/);
  });
});
