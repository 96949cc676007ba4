import { ImagingPreprocessingSchema } from '@fedhub/protocol';
import type { Mask, Volume } from '@fedhub/radiomics';
import { describe, expect, it } from 'vitest';
import { caseScore, predictedMask, prepareCase } from './prepare-case.js';
import {
  boundingBoxCentre,
  cropOrPad,
  intensityMap,
  outputMask,
  pasteWindow,
  resampleImage,
  resampleMask,
  toInputs,
  windowStart,
} from './preprocess.js';

const vol = (
  dims: [number, number, number],
  data: number[],
  spacing: [number, number, number] = [1, 1, 1],
): Volume => ({
  dims,
  spacing,
  origin: [0, 0, 0],
  data: Float64Array.from(data),
});
const mask = (
  dims: [number, number, number],
  data: number[],
  spacing: [number, number, number] = [1, 1, 1],
): Mask => ({
  dims,
  spacing,
  origin: [0, 0, 0],
  data: Uint8Array.from(data),
});

describe('resampling', () => {
  it('trilinear for images on the centre-aligned grid (2 mm to 1 mm: positions -0.25, 0.25, 0.75, 1.25)', () => {
    const r = resampleImage(vol([2, 1, 1], [0, 10], [2, 1, 1]), [1, null, null]);
    expect(r.dims).toEqual([4, 1, 1]);
    expect(Array.from(r.data)).toEqual([0, 2.5, 7.5, 10]);
    expect(r.origin[0]).toBeCloseTo(-0.5, 12);
  });
  it('nearest neighbour for masks, on the same grid', () => {
    const m = resampleMask(mask([2, 1, 1], [1, 0], [2, 1, 1]), [1, null, null]);
    expect(Array.from(m.data)).toEqual([1, 1, 0, 0]);
  });
  it('no spacing keeps the volume as it is', () => {
    const v = vol([2, 1, 1], [3, 4]);
    expect(resampleImage(v, null)).toBe(v);
    expect(resampleImage(v, [null, null, null])).toBe(v);
  });
});

describe('crop and pad', () => {
  it('centres the window on the volume; an odd remainder goes after the centre', () => {
    const d = Float64Array.from([1, 2, 3, 4]);
    expect(windowStart([4, 1, 1], [2, 1, 1], null)).toEqual([1, 0, 0]);
    expect(Array.from(cropOrPad(d, [4, 1, 1], [1, 0, 0], [2, 1, 1], 0))).toEqual([2, 3]);
    const start = windowStart([4, 1, 1], [6, 1, 1], null);
    expect(start).toEqual([-1, 0, 0]);
    expect(Array.from(cropOrPad(d, [4, 1, 1], start, [6, 1, 1], -1))).toEqual([-1, 1, 2, 3, 4, -1]);
    expect(
      Array.from(cropOrPad(d, [4, 1, 1], windowStart([4, 1, 1], [5, 1, 1], null), [5, 1, 1], 9)),
    ).toEqual([9, 1, 2, 3, 4]);
  });
  it("centres on a structure's bounding box, and pastes a window back", () => {
    // 6 x 3 x 1, structure at x = 3..4, y = 1..2
    const m = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0];
    expect(boundingBoxCentre({ dims: [6, 3, 1], data: Uint8Array.from(m) })).toEqual([3.5, 1.5, 0]);
    expect(boundingBoxCentre({ dims: [2, 1, 1], data: new Uint8Array(2) })).toBeNull();
    const start = windowStart([6, 3, 1], [2, 2, 1], [3.5, 1.5, 0]);
    expect(start).toEqual([3, 1, 0]);
    const w = cropOrPad(Uint8Array.from(m), [6, 3, 1], start, [2, 2, 1], 0);
    expect(Array.from(w)).toEqual([1, 1, 1, 0]);
    expect(Array.from(pasteWindow(w, [2, 2, 1], start, [6, 3, 1]))).toEqual(m);
  });
});

describe('intensity', () => {
  it('a CT window [-160, 240] HU to [0, 1]', () => {
    const f = intensityMap({ kind: 'window', center: 40, width: 400, range: [0, 1] }, []);
    expect([-1000, -160, 0, 40, 240, 3000].map(f)).toEqual([0, 0, 0.4, 0.5, 1, 1]);
  });
  it("z-score with the image's own mean and population SD, or the card's; clipped first", () => {
    const f = intensityMap({ kind: 'zscore' }, [1, 2, 3, 4]);
    expect(f(2.5)).toBe(0);
    expect(f(4)).toBeCloseTo(1.5 / Math.sqrt(1.25), 14);
    expect(intensityMap({ kind: 'zscore', mean: 10, std: 2 }, [])(14)).toBe(2);
    const c = intensityMap({ kind: 'zscore', clip: [0, 2] }, [-5, 0, 2, 9]);
    // clipped image [0, 0, 2, 2]: mean 1, SD 1
    expect([-5, 1, 9].map(c)).toEqual([-1, 0, 1]);
  });
});

