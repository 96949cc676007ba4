import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from '../deid/deidentify-buffer.js';
import { BASIC_PROFILE } from '../deid/options.js';
import { loadDictionary } from './dictionary.js';
import { DicomParseError } from './errors.js';
import { inferRawSyntax, readDicom, stringValue } from './read.js';

const dict = loadDictionary();
const KEY = Buffer.alloc(32, 3);
const params = {
  patientId: 'MRN42',
  patientName: 'POE^EDGAR',
  studyUid: '1.2.5.1',
  seriesUid: '1.2.5.2',
  sopUid: '1.2.5.3',
  frameOfReferenceUid: '1.2.5.4',
  pixels: testPixels(4, 4),
  rows: 4,
  cols: 4,
};

/** The Part 10 file's dataset alone (what a PACS export without File Meta holds), or meta + dataset. */
function strip(part10: Buffer, keepMeta: boolean): Buffer {
  const metaLength = part10.readUInt32LE(132 + 8); // (0002,0000) UL value
  return part10.subarray(keepMeta ? 132 : 132 + 12 + metaLength);
}

/** A tiny explicit VR big-endian dataset, encoded by hand. */
function explicitBE(): Buffer {
  const el = (g: number, e: number, vr: string, v: string): Buffer => {
    const value = Buffer.from(v.length % 2 ? `${v}${vr === 'UI' ? '\0' : ' '}` : v, 'latin1');
    const h = Buffer.alloc(8);
    h.writeUInt16BE(g, 0);
    h.writeUInt16BE(e, 2);
    h.write(vr, 4, 'latin1');
    h.writeUInt16BE(value.length, 6);
    return Buffer.concat([h, value]);
  };
  return Buffer.concat([
    el(0x0008, 0x0016, 'UI', CT_IMAGE),
    el(0x0008, 0x0018, 'UI', '1.2.5.9'),
    el(0x0010, 0x0010, 'PN', 'POE^EDGAR'),
    el(0x0010, 0x0020, 'LO', 'MRN42'),
  ]);
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DicomParseError) return e.code;
    throw e;
  }
  return 'none';
}

describe('files without preamble and "DICM"', () => {
  const implicit = buildDicom(ctElements(params), {
    sopClassUid: CT_IMAGE,
    sopInstanceUid: '1.2.5.3',
    implicit: true,
  });
  const explicit = buildDicom(ctElements(params), { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.5.3' });

  it('infers implicit VR LE, explicit VR LE and explicit VR BE from the first element', () => {
    expect(inferRawSyntax(strip(implicit, false))?.uid).toBe('1.2.840.10008.1.2');
    expect(inferRawSyntax(strip(explicit, false))?.uid).toBe('1.2.840.10008.1.2.1');
    expect(inferRawSyntax(explicitBE())?.uid).toBe('1.2.840.10008.1.2.2');
    for (const text of [
      'hello world, not DICOM',
      'MZ\x90\0\x03\0\0\0',
      '%PDF-1.4\n%',
      '\x7fELF\x02\x01\x01\0',
    ])
      expect(inferRawSyntax(Buffer.from(text, 'latin1'))).toBeNull();
    // implicit VR whose first length runs past the end of the file is not a dataset
    const bogus = Buffer.from([0x08, 0, 0x16, 0, 0xff, 0xff, 0, 0x10, 1, 2]);
    expect(inferRawSyntax(bogus)).toBeNull();
  });

  it('reads them to the same dataset as the Part 10 file', () => {
    for (const [part10, uid] of [
      [implicit, '1.2.840.10008.1.2'],
      [explicit, '1.2.840.10008.1.2.1'],
    ] as const) {
      const full = readDicom(part10, dict);
      for (const raw of [strip(part10, false), strip(part10, true)]) {
        const r = readDicom(raw, dict);
        expect(r.inferred).toBe(true);
        expect(r.syntax.uid).toBe(uid);
        expect(r.dataset.map((e) => [e.tag, e.vr, Buffer.from(e.value ?? []).toString('hex')])).toEqual(
          full.dataset.map((e) => [e.tag, e.vr, Buffer.from(e.value ?? []).toString('hex')]),
        );
      }
    }
    const be = readDicom(explicitBE(), dict);
    expect(be.syntax.littleEndian).toBe(false);
    expect(stringValue(be.dataset.find((e) => e.tag === 0x00100020)?.value)).toBe('MRN42');
    expect(code(() => readDicom(Buffer.from('plain text, not a dataset at all'), dict))).toBe(
      'FH_ERR_DICOM_NOT_DICOM',
    );
  });

  it('de-identifies them into proper Part 10 files in the inferred syntax', () => {
    for (const raw of [strip(implicit, false), strip(explicit, false), explicitBE()]) {
      const r = deidentifyBuffer(raw, BASIC_PROFILE, KEY);
      if (r.status !== 'ok') throw new Error(`${r.code}: ${r.reason}`);
      expect(r.output.subarray(128, 132).toString('latin1')).toBe('DICM');
      const back = readDicom(r.output, dict);
      expect(back.inferred).toBeUndefined();
      const meta = (tag: number) => stringValue(back.meta.find((e) => e.tag === tag)?.value);
      expect(meta(0x00020010)).toBe(readDicom(raw, dict).syntax.uid);
      expect(meta(0x00020002)).toBe(CT_IMAGE);
      expect(meta(0x00020003)).toMatch(/^2\.25\.\d+$/);
      expect(r.output.includes(Buffer.from('MRN42'))).toBe(false);
      expect(r.output.includes(Buffer.from('POE'))).toBe(false);
    }
  });
});
