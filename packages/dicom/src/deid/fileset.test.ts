import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDictionary } from '../parser/dictionary.js';
import { readDicom, stringValue } from '../parser/read.js';
import type { DicomDataset } from '../parser/types.js';
import { deidentifyTree, type TreeProgress } from './deidentify-file.js';
import { buildDicomdir, fileSetOutputPath, isFileIdPath } from './fileset.js';
import { deriveDeidKey } from './keys.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';
import { patientPseudonym } from './pseudonym.js';
import { writeTreeFileSync } from './tree-output.js';

// A CD export: two patients' CT images under folders named after them, and dcmmkdir's DICOMDIR over them
// (fixtures/dicomdir/make-dicomdir.sh)
const FIXTURE = new URL('../../fixtures/dicomdir/fileset', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fh-fileset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = Buffer.alloc(32, 0x4b);
const dict = loadDictionary();

function ul(ds: DicomDataset, tag: number): number {
  const v = ds.find((e) => e.tag === tag)?.value;
  return v ? Buffer.from(v).readUInt32LE(0) : 0;
}
function str(ds: DicomDataset, tag: number): string {
  return stringValue(ds.find((e) => e.tag === tag)?.value).trim();
}

function files(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(d, join(e.parentPath, e.name)))
    .sort();
}

interface Visited {
  readonly type: string;
  readonly depth: number;
  readonly record: DicomDataset;
  /** The PATIENT record this record is under (itself for a PATIENT record). */
  readonly patient: DicomDataset;
}

/** Follows the record offsets from the root as a reader does; every offset must land on a record. */
function walk(bytes: Buffer): Visited[] {
  const file = readDicom(bytes, dict);
  const seq = file.dataset.find((e) => e.tag === 0x00041220)!;
  const at = new Map(seq.itemOffsets!.map((o, i) => [o, seq.items![i]!]));
  const out: Visited[] = [];
  const visit = (offset: number, depth: number, patient: DicomDataset | undefined): void => {
    for (let o = offset; o !== 0; ) {
      const r = at.get(o);
      expect(r, `offset ${o} points at no record`).toBeDefined();
      const type = str(r!, 0x00041430);
      const p = type === 'PATIENT' ? r! : patient!;
      out.push({ type, depth, record: r!, patient: p });
      visit(ul(r!, 0x00041420), depth + 1, p);
      o = ul(r!, 0x00041400);
    }
  };
  visit(ul(file.dataset, 0x00041200), 0, undefined);
  expect(at.get(ul(file.dataset, 0x00041202))).toBe(out.filter((v) => v.depth === 0).at(-1)?.record);
  expect(out).toHaveLength(seq.items!.length); // every record is reached, none twice
  return out;
}

