import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../compute.js';
import { ibsiConfigC } from '../config.js';
import type { Mask } from '../volume.js';
import { type PatientGrid, readImageSeries, type Vec3 } from './ct-series.js';
import { readDicomRoi } from './load.js';
import { type DicomDataset, parseDicom } from './parse.js';
import { findRoi, rasteriseRoi, readRtStruct } from './rtstruct.js';
import { readSeg, writeSeg } from './seg.js';
import { encodeDicom, newSeriesIdentity, writeImageSeries, writeRtStruct } from './write.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  dims: [number, number, number];
  spacing: [number, number, number];
  rois: Record<string, { voxels: number[]; sumHu: number }>;
};
const load = (name: string) => parseDicom(readFileSync(join(fixtures, name)), name);
const ctFiles = () =>
  readdirSync(fixtures)
    .filter((f) => f.startsWith('ct-'))
    .map(load);

function voxels(m: Mask): number[] {
  const out: number[] = [];
  m.data.forEach((v, i) => {
    if (v === 1) out.push(i);
  });
  return out;
}

describe('DICOM written by pydicom, rasterised by matplotlib.path (scripts/make-dicom-fixtures.py)', () => {
  const series = readImageSeries([...ctFiles(), load('rtstruct.dcm')]);

  it('orders slices by position along the normal and takes the spacing from positions', () => {
    expect(series.volume.dims).toEqual(expected.dims);
    for (const [i, s] of series.volume.spacing.entries())
      expect(s).toBeCloseTo(expected.spacing[i] as number, 4);
    // 12-bit stored values with slope 2 and intercept -1000: the first voxel of slice k is hu(0, 0, k)
    for (let k = 0; k < 12; k++)
      expect(series.volume.data[k * 40 * 32]).toBe(2 * Math.floor((100 + 15 * k + 1000) / 2) - 1000);
  });

  it('rasterises contours with holes, islands and several contours per slice like the even-odd reference', () => {
    const rs = readRtStruct(load('rtstruct.dcm'));
    for (const [name, ref] of Object.entries(expected.rois)) {
      const mask = rasteriseRoi(findRoi(rs, name), series);
      expect(voxels(mask), name).toEqual(ref.voxels);
      const sum = voxels(mask).reduce((s, i) => s + (series.volume.data[i] as number), 0);
      expect(sum, name).toBe(ref.sumHu);
    }
    expect(findRoi(rs, 'gtv').name).toBe('GTV');
    expect(findRoi(rs, '2').name).toBe('Ring star');
    expect(() => findRoi(rs, 'PTV')).toThrow(
      expect.objectContaining({
        code: 'FH_ERR_RADIOMICS_ROI_NOT_FOUND',
        message: expect.stringContaining('"GTV"'),
      }),
    );
  });

  it('reads a binary SEG whose frames are placed by plane position only', () => {
    const seg = load('seg-binary.dcm');
    expect(voxels(readSeg(seg, series, { segment: 'GTV' }))).toEqual(expected.rois.GTV?.voxels);
    expect(voxels(readSeg(seg, series, { segment: '1' }))).toEqual([]);
    expect(() => readSeg(seg, series)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RADIOMICS_ROI_NOT_FOUND' }),
    );
  });

  it('round-trips a mask through SEG (binary by UID and position, binary by position, fractional)', () => {
    const gtv = readDicomRoi(ctFiles(), load('rtstruct.dcm'), { roi: 'GTV' }).mask;
    for (const reference of ['sop-and-position', 'position'] as const) {
      const bytes = writeSeg(gtv, series, { label: 'GTV', reference });
      expect(voxels(readSeg(parseDicom(bytes, 'seg'), series))).toEqual(voxels(gtv));
    }
    // fractions: 0.8 inside the ROI, 0.3 on the voxels just left of it
    const fractions = new Float64Array(gtv.data.length);
    gtv.data.forEach((v, i) => {
      if (v === 1) fractions[i] = 0.8;
      else if (gtv.data[i + 1] === 1) fractions[i] = 0.3;
    });
    const frac = parseDicom(
      writeSeg(gtv, series, { label: 'GTV', type: 'FRACTIONAL', fractions }),
      'fractional',
    );
    expect(voxels(readSeg(frac, series))).toEqual(voxels(gtv));
    const wide = voxels(readSeg(frac, series, { threshold: 0.25 }));
    expect(wide.length).toBeGreaterThan(voxels(gtv).length);
    expect(wide).toEqual(voxels({ ...gtv, data: Uint8Array.from(fractions, (f) => (f >= 0.25 ? 1 : 0)) }));
  });
});

// A synthetic axial series: 0.8 x 0.8 mm pixels, 2 mm slices, feet-first position offsets.
const grid: PatientGrid = {
  dims: [96, 96, 40],
  spacing: [0.8, 0.8, 2],
  position0: [-38, -38.4, -40],
  row: [1, 0, 0],
  col: [0, 1, 0],
  normal: [0, 0, 1],
};
const centreOf = (g: PatientGrid): Vec3 => [
  g.position0[0] + ((g.dims[0] - 1) / 2) * g.spacing[0],
  g.position0[1] + ((g.dims[1] - 1) / 2) * g.spacing[1],
  g.position0[2] + ((g.dims[2] - 1) / 2) * g.spacing[2],
];

function circle(c: Vec3, r: number, z: number, n = 180): Vec3[] {
  return Array.from({ length: n }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    return [c[0] + r * Math.cos(t), c[1] + r * Math.sin(t), z] as Vec3;
  });
}

