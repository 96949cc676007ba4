import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../dicom/geometry.js';
import { groupRtCases } from '../dicom/load.js';
import type { Structure } from '../dicom/rtstruct.js';
import { writePhantom } from '../phantoms/phantom.js';
import { computeDvh, type Dvh } from './compute.js';
import { isodoseVolumeCc } from './isodose-volume.js';
import { doseAtVolumeCc, gEUD, metric, standardMetrics, targetIndices, volumeAtDoseCc } from './metrics.js';

const box = { kind: 'box' as const, centre: [0, 0, 0] as Vec3, size: [20, 20, 20] as Vec3 };
function phantomCase(dose: (p: Vec3) => number = () => 10) {
  const { files } = writePhantom({ structures: [{ name: 'Box', shape: box }], dose });
  return groupRtCases(files).cases[0]!;
}
const withContours = (s: Structure, contours: Structure['contours']): Structure => ({ ...s, contours });

describe('computeDvh', () => {
  it('a uniform dose gives a one-bin DVH with the volume of the box', () => {
    const c = phantomCase();
    const dvh = computeDvh(c.structureSet.structures[0]!, 's', c.dose);
    expect(dvh.volumeCc).toBeCloseTo(8, 6);
    expect(dvh.meanGy).toBeCloseTo(10, 4);
    expect(dvh.minGy).toBeCloseTo(10, 4);
    expect(standardMetrics(dvh).D50).toBeCloseTo(10, 2);
  });

  it('refuses open contours, missing slices, uncovered structures and another frame, naming file and structure', () => {
    const c = phantomCase();
    const s = c.structureSet.structures[0]!;
    const open = withContours(s, [
      { ...s.contours[0]!, geometricType: 'OPEN_PLANAR' },
      ...s.contours.slice(1),
    ]);
    expect(() => computeDvh(open, 'rs.dcm', c.dose)).toThrow(
      expect.objectContaining({
        code: 'FH_ERR_RT_OPEN_CONTOUR',
        details: { file: 'rs.dcm', structure: 'Box' },
      }),
    );
    const gap = withContours(s, [...s.contours.slice(0, 3), ...s.contours.slice(5)]);
    expect(() => computeDvh(gap, 'rs.dcm', c.dose)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RT_MISSING_SLICE' }),
    );
    expect(() => computeDvh(gap, 'rs.dcm', c.dose, { allowGaps: true })).not.toThrow();
    const far = withContours(
      s,
      s.contours.map((k) => ({ ...k, points: k.points.map((v, i) => (i % 3 === 0 ? v + 25 : v)) })),
    );
    expect(() => computeDvh(far, 'rs.dcm', c.dose)).toThrow(
      /rs\.dcm: structure "Box": .* outside the dose grid/,
    );
    const zero = computeDvh(far, 'rs.dcm', c.dose, { outside: 'zero' });
    expect(zero.minGy).toBe(0);
    expect(() => computeDvh({ ...s, frameOfReferenceUid: '1.2.3' }, 'rs.dcm', c.dose)).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RT_FRAME_MISMATCH' }),
    );
    const bent = withContours(s, [
      { ...s.contours[0]!, points: s.contours[0]!.points.map((v, i) => (i === 2 ? v + 1 : v)) },
    ]);
    expect(() => computeDvh(bent, 'rs.dcm', c.dose)).toThrow(/not planar/);
  });

  it('cuts holes by the even-odd rule', () => {
    const { files } = writePhantom({
      structures: [
        {
          name: 'Hollow',
          shape: { kind: 'hollow-box', centre: [0, 0, 0], size: [30, 30, 12], holeRadius: 8 },
        },
      ],
      dose: () => 5,
    });
    const c = groupRtCases(files).cases[0]!;
    const dvh = computeDvh(c.structureSet.structures[0]!, 's', c.dose);
    expect(dvh.volumeCc).toBeCloseTo(((900 - Math.PI * 64) * 12) / 1000, 2);
  });
});

describe('DVH metrics', () => {
  // 1 cc at [10, 10.01) Gy and 3 cc at [20, 20.01) Gy
  const diff = new Float64Array(2002);
  diff[1000] = 1;
  diff[2000] = 3;
  const dvh: Dvh = {
    structure: 'T',
    volumeCc: 4,
    binWidthGy: 0.01,
    differentialCc: diff,
    minGy: 10,
    maxGy: 20.01,
    meanGy: 17.5,
    samples: 4,
    spacingMm: { inPlane: 1, normal: 1 },
    planes: 1,
  };
  it('Vx, Dx and gEUD from the histogram', () => {
    expect(volumeAtDoseCc(dvh, 15)).toBeCloseTo(3, 12);
    expect(metric(dvh, 'V15Gy%')).toBeCloseTo(75, 10);
    expect(doseAtVolumeCc(dvh, 3.5)).toBeCloseTo(10.005, 10);
    expect(metric(dvh, 'D50')).toBeCloseTo(20 + 0.01 * (1 / 3), 10);
    // gEUD over bin centres: (0.25 * 10.005^4 + 0.75 * 20.005^4)^(1/4)
    expect(gEUD(dvh, 4)).toBeCloseTo((0.25 * 10.005 ** 4 + 0.75 * 20.005 ** 4) ** 0.25, 10);
    expect(metric(dvh, 'gEUD(n=0.25)')).toBeCloseTo(gEUD(dvh, 4), 12);
    expect(metric(dvh, 'gEUD(a=1)')).toBeCloseTo(0.25 * 10.005 + 0.75 * 20.005, 10);
    expect(() => metric(dvh, 'D95x')).toThrow(expect.objectContaining({ code: 'FH_ERR_BAD_PARAMS' }));
  });

  it('homogeneity and conformity of a target', () => {
    const t = targetIndices(dvh, 15, 6);
    expect(t.coveragePct).toBeCloseTo(75, 10);
    expect(t.conformityIndexRtog).toBeCloseTo(1.5, 12);
    expect(t.conformityIndexPaddick).toBeCloseTo(9 / 24, 12);
    expect(t.homogeneityIndex).toBeCloseTo((metric(dvh, 'D2') - metric(dvh, 'D98')) / metric(dvh, 'D50'), 12);
  });

  it('the isodose volume of a grid counts voxels at or above the level', () => {
    const c = phantomCase((p) => (p[0] > 0 ? 20 : 5));
    const n = c.dose.nx * c.dose.ny * c.dose.nz;
    let above = 0;
    for (let i = 0; i < n; i++) if (c.dose.dose[i]! >= 10) above++;
    expect(isodoseVolumeCc(c.dose, 10)).toBeCloseTo((above * 2.5 ** 3) / 1000, 9);
  });
});