describe('File-set output with a rebuilt DICOMDIR', () => {
  for (const [name, options] of [
    ['basic', BASIC_PROFILE],
    ['dose-monitoring', DOSE_MONITORING_PROFILE],
  ] as const) {
    it(`${name}: File ID paths, one PATIENT record per pseudonym, every record pointing at its file`, async () => {
      const out = join(dir, name);
      const progress: TreeProgress[] = [];
      const r = await deidentifyTree(FIXTURE, out, { options, projectKey: KEY }, (p) => progress.push(p));
      expect(r).toMatchObject({ ok: 5, duplicates: 0, quarantined: 0, rejected: 0 });
      expect(r.dicomdir).toEqual({ inputs: 1, files: 5, records: 12, unreferenced: 0 });
      expect(progress.find((p) => p.file === 'DICOMDIR')).toMatchObject({
        status: 'ok',
        output: 'DICOMDIR',
        write: 'directory',
      });
      expect(progress.at(-1)?.done).toBe(6);
      const written = files(out);
      expect(written).toContain('DICOMDIR');
      for (const f of written) expect(isFileIdPath(f), f).toBe(true);

      const bytes = readFileSync(join(out, 'DICOMDIR'));
      for (const leak of ['MRN1001', 'MRN2002', 'DOE', 'ROE', 'JANE', 'RICHARD', '19610704', 'ACC177'])
        expect(bytes.includes(Buffer.from(leak, 'latin1')), leak).toBe(false);
      const tree = walk(bytes);
      expect(tree.map((v) => `${v.depth}${v.type}`).sort()).toEqual(
        [
          ...'0PATIENT 1STUDY 2SERIES 3IMAGE 3IMAGE 2SERIES 3IMAGE'.split(' '),
          ...'0PATIENT 1STUDY 2SERIES 3IMAGE 3IMAGE'.split(' '),
        ].sort(),
      );
      const k = deriveDeidKey(KEY).patient;
      const patients = tree.filter((v) => v.type === 'PATIENT').map((v) => str(v.record, 0x00100020));
      expect(patients.sort()).toEqual(
        [patientPseudonym(k, 'MRN1001'), patientPseudonym(k, 'MRN2002')].sort(),
      );
      // each instance record names a file that is there and is that patient's, that study's, that instance
      const images = tree.filter((v) => v.type === 'IMAGE');
      expect(images).toHaveLength(5);
      for (const v of images) {
        const fileId = stringValue(v.record.find((e) => e.tag === 0x00041500)?.value).trim();
        const path = join(out, ...fileId.split('\\'));
        expect(existsSync(path), fileId).toBe(true);
        const f = readDicom(readFileSync(path), dict);
        expect(str(f.dataset, 0x00100020)).toBe(str(v.patient, 0x00100020));
        expect(str(f.dataset, 0x00080018)).toBe(str(v.record, 0x00041511));
        expect(str(f.meta, 0x00020010)).toBe(str(v.record, 0x00041512));
        expect(str(f.dataset, 0x00200013)).toBe(str(v.record, 0x00200013));
        expect(fileId.split('\\').join(sep)).toBe(
          fileSetOutputPath(str(f.dataset, 0x00100020), {
            study: str(f.dataset, 0x0020000d),
            series: str(f.dataset, 0x0020000e),
            sopInstance: str(f.dataset, 0x00080018),
          }),
        );
      }
      // type 1 keys the profile emptied are filled (dummy or the file's own retained date), never left empty
      for (const study of tree.filter((v) => v.type === 'STUDY')) {
        for (const tag of [0x00080020, 0x00080030, 0x00200010]) expect(str(study.record, tag)).not.toBe('');
        if (name === 'basic') expect(str(study.record, 0x00080020)).toBe('19000101');
        else expect(str(study.record, 0x00080020)).not.toBe('20240315'); // shifted, as in the files
      }
    });
  }

  it('a second run into the same folder adds nothing and rebuilds the same DICOMDIR', async () => {
    const out = join(dir, 'basic');
    const before = readFileSync(join(out, 'DICOMDIR'));
    const r = await deidentifyTree(FIXTURE, out, { options: BASIC_PROFILE, projectKey: KEY });
    expect(r).toMatchObject({
      ok: 0,
      duplicates: 5,
      dicomdir: { inputs: 1, files: 5, records: 12, unreferenced: 0 },
    });
    expect(readFileSync(join(out, 'DICOMDIR')).equals(before)).toBe(true);
  });

  it('a folder without a DICOMDIR keeps the tree layout; layout "tree" de-identifies the DICOMDIR as a file', async () => {
    const noDir = join(dir, 'no-dicomdir');
    cpSync(join(FIXTURE, 'DICOM'), join(noDir, 'DICOM'), { recursive: true });
    const a = await deidentifyTree(noDir, join(dir, 'tree-a'), { options: BASIC_PROFILE, projectKey: KEY });
    expect(a.dicomdir).toBeUndefined();
    expect(files(join(dir, 'tree-a')).every((f) => f.endsWith('.dcm'))).toBe(true);
    const b = await deidentifyTree(
      FIXTURE,
      join(dir, 'tree-b'),
      { options: BASIC_PROFILE, projectKey: KEY },
      undefined,
      {
        layout: 'tree',
      },
    );
    expect(b).toMatchObject({ ok: 6 });
    expect(b.dicomdir).toBeUndefined();
  });

  it('leaves out files that are not DICOM or whose path is not a File ID, and names them', () => {
    const out = join(dir, 'stray');
    cpSync(join(dir, 'basic'), out, { recursive: true });
    writeFileSync(join(out, 'NOTES'), 'not dicom');
    writeFileSync(join(out, 'notes.txt'), 'not dicom');
    // another file of an instance already there (other bytes, kept beside it as _2): one record, as dcmmkdir
    const first = files(out).find((f) => f !== 'DICOMDIR' && isFileIdPath(f))!;
    const copy = `${first.slice(0, -2)}_2`;
    const bytes = readFileSync(join(out, first));
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(join(out, copy), bytes);
    const built = buildDicomdir(out);
    expect(built.files).toBe(5);
    expect(built.records).toBe(12);
    expect([...built.skipped].sort()).toEqual([copy, 'NOTES', 'notes.txt'].sort());
  });

  it('different bytes at one File-set path get an 8-character -N name', () => {
    const out = join(dir, 'suffix');
    const a = writeTreeFileSync(out, join('AB', 'CDEFGHIJ'), Buffer.from('a'));
    const b = writeTreeFileSync(out, join('AB', 'CDEFGHIJ'), Buffer.from('b'));
    const c = writeTreeFileSync(out, join('AB', 'CDEFGHIJ'), Buffer.from('b'));
    expect([a, b, c]).toEqual([
      { path: join('AB', 'CDEFGHIJ'), write: 'written' },
      { path: join('AB', 'CDEFGH_2'), write: 'renamed' },
      { path: join('AB', 'CDEFGH_2'), write: 'duplicate' },
    ]);
    expect(isFileIdPath(b.path)).toBe(true);
  });
});
