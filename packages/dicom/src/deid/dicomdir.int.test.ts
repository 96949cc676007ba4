// A de-identified DICOMDIR reads in dcmtk's dcmdump and in pydicom's FileSet (which follows the record
// offsets): apt-get install -y dcmtk python3-pydicom.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE } from './options.js';

const input = readFileSync(new URL('../../fixtures/dicomdir/DICOMDIR', import.meta.url));
const hasPydicom = spawnSync('/usr/bin/python3', ['-c', 'import pydicom']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'fh-dicomdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('de-identified DICOMDIR in reference readers', () => {
  const r = deidentifyBuffer(input, BASIC_PROFILE, Buffer.alloc(32, 0x33));
  if (r.status !== 'ok') throw new Error(r.reason);
  const out = join(dir, 'DICOMDIR');
  writeFileSync(out, r.output);

  it('dcmdump reads it without error', () => {
    const d = spawnSync('dcmdump', ['-q', out], { encoding: 'utf8' });
    expect(d.status, d.stderr).toBe(0);
    expect(d.stderr).toBe('');
    expect(d.stdout.match(/\(0004,1430\) CS \[PATIENT\]/g)).toHaveLength(2);
  });

  it.skipIf(!hasPydicom)('pydicom follows every record offset (FileSet) to both patients', () => {
    const py = [
      'import sys, warnings',
      "warnings.simplefilter('ignore')",
      'import pydicom',
      'from pydicom.fileset import FileSet',
      'ds = pydicom.dcmread(sys.argv[1])',
      'fs = FileSet(ds)',
      "print(' '.join(sorted(p.PatientID for p in ds.patient_records)))",
      'print(sum(1 for _ in fs._tree))',
    ].join('\n');
    const p = spawnSync('/usr/bin/python3', ['-c', py, out], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const [ids, nodes] = p.stdout.trim().split('\n');
    expect(ids!.split(' ')).toHaveLength(2);
    expect(ids).toMatch(/^FH-\S+ FH-\S+$/);
    expect(Number(nodes)).toBeGreaterThan(0);
  });
});
