import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type BuildElement,
  buildDicom,
  CT_IMAGE,
  ctElements,
  testPixels,
} from '@fedhub/testkit/dicom-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyTree, type TreeProgress } from './deidentify-file.js';
import { BASIC_PROFILE } from './options.js';
import { writeTreeFileSync } from './tree-output.js';

const dir = mkdtempSync(join(tmpdir(), 'fh-tree-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const projectKey = Buffer.alloc(32, 0x17);

function elements(sop: string, seed: number): BuildElement[] {
  return ctElements({
    patientId: 'MRN7',
    patientName: 'ROE^RICHARD',
    studyUid: '1.2.77.1',
    seriesUid: '1.2.77.2',
    sopUid: sop,
    frameOfReferenceUid: '1.2.77.4',
    pixels: testPixels(4, 4, seed),
    rows: 4,
    cols: 4,
  });
}

function files(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(d, join(e.parentPath, e.name)))
    .sort();
}

describe('writeTreeFileSync', () => {
  it('never overwrites: different bytes get a -N name, identical bytes are a duplicate', () => {
    const out = join(dir, 'direct');
    const a = writeTreeFileSync(out, 'p/s/1.dcm', Buffer.from('first'));
    const b = writeTreeFileSync(out, 'p/s/1.dcm', Buffer.from('second'));
    const c = writeTreeFileSync(out, 'p/s/1.dcm', Buffer.from('second'));
    const d = writeTreeFileSync(out, 'p/s/1.dcm', Buffer.from('third'));
    expect([a, b, c, d]).toEqual([
      { path: join('p', 's', '1.dcm'), write: 'written' },
      { path: join('p', 's', '1-2.dcm'), write: 'renamed' },
      { path: join('p', 's', '1-2.dcm'), write: 'duplicate' },
      { path: join('p', 's', '1-3.dcm'), write: 'renamed' },
    ]);
    expect(readFileSync(join(out, 'p/s/1.dcm'), 'latin1')).toBe('first');
    expect(readFileSync(join(out, 'p/s/1-2.dcm'), 'latin1')).toBe('second');
    expect(files(out)).toEqual(['p/s/1-2.dcm', 'p/s/1-3.dcm', 'p/s/1.dcm']); // no temporary file left
  });
});

describe('deidentifyTree: no silent loss', () => {
  it('keeps inputs that map to the same output path, counts duplicates, names UID-less files uniquely', async () => {
    const inDir = join(dir, 'in');
    mkdirSync(inDir);
    const explicit = buildDicom(elements('1.2.77.3.1', 1), {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.77.3.1',
    });
    // the same SOP instance in another transfer syntax: other bytes, same de-identified path
    const implicit = buildDicom(elements('1.2.77.3.1', 1), {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.77.3.1',
      implicit: true,
    });
    // a different object sharing that SOP Instance UID
    const other = buildDicom(elements('1.2.77.3.1', 2), {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.77.3.1',
    });
    // two different files without any SOP Instance UID
    const noUid = (seed: number): Buffer =>
      buildDicom(
        elements('', seed).filter((e) => e.tag !== 0x00080018),
        { sopClassUid: CT_IMAGE, sopInstanceUid: '' },
      );
    writeFileSync(join(inDir, 'a.dcm'), explicit);
    writeFileSync(join(inDir, 'a-copy.dcm'), explicit); // the same file twice: a duplicate
    writeFileSync(join(inDir, 'b.dcm'), implicit);
    writeFileSync(join(inDir, 'c.dcm'), other);
    writeFileSync(join(inDir, 'd.dcm'), noUid(3));
    writeFileSync(join(inDir, 'e.dcm'), noUid(4));
    writeFileSync(join(inDir, 'f.txt'), 'not DICOM');
    const progress: TreeProgress[] = [];
    const out = join(dir, 'out');
    const r = await deidentifyTree(inDir, out, { options: BASIC_PROFILE, projectKey }, (p) =>
      progress.push(p),
    );
    expect(r).toMatchObject({ ok: 5, renamed: 2, duplicates: 1, quarantined: 0, rejected: 1 });
    const written = files(out);
    // the summary's counts are the files actually there
    expect(written).toHaveLength(r.ok);
    expect(r.ok + r.duplicates + r.quarantined + r.rejected).toBe(7);
    expect(progress.filter((p) => p.write === 'duplicate').map((p) => p.file)).toEqual(['a.dcm']); // sorted: a-copy first
    expect(new Set(progress.filter((p) => p.output).map((p) => p.output)).size).toBe(5);
    // UID-less files: deterministic names (a second run writes the same ones) that differ from each other
    const again = await deidentifyTree(inDir, join(dir, 'out2'), { options: BASIC_PROFILE, projectKey });
    expect(again).toMatchObject({ ok: 5, renamed: 2, duplicates: 1 });
    const noUidNames = progress.filter((p) => p.file === 'd.dcm' || p.file === 'e.dcm').map((p) => p.output);
    expect(new Set(noUidNames).size).toBe(2);
    for (const n of noUidNames) expect(files(join(dir, 'out2'))).toContain(n);
    // running into the same output again: every file is already there, identical
    const rerun = await deidentifyTree(inDir, out, { options: BASIC_PROFILE, projectKey });
    expect(rerun).toMatchObject({ ok: 0, duplicates: 6, rejected: 1 });
    expect(files(out)).toEqual(written);
  });
});
