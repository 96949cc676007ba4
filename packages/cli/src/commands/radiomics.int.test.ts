import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from '../child-process.js';

const run = promisify(execFile);
const ibsi = resolve(fileURLToPath(new URL('../../../../', import.meta.url)), '../shared/reference/ibsi');

describe('fedhub radiomics', () => {
  it('prints the IBSI digital phantom features keyed by tag, with the reference values', async () => {
    expect(existsSync(ibsi), `reference data missing at ${ibsi}`).toBe(true);
    const { stdout } = await run(process.execPath, [
      FEDHUB_BIN,
      'radiomics',
      '--image',
      `${ibsi}/digital_phantom/phantom.nii.gz`,
      '--mask',
      `${ibsi}/digital_phantom/mask.nii.gz`,
      '--config',
      'ibsi-digital-phantom',
      '--json',
    ]);
    const r = JSON.parse(stdout) as { features: Array<{ tag: string; code?: string; value: number }> };
    const byTag = new Map(r.features.map((f) => [f.tag, f]));
    // IBSI reference values of the digital phantom (manual table; 3 significant digits)
    expect(byTag.get('morph_volume')?.code).toBe('RNU0');
    expect(Number(byTag.get('morph_volume')!.value.toPrecision(3))).toBe(556);
    expect(Number(byTag.get('stat_mean')!.value.toPrecision(3))).toBe(2.15);
  });

  it('reads a DICOM series with an RT structure set or a SEG, by ROI name, with every feature coded', async () => {
    const fixtures = resolve(
      fileURLToPath(new URL('../../../', import.meta.url)),
      'radiomics/src/dicom/fixtures',
    );
    const dir = await mkdtemp(join(tmpdir(), 'fedhub-radiomics-'));
    try {
      await mkdir(join(dir, 'ct'));
      for (const f of await readdir(fixtures))
        if (f.startsWith('ct-')) await copyFile(join(fixtures, f), join(dir, 'ct', f));
      await writeFile(join(dir, 'ct', 'notes.txt'), 'not DICOM');
      const features = async (mask: string) => {
        const { stdout } = await run(process.execPath, [
          FEDHUB_BIN,
          'radiomics',
          '--image',
          join(dir, 'ct'),
          '--mask',
          join(fixtures, mask),
          '--roi',
          'GTV',
          '--config',
          'ibsi-ct-a',
          '--json',
        ]);
        return (JSON.parse(stdout) as { features: Array<{ tag: string; code?: string; value: number }> })
          .features;
      };
      const fromRt = await features('rtstruct.dcm');
      const fromSeg = await features('seg-binary.dcm');
      expect(fromRt.filter((f) => !f.code)).toEqual([]);
      // voxel-counting volume: the GTV of the fixture has 1482 voxels of 0.7 x 0.8 x 2.5 mm
      expect(fromRt.find((f) => f.tag === 'morph_vol_approx')?.value).toBeCloseTo(1482 * 0.7 * 0.8 * 2.5, 1);
      expect(fromSeg).toEqual(fromRt);
      await expect(
        run(process.execPath, [
          FEDHUB_BIN,
          'radiomics',
          '--image',
          join(dir, 'ct'),
          '--mask',
          join(fixtures, 'rtstruct.dcm'),
          '--roi',
          'PTV',
        ]),
      ).rejects.toMatchObject({ stderr: expect.stringContaining('no ROI "PTV"') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a config that is neither a preset nor a file', async () => {
    await expect(
      run(process.execPath, [
        FEDHUB_BIN,
        'radiomics',
        '--image',
        'x.nii',
        '--mask',
        'y.nii',
        '--config',
        'ibsi-ct-z',
      ]),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('--config ibsi-ct-z') });
  });
});
