import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
