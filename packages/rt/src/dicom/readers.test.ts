import { describe, expect, it } from 'vitest';
import { groupRtCases } from './load.js';
import { parseRtFile } from './parse.js';
import { readRtDose } from './rtdose.js';
import { readRtPlan } from './rtplan.js';
import { readRtStruct } from './rtstruct.js';
import { newRtIdentity, newUid, writeRtDose, writeRtPlan, writeRtStruct } from './write.js';

const grid = {
  origin: [-10, -20, 30] as const,
  row: [1, 0, 0] as const,
  col: [0, 1, 0] as const,
  dc: 2.5,
  dr: 2,
  nx: 4,
  ny: 3,
  offsets: [0, 3, 6],
};
const ramp = Float64Array.from({ length: 36 }, (_, i) => i * 0.5);

describe('RT readers', () => {
  it('reads a multi-frame dose grid with its scaling, spacing and offsets (32 and 16 bits)', () => {
    const id = newRtIdentity('P1');
    for (const bits of [32, 16] as const) {
      const g = readRtDose(parseRtFile(writeRtDose(id, grid, ramp, { bits }), 'dose.dcm'));
      expect([g.nx, g.ny, g.nz, g.dc, g.dr]).toEqual([4, 3, 3, 2.5, 2]);
      expect(Array.from(g.offsets)).toEqual([0, 3, 6]);
      expect(g.frameOfReferenceUid).toBe(id.frameOfReferenceUid);
      const tol = bits === 32 ? 1e-5 : 17.5 / 65000;
      for (let i = 0; i < 36; i++) expect(Math.abs(g.dose[i]! - ramp[i]!)).toBeLessThanOrEqual(tol);
    }
  });

  it('turns absolute frame positions into offsets and sorts decreasing frames', () => {
    const id = newRtIdentity('P1');
    const abs = readRtDose(parseRtFile(writeRtDose(id, grid, ramp, { absoluteOffsets: true }), 'a.dcm'));
    expect(Array.from(abs.offsets)).toEqual([0, 3, 6]);
    // frames stored at decreasing offsets come back in increasing order with their pixels
    const down = readRtDose(parseRtFile(writeRtDose(id, { ...grid, offsets: [0, -3, -6] }, ramp), 'd.dcm'));
    expect(Array.from(down.offsets)).toEqual([-6, -3, 0]);
    expect(down.dose[0]).toBeCloseTo(ramp[24]!, 4);
    expect(down.dose[24]).toBeCloseTo(ramp[0]!, 4);
  });

  it('reads a non-axial (feet-first prone, coronal) orientation and refuses absolute offsets there', () => {
    const id = newRtIdentity('P1');
    const coronal = { ...grid, row: [1, 0, 0] as const, col: [0, 0, -1] as const };
    const g = readRtDose(parseRtFile(writeRtDose(id, coronal, ramp), 'c.dcm'));
    expect(g.normal.map((v) => v + 0)).toEqual([0, 1, 0]);
    const bytes = writeRtDose(id, { ...coronal, offsets: [5, 8, 11] }, ramp);
    expect(() => readRtDose(parseRtFile(bytes, 'c2.dcm'))).toThrow(/c2\.dcm.*non-axial/);
    const prone = readRtDose(
      parseRtFile(writeRtDose(id, { ...grid, row: [-1, 0, 0], col: [0, -1, 0] }, ramp), 'p.dcm'),
    );
    expect(prone.normal.map((v) => v + 0)).toEqual([0, 0, 1]);
  });

  it('reads ROI names, types and contours, and a plan prescription', () => {
    const id = newRtIdentity('P1');
    const sq = (z: number) =>
      [
        [0, 0, z],
        [5, 0, z],
        [5, 5, z],
        [0, 5, z],
      ] as const;
    const s = readRtStruct(
      parseRtFile(
        writeRtStruct(id, [
          { number: 1, name: 'PTV_60', interpretedType: 'PTV', contours: [sq(0), sq(2)] },
          { number: 7, name: 'Rectum', contours: [] },
        ]),
        's.dcm',
      ),
    );
    expect(s.frameOfReferenceUid).toBe(id.frameOfReferenceUid);
    expect(s.structures.map((x) => [x.number, x.name, x.interpretedType, x.contours.length])).toEqual([
      [1, 'PTV_60', 'PTV', 2],
      [7, 'Rectum', 'ORGAN', 0],
    ]);
    expect(Array.from(s.structures[0]!.contours[1]!.points.slice(0, 6))).toEqual([0, 0, 2, 5, 0, 2]);
    const p = readRtPlan(parseRtFile(writeRtPlan(id, { prescriptionGy: 60, fractions: 30 }), 'p.dcm'));
    expect([p.prescriptionGy, p.fractions]).toEqual([60, 30]);
  });

  it('groups by frame of reference, sums beam doses, and refuses a structure set without a dose on its frame', () => {
    const id = newRtIdentity('P1');
    const planUid = newUid();
    const files = [
      { name: 'b1.dcm', bytes: writeRtDose(id, grid, ramp, { summationType: 'BEAM', planUid }) },
      { name: 'b2.dcm', bytes: writeRtDose(id, grid, ramp, { summationType: 'BEAM', planUid }) },
      { name: 's.dcm', bytes: writeRtStruct(id, [{ number: 1, name: 'A', contours: [] }]) },
      {
        name: 'plan.dcm',
        bytes: writeRtPlan(id, { prescriptionGy: 50, fractions: 25, sopInstanceUid: planUid }),
      },
    ];
    const { cases } = groupRtCases(files);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.dose.dose[10]).toBeCloseTo(2 * ramp[10]!, 4);
    expect(cases[0]!.plan?.prescriptionGy).toBe(50);
    // the plan the doses reference wins over another plan, even one on another frame of reference
    const otherPlan = writeRtPlan(newRtIdentity('P1'), {
      prescriptionGy: 70,
      fractions: 35,
      sopInstanceUid: planUid,
    });
    const viaRef = groupRtCases([...files.slice(0, 3), { name: 'p2.dcm', bytes: otherPlan }]).cases[0]!;
    expect(viaRef.plan?.prescriptionGy).toBe(70);
    const other = newRtIdentity('P1');
    const bad = [
      files[0]!,
      { name: 'other.dcm', bytes: writeRtStruct(other, [{ number: 1, name: 'A', contours: [] }]) },
    ];
    expect(() => groupRtCases(bad)).toThrow(expect.objectContaining({ code: 'FH_ERR_RT_FRAME_MISMATCH' }));
    expect(() => groupRtCases(bad)).toThrow(/other\.dcm/);
    expect(() => groupRtCases([files[2]!])).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RT_INCOMPLETE' }),
    );
  });

  it('refuses a file that is not DICOM and a dose grid whose pixel data are short', () => {
    expect(() => parseRtFile(new Uint8Array(200), 'junk.bin')).toThrow(
      expect.objectContaining({ code: 'FH_ERR_RT_UNREADABLE' }),
    );
    const id = newRtIdentity('P1');
    const d = parseRtFile(writeRtDose(id, grid, ramp), 'short.dcm');
    d.ds.NumberOfFrames = 5;
    d.ds.GridFrameOffsetVector = [0, 3, 6, 9, 12];
    expect(() => readRtDose(d)).toThrow(expect.objectContaining({ code: 'FH_ERR_RT_MISSING_SLICE' }));
  });
});
