import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  doseAt,
  exactDoseAtFraction,
  exactFractionAtLeast,
  exactVolumeCc,
  type LinearDose,
  newRtIdentity,
  type Shape,
  writePhantom,
  writeRtStruct,
} from '@fedhub/rt';
import { describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);

interface Out {
  cases: Array<{
    prescriptionGy: number | null;
    fractions: number | null;
    structures: Array<{
      name: string;
      standardName: string | null;
      volumeCc: number;
      meanGy: number;
      minGy: number;
      maxGy: number;
      D98: number;
      D95: number;
      D50: number;
      D2: number;
      cumulative: { doseGy: number[]; volumePct: number[] };
      target?: { coveragePct: number; homogeneityIndex: number };
    }>;
    failed: Array<{ name: string; code: string }>;
  }>;
  names: { mapped: Record<string, string>; unmapped: string[] };
  ignoredFiles: number;
}

describe('fedhub rt dvh', () => {
  it('prints per-structure metrics and cumulative curves of phantom files, with TG-263 names from the node config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedhub-rt-'));
    try {
      const sphere: Shape = { kind: 'sphere', centre: [0, 0, 0], radius: 15 };
      const box: Shape = { kind: 'box', centre: [0, 40, 4], size: [20, 16, 24] };
      const grad: LinearDose = { centreGy: 50, axis: 'z', gyPerMm: 0.8 };
      const { files } = writePhantom({
        structures: [
          { name: 'ptv high', shape: sphere, interpretedType: 'PTV' },
          { name: 'Rect', shape: box },
        ],
        dose: (p) => doseAt(sphere, grad, p),
        prescription: { prescriptionGy: 50, fractions: 25 },
      });
      for (const f of files) await writeFile(join(dir, f.name), f.bytes);
      await writeFile(join(dir, 'README.txt'), 'not DICOM');
      const config = join(dir, 'node.yaml');
      await writeFile(
        config,
        'hub: { url: "http://127.0.0.1:1" }\nrt:\n  structureNames:\n    ptv high: PTV_High\n',
      );
      const { stdout } = await run(process.execPath, [
        FEDHUB_BIN,
        'rt',
        'dvh',
        dir,
        '--json',
        '--node-config',
        config,
        '--target',
        'PTV_High',
      ]);
      const out = JSON.parse(stdout) as Out;
      expect(out.ignoredFiles).toBe(2);
      const [c] = out.cases;
      expect([c!.prescriptionGy, c!.fractions]).toEqual([50, 25]);
      expect(out.names).toEqual({
        mapped: { 'ptv high': 'PTV_High' },
        unmapped: ['Rect'],
        nonStandardTargets: [],
      });
      const ptv = c!.structures.find((s) => s.name === 'ptv high')!;
      expect(ptv.standardName).toBe('PTV_High');
      // against the closed-form DVH of a sphere in a linear gradient
      expect(Math.abs(ptv.volumeCc / exactVolumeCc(sphere) - 1)).toBeLessThan(0.03);
      expect(Math.abs(ptv.meanGy / 50 - 1)).toBeLessThan(0.005);
      for (const [k, f] of [
        ['D98', 0.98],
        ['D95', 0.95],
        ['D50', 0.5],
        ['D2', 0.02],
      ] as const)
        expect(Math.abs(ptv[k] / exactDoseAtFraction(sphere, grad, f) - 1)).toBeLessThan(0.01);
      expect(ptv.minGy).toBeGreaterThan(50 - 0.8 * 15 - 0.01);
      expect(ptv.maxGy).toBeLessThan(50 + 0.8 * 15 + 0.01);
      const { doseGy, volumePct } = ptv.cumulative;
      expect(doseGy[1]! - doseGy[0]!).toBeCloseTo(0.01, 9);
      expect(volumePct[0]).toBe(100);
      for (let i = 0; i < doseGy.length; i += 50)
        expect(Math.abs(volumePct[i]! - 100 * exactFractionAtLeast(sphere, grad, doseGy[i]!))).toBeLessThan(
          1.5,
        );
      expect(ptv.target?.coveragePct).toBeGreaterThan(40);
      expect(ptv.target?.coveragePct).toBeLessThan(60);
      const rect = c!.structures.find((s) => s.name === 'Rect')!;
      expect(Math.abs(rect.volumeCc / 7.68 - 1)).toBeLessThan(0.01);
      const human = await run(process.execPath, [
        FEDHUB_BIN,
        'rt',
        'dvh',
        join(dir, 'RTDOSE.dcm'),
        join(dir, 'RTSTRUCT.dcm'),
      ]);
      expect(human.stdout).toMatch(/ptv high\s+\(unmapped\)/);
      expect(human.stdout).toMatch(/unmapped structure names \(no TG-263 name\): Rect, ptv high/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a structure set whose frame of reference has no dose, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedhub-rt-'));
    try {
      const { files } = writePhantom({
        structures: [{ name: 'A', shape: { kind: 'sphere', centre: [0, 0, 0], radius: 5 } }],
        dose: () => 1,
      });
      await writeFile(join(dir, 'dose.dcm'), files[0]!.bytes);
      await writeFile(
        join(dir, 'other-rs.dcm'),
        writeRtStruct(newRtIdentity('X'), [{ number: 1, name: 'A', contours: [] }]),
      );
      const err = await run(process.execPath, [FEDHUB_BIN, 'rt', 'dvh', dir, '--json']).catch(
        (e: { code: number; stdout: string }) => e,
      );
      expect((err as { code: number }).code).toBe(1);
      const body = JSON.parse((err as { stdout: string }).stdout) as {
        error: { code: string; message: string };
      };
      expect(body.error.code).toBe('FH_ERR_RT_FRAME_MISMATCH');
      expect(body.error.message).toContain('other-rs.dcm');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
