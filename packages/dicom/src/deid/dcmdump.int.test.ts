// Every de-identified output must parse with dcmtk's dcmdump (apt-get install -y dcmtk).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';

const hasDcmdump = spawnSync('dcmdump', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'fh-dcmdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 0x77);

describe('dcmdump parses every output', () => {
  it('dcmdump is installed (apt-get install -y dcmtk)', () => {
    expect(hasDcmdump, 'dcmdump not found: install dcmtk (apt-get install -y dcmtk) to run this test').toBe(
      true,
    );
  });

  it('parses the outputs of the real dose SRs and a synthetic CT (implicit and explicit) without errors', () => {
    const inputs: [string, Buffer][] = readdirSync('/work/shared/reference/rdsr')
      .filter((f) => f.endsWith('.dcm'))
      .map((f) => [f, readFileSync(join('/work/shared/reference/rdsr', f))]);
    const p = {
      patientId: 'X1',
      patientName: 'Q^R',
      studyUid: '1.2.5.1',
      seriesUid: '1.2.5.2',
      sopUid: '1.2.5.3',
      frameOfReferenceUid: '1.2.5.4',
      pixels: testPixels(8, 8),
      rows: 8,
      cols: 8,
    };
    inputs.push([
      'ct-explicit',
      buildDicom(ctElements(p), { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.5.3' }),
    ]);
    inputs.push([
      'ct-implicit',
      buildDicom(ctElements(p), { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.5.3', implicit: true }),
    ]);
    let checked = 0;
    for (const [name, buf] of inputs) {
      for (const opts of [BASIC_PROFILE, DOSE_MONITORING_PROFILE]) {
        const r = deidentifyBuffer(buf, opts, KEY);
        if (r.status !== 'ok') continue;
        const f = join(dir, `${name}-${checked}.dcm`);
        writeFileSync(f, r.output);
        const res = spawnSync('dcmdump', ['-q', '-E', f], { encoding: 'utf8' });
        expect(res.status, `${name}: ${res.stderr}`).toBe(0);
        expect(res.stderr, name).toBe('');
        checked++;
      }
    }
    expect(checked).toBe(36); // 16 dose SRs (the screen capture is quarantined) and 2 CTs, under 2 profiles
    const dump = execFileSync('dcmdump', [join(dir, 'ct-explicit-32.dcm')], { encoding: 'utf8' });
    expect(dump).toMatch(/\(0012,0062\) CS \[YES\]/);
    expect(dump).toMatch(/\(0002,0012\) UI \[2\.25\./);
  });
});
