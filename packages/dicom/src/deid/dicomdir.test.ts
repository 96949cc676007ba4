import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDictionary } from '../parser/dictionary.js';
import { readDicom, stringValue } from '../parser/read.js';
import type { DicomDataset } from '../parser/types.js';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { deriveDeidKey } from './keys.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';
import { patientPseudonym } from './pseudonym.js';

// DICOMDIR written by dcmtk's dcmmkdir over two patients' CT images, the first patient's in two series
// (fixtures/dicomdir/make-dicomdir.sh)
const input = readFileSync(new URL('../../fixtures/dicomdir/DICOMDIR', import.meta.url));
const dict = loadDictionary();
const KEY = Buffer.alloc(32, 0x5a);

function ul(ds: DicomDataset, tag: number): number {
  const v = ds.find((e) => e.tag === tag)?.value;
  return v ? Buffer.from(v).readUInt32LE(0) : 0;
}
function str(ds: DicomDataset, tag: number): string {
  return stringValue(ds.find((e) => e.tag === tag)?.value).trim();
}

/** Walks the directory from the root record by offsets, as a reader does: [record type, depth] in order. */
function walk(out: Buffer): {
  order: Array<[string, number]>;
  records: readonly DicomDataset[];
  starts: number[];
} {
  const file = readDicom(out, dict);
  const seq = file.dataset.find((e) => e.tag === 0x00041220)!;
  const records = seq.items!;
  const starts = [...seq.itemOffsets!];
  // every record starts where an offset says: the bytes there are an Item tag
  for (const s of starts) expect(out.readUInt32LE(s)).toBe(0xe000fffe);
  const at = new Map(starts.map((s, i) => [s, i]));
  const order: Array<[string, number]> = [];
  const visit = (offset: number, depth: number): void => {
    for (let o = offset; o !== 0; ) {
      const i = at.get(o);
      expect(i, `offset ${o} points at no record`).toBeDefined();
      const r = records[i!]!;
      order.push([str(r, 0x00041430), depth]);
      if (ul(r, 0x00041420) !== 0) visit(ul(r, 0x00041420), depth + 1);
      o = ul(r, 0x00041400);
    }
  };
  visit(ul(file.dataset, 0x00041200), 0);
  expect(at.get(ul(file.dataset, 0x00041202))).toBeDefined();
  return { order, records, starts };
}

describe('DICOMDIR de-identification', () => {
  it('rewrites record offsets so the directory tree reads the same, and pseudonymises each patient', () => {
    const before = walk(input);
    expect(before.order).toHaveLength(12);
    for (const options of [BASIC_PROFILE, DOSE_MONITORING_PROFILE]) {
      const r = deidentifyBuffer(input, options, KEY);
      if (r.status !== 'ok') throw new Error(`${r.code} ${r.reason}`);
      expect(r.output.length).not.toBe(input.length); // values changed length: the old offsets would be wrong
      const after = walk(r.output);
      expect(after.order).toEqual(before.order);
      const patients = after.records.filter((p) => str(p, 0x00041430) === 'PATIENT');
      const k = deriveDeidKey(KEY).patient;
      // each patient record gets its own patient's pseudonym (the one that patient's images get)
      expect(patients.map((p) => str(p, 0x00100020))).toEqual([
        patientPseudonym(k, 'MRN1001'),
        patientPseudonym(k, 'MRN2002'),
      ]);
      expect(patients.map((p) => str(p, 0x00100010))).toEqual(patients.map((p) => str(p, 0x00100020)));
      for (const leak of ['MRN1001', 'MRN2002', 'DOE', 'ROE', 'JANE', 'RICHARD', '19610704', 'ACC177'])
        expect(r.output.includes(Buffer.from(leak, 'latin1')), leak).toBe(false);
      // file IDs keep their shape, the folder named after the patient does not survive
      const ids = after.records.map((x) => str(x, 0x00041500)).filter((s) => s !== '');
      const [a, b] = patients.map((p) => str(p, 0x00100020).slice(3, 11));
      expect(a).not.toBe(b);
      expect(ids).toEqual([
        `DICOM\\${a}\\IMG1`,
        `DICOM\\${a}\\IMG2`,
        `DICOM\\${a}\\IMG3`,
        `DICOM\\${b}\\IMG1`,
        `DICOM\\${b}\\IMG2`,
      ]);
    }
  });
});
