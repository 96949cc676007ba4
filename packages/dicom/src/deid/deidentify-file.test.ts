import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { deidentifyFile, deidentifyTree, type TreeProgress } from './deidentify-file.js';
import { deriveDeidKey } from './keys.js';
import { BASIC_PROFILE } from './options.js';
import { openReidMap, sealReidMap } from './reid-map.js';

const dir = mkdtempSync(join(tmpdir(), 'fh-deid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const projectKey = Buffer.alloc(32, 0x42);

function ct(i: number, patientId: string): Buffer {
  return buildDicom(
    ctElements({
      patientId,
      patientName: 'SMITH^JOHN',
      studyUid: '1.2.9.1',
      seriesUid: '1.2.9.2',
      sopUid: `1.2.9.3.${i}`,
      frameOfReferenceUid: '1.2.9.4',
      pixels: testPixels(4, 4, i),
      rows: 4,
      cols: 4,
    }),
    { sopClassUid: CT_IMAGE, sopInstanceUid: `1.2.9.3.${i}` },
  );
}

function allFiles(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('deidentifyFile / deidentifyTree', () => {
  it('writes nothing for a rejected or quarantined file, and no temp files are left', async () => {
    const inFile = join(dir, 'bad.dcm');
    writeFileSync(inFile, 'not dicom at all');
    const out = join(dir, 'out-single');
    const r = await deidentifyFile(inFile, join(out, 'x.dcm'), { options: BASIC_PROFILE, projectKey });
    expect(r.status).toBe('rejected');
    expect(() => readdirSync(out)).toThrow();
    const good = join(dir, 'good.dcm');
    writeFileSync(good, ct(1, 'MRN1'));
    const ok = await deidentifyFile(good, join(out, 'y.dcm'), { options: BASIC_PROFILE, projectKey });
    expect(ok.status).toBe('ok');
    expect(readdirSync(out)).toEqual(['y.dcm']);
  });

  it('de-identifies a folder into pseudonym/study/series/instance paths with no original names', async () => {
    const inDir = join(dir, 'SMITH_JOHN_MRN1');
    mkdirSync(join(inDir, 'series1'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(inDir, 'series1', `IMG${i}.dcm`), ct(i, 'MRN1'));
    writeFileSync(join(inDir, 'DICOMDIR-notes.txt'), 'hello');
    const outDir = join(dir, 'tree-out');
    const seen: TreeProgress[] = [];
    const res = await deidentifyTree(inDir, outDir, { options: BASIC_PROFILE, projectKey }, (p) =>
      seen.push(p),
    );
    expect(res).toMatchObject({ ok: 3, rejected: 1, quarantined: 0 });
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    const files = allFiles(outDir);
    expect(files.length).toBe(3);
    for (const f of files) {
      expect(f).not.toMatch(/SMITH|MRN1|IMG|series1/);
      expect(f).toMatch(/FH-[A-Z2-7]{16}\/2\.25\.\d+\/2\.25\.\d+\/2\.25\.\d+\.dcm$/);
      expect(readFileSync(f).includes(Buffer.from('SMITH'))).toBe(false);
    }
    const key = deriveDeidKey(projectKey);
    const map = openReidMap(sealReidMap(res.reid, key), key);
    expect([...map.values()]).toEqual(['MRN1']);
  });
});