function square(cx: number, cy: number, half: number, z: number): Vec3[] {
  return [
    [cx - half, cy - half, z],
    [cx + half, cy - half, z],
    [cx + half, cy + half, z],
    [cx - half, cy + half, z],
  ];
}

function syntheticPatient(g: PatientGrid) {
  const id = newSeriesIdentity('SYNTH-1');
  const values = Float64Array.from({ length: g.dims[0] * g.dims[1] * g.dims[2] }, (_, i) => 40 + (i % 7));
  const files = writeImageSeries(g, values, id);
  const c = centreOf(g);
  const sphereR = 20;
  const sphere: Vec3[][] = [];
  const cube: Vec3[][] = [];
  for (let k = 0; k < g.dims[2]; k++) {
    const z = g.position0[2] + k * g.spacing[2];
    const dz = z - c[2];
    if (Math.abs(dz) < sphereR) sphere.push(circle(c, Math.sqrt(sphereR ** 2 - dz ** 2), z));
    // cube of 24 x 24 mm (30 x 30 voxels) over 10 slices (20 mm), with an 8 x 8 mm (10 x 10 voxels) hole
    // through its middle 4 slices; edges fall half-way between voxel centres
    if (k >= 15 && k < 25) {
      const cx = c[0] + 0.4;
      const cy = c[1] + 0.4;
      cube.push(square(cx, cy, 12, z));
      if (k >= 18 && k < 22) cube.push(square(cx, cy, 4, z));
    }
  }
  const rt = writeRtStruct(id, [
    { number: 1, name: 'Sphere', contours: sphere },
    { number: 7, name: 'Cube with hole', contours: cube },
  ]);
  return { files, rt, id };
}

describe('synthetic CT + RTSTRUCT written with dcmjs', () => {
  const { files, rt, id } = syntheticPatient(grid);
  const images = files.map((f, i) => parseDicom(f, `slice ${i}`));
  const rtDs = parseDicom(rt, 'rtstruct');

  it('gives the sphere its analytic volume and the cube with a hole its exact voxel count', () => {
    const sphere = readDicomRoi(images, rtDs, { roi: 'Sphere' });
    const voxelVolume = 0.8 * 0.8 * 2;
    const sphereVolume = (4 / 3) * Math.PI * 20 ** 3;
    const n = voxels(sphere.mask).length;
    expect(Math.abs(n * voxelVolume - sphereVolume) / sphereVolume).toBeLessThan(0.01);
    const cube = readDicomRoi(images, rtDs, { roi: '7' });
    expect(voxels(cube.mask).length).toBe(10 * 30 * 30 - 4 * 10 * 10);
    expect(cube.roiName).toBe('Cube with hole');
    // IBSI mesh volume of the voxelised sphere (config C resamples to 2 mm): within 3 % of the analytic volume
    const f = computeFeatures(sphere.image, sphere.mask, ibsiConfigC).features.find(
      (x) => x.tag === 'morph_volume',
    );
    expect(Math.abs((f?.value ?? 0) - sphereVolume) / sphereVolume).toBeLessThan(0.03);
  });

  it('refuses uneven slice spacing, gantry tilt, duplicate slices and contours off the slice planes', () => {
    const code = (c: string) => expect.objectContaining({ code: c });
    const gap = images.filter((_, i) => i !== 12);
    expect(() => readImageSeries(gap)).toThrow(code('FH_ERR_DICOM_GEOMETRY'));
    expect(() => readImageSeries(gap)).toThrow(/not uniform/);
    const tilted: PatientGrid = { ...grid, dims: [16, 16, 6], normal: [0, Math.sin(0.2), Math.cos(0.2)] };
    const tiltedFiles = writeImageSeries(tilted, new Float64Array(16 * 16 * 6), newSeriesIdentity('T'));
    expect(() => readImageSeries(tiltedFiles.map((f, i) => parseDicom(f, `t${i}`)))).toThrow(/gantry tilt/);
    expect(() => readImageSeries([...images, images[3] as DicomDataset])).toThrow(/same position/);
    expect(() => readDicomRoi(images, rtDs, { roi: 'Sphere', planeTolerance: 1e-9 })).not.toThrow();
    const c = centreOf(grid);
    const offPlane = [{ number: 1, name: 'Off', contours: [circle(c, 5, grid.position0[2] + 2 * 10 + 0.4)] }];
    expect(() =>
      readDicomRoi(images, parseDicom(writeRtStruct(id, offPlane), 'off'), { planeTolerance: 0.3 }),
    ).toThrow(code('FH_ERR_DICOM_CONTOUR_PLANE'));
    expect(() => readDicomRoi(images, parseDicom(writeRtStruct(id, offPlane), 'off'))).not.toThrow();
    const otherFrame = writeRtStruct(newSeriesIdentity('SYNTH-1'), offPlane);
    expect(() => readDicomRoi(images, parseDicom(otherFrame, 'other'))).toThrow(/frame of reference/);
  });

  it('names unreadable files and files without images', () => {
    expect(() => parseDicom(new Uint8Array([1, 2, 3]), 'junk.dcm')).toThrow(
      expect.objectContaining({
        code: 'FH_ERR_DICOM_UNREADABLE',
        message: expect.stringContaining('junk.dcm'),
      }),
    );
    expect(() => readImageSeries([rtDs])).toThrow(expect.objectContaining({ code: 'FH_ERR_DICOM_SERIES' }));
    const enhanced = parseDicom(
      encodeDicom({
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2.1',
        SOPInstanceUID: '2.25.1',
        Modality: 'CT',
        NumberOfFrames: 3,
      }),
      'enhanced.dcm',
    );
    expect(() => readImageSeries([enhanced])).toThrow(/enhanced.dcm: multi-frame/);
  });
});