describe('input tensors', () => {
  const w = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // 2 x 2 x 2
  it('3D channels-first [1, C, D, H, W], the grey value on each channel', () => {
    const [t] = toInputs(w, [2, 2, 2], { mode: '3d', layout: 'channels-first', channels: 2 });
    expect(t?.dims).toEqual([1, 2, 2, 2, 2]);
    expect(Array.from(t!.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('2D channels-last [1, H, W, C], one tensor per slice', () => {
    const ts = toInputs(w, [2, 2, 2], { mode: '2d', layout: 'channels-last', channels: 3 }, [1]);
    expect(ts.map((t) => [t.slice, t.dims])).toEqual([[1, [1, 2, 2, 3]]]);
    expect(Array.from(ts[0]!.data)).toEqual([5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8]);
  });
  it('an output mask: channel, threshold; null on a shape mismatch; nan on NaN', () => {
    expect(
      Array.from(outputMask([0.1, 0.9, 0.2, 0.8, 0.3, 0.4], 3, 'channels-first', 1, 0.5) as Uint8Array),
    ).toEqual([1, 0, 0]);
    expect(
      Array.from(outputMask([0.1, 0.9, 0.2, 0.8, 0.3, 0.4], 3, 'channels-last', 1, 0.5) as Uint8Array),
    ).toEqual([1, 1, 0]);
    expect(outputMask([1, 2, 3, 4], 3, 'channels-first', 0, 0.5)).toBeNull();
    expect(outputMask([1, 2, 3], 3, 'channels-first', 1, 0.5)).toBeNull();
    expect(outputMask([1, Number.NaN, 3], 3, 'channels-first', 0, 0.5)).toBe('nan');
  });
});

describe('a case end to end', () => {
  // 4 x 4 x 3 volume of 2 mm voxels, values = x + 10 y + 100 z; a structure at x = 2, y = 2, z = 1..2
  const dims: [number, number, number] = [4, 4, 3];
  const data: number[] = [];
  const m: number[] = [];
  for (let z = 0; z < 3; z++)
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        data.push(x + 10 * y + 100 * z);
        m.push(x === 2 && y === 2 && z >= 1 ? 1 : 0);
      }
  const image = vol(dims, data, [2, 2, 2]);
  const ref = mask(dims, m, [2, 2, 2]);

  it('2D slices crossing the structure, cropped around it, windowed', () => {
    const pp = ImagingPreprocessingSchema.parse({
      size: [2, 2, null],
      crop: 'structure',
      mode: '2d',
      slices: 'structure',
      intensity: { kind: 'window', center: 150, width: 300 },
    });
    const c = prepareCase(image, ref, pp);
    if ('reason' in c) throw new Error(c.reason);
    expect(c.start).toEqual([1, 1, 0]);
    expect(c.inputs.map((t) => [t.slice, t.dims])).toEqual([
      [1, [1, 1, 2, 2]],
      [2, [1, 1, 2, 2]],
    ]);
    // slice 1: x = 1..2, y = 1..2 -> 111, 112, 121, 122 HU, windowed over [0, 300]
    expect(Array.from(c.inputs[0]!.data)).toEqual([111, 112, 121, 122].map((v) => Math.fround(v / 300)));
    expect(caseScore([[0.2], [0.7]], { task: 'classification', index: 0, scale: 'probability' }, 'max')).toBe(
      0.7,
    );
    expect(
      caseScore([[0], [Math.log(3)]], { task: 'classification', index: 0, scale: 'logit' }, 'mean'),
    ).toBeCloseTo(0.625, 14);
    expect(caseScore([[Number.NaN]], { task: 'classification', index: 0, scale: 'logit' }, 'mean')).toEqual({
      reason: 'nan-output',
    });
    expect(caseScore([[1]], { task: 'classification', index: 2, scale: 'logit' }, 'mean')).toEqual({
      reason: 'shape-mismatch',
    });
  });

  it('3D, resampled to 1 mm, padded; the predicted mask back on the whole resampled grid', () => {
    const pp = ImagingPreprocessingSchema.parse({ spacing: [1, 1, 1], size: [10, 8, 6], padValue: -1 });
    const c = prepareCase(image, ref, pp);
    if ('reason' in c) throw new Error(c.reason);
    expect(c.dims).toEqual([8, 8, 6]);
    expect(c.start).toEqual([-1, 0, 0]);
    expect(c.inputs[0]!.dims).toEqual([1, 1, 6, 8, 10]);
    expect(c.inputs[0]!.data[0]).toBe(-1);
    expect(c.inputs[0]!.data[1]).toBe(0);
    // nearest-neighbour reference: x = 4..5, y = 4..5, z = 2..5 of the 1 mm grid
    expect(c.reference!.data.reduce((a, b) => a + b, 0)).toBe(16);
    // a model that outputs the reference's window gives back the reference on the whole grid
    const out = Float32Array.from(cropOrPad(c.reference!.data, c.dims, c.start, c.size, 0));
    const p = predictedMask(c, [out], { task: 'segmentation', channel: 0, threshold: 0.5 }, 'channels-first');
    if ('reason' in p) throw new Error(p.reason);
    expect(Array.from(p)).toEqual(Array.from(c.reference!.data));
    expect(
      predictedMask(
        c,
        [new Float32Array(7)],
        { task: 'segmentation', channel: 0, threshold: 0.5 },
        'channels-first',
      ),
    ).toEqual({ reason: 'shape-mismatch' });
  });

  it('a structure crop without the structure fails as no-structure', () => {
    const pp = ImagingPreprocessingSchema.parse({ size: [2, 2, 2], crop: 'structure' });
    expect(prepareCase(image, null, pp)).toEqual({ reason: 'no-structure' });
    expect(
      prepareCase(
        image,
        mask(
          dims,
          m.map(() => 0),
        ),
        pp,
      ),
    ).toEqual({ reason: 'no-structure' });
  });
});
