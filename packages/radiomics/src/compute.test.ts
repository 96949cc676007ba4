import { describe, expect, it } from 'vitest';
import { computeFeatures, settingsHash } from './compute.js';
import { ibsiConfigC, ibsiDigitalPhantom } from './config.js';
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

  it('rejects an invalid configuration before any work', () => {
    const image: Volume = { ...geometry, data: new Float64Array(64) };
    const mask: Mask = { ...geometry, data: new Uint8Array(64).fill(1) };
    expect(() => computeFeatures(image, mask, { ...ibsiConfigC, outlierSigma: -1 })).toThrow(/outlierSigma/);
  });
});
