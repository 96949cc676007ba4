import { createRequire } from 'node:module';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from '../deid/deidentify-buffer.js';
import { BASIC_PROFILE } from '../deid/options.js';
import { loadDictionary } from './dictionary.js';
import { DicomParseError } from './errors.js';
import { readDicom, stringValue } from './read.js';

const require = createRequire(import.meta.url);
type Dict = Record<string, { vr: string; Value?: unknown[] }>;
const dcmjs = require('dcmjs') as {
  data: { DicomMessage: { readFile(b: ArrayBuffer): { meta: Dict; dict: Dict } } };
};
const dict = loadDictionary();
const KEY = Buffer.alloc(32, 1);
const ctParams = {
  patientId: 'MRN77',
  patientName: 'ROE^RICHARD',
  studyUid: '1.2.3.1',
  seriesUid: '1.2.3.2',
  sopUid: '1.2.3.3',
  frameOfReferenceUid: '1.2.3.4',
  pixels: testPixels(4, 4),
  rows: 4,
  cols: 4,
};

function dcmjsRead(b: Buffer): { meta: Dict; dict: Dict } {
  return dcmjs.data.DicomMessage.readFile(
    b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  );
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

function metaLE(ts: string): Buffer {
  return buildDicom([], { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.3.3', transferSyntax: ts });
}

describe('readDicom', () => {
  it('reads implicit VR LE with VRs from the generated dictionary, and rewrites it in the same syntax', () => {
    const f = buildDicom(ctElements(ctParams), {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.3.3',
      implicit: true,
    });
    const parsed = readDicom(f, dict);
    expect(parsed.syntax.explicitVr).toBe(false);
    expect(parsed.dataset.find((e) => e.tag === 0x00100010)?.vr).toBe('PN');
    expect(parsed.dataset.find((e) => e.tag === 0x00280010)?.vr).toBe('US');
    const r = deidentifyBuffer(f, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const back = dcmjsRead(r.output);
    expect(back.meta['00020010']?.Value?.[0]).toBe('1.2.840.10008.1.2');
    expect(back.dict['00280010']?.Value?.[0]).toBe(4);
    expect(
      Buffer.from(back.dict['7FE00010']?.Value?.[0] as ArrayBuffer).equals(Buffer.from(ctParams.pixels)),
    ).toBe(true);
  });

  it('reads explicit VR big endian and writes it back big endian', () => {
    const ts = '1.2.840.10008.1.2.2';
    const el = (g: number, e: number, vr: string, v: Buffer) => {
      const h = Buffer.alloc(8);
      h.writeUInt16BE(g, 0);
      h.writeUInt16BE(e, 2);
      h.write(vr, 4, 'latin1');
      h.writeUInt16BE(v.length, 6);
      return Buffer.concat([h, v]);
    };
    const us = Buffer.alloc(2);
    us.writeUInt16BE(512, 0);
    const f = Buffer.concat([
      metaLE(ts),
      el(0x0008, 0x0016, 'UI', Buffer.from(`${CT_IMAGE}\0`, 'latin1')),
      el(0x0008, 0x0018, 'UI', Buffer.from('1.2.3.3\0', 'latin1')),
      el(0x0010, 0x0010, 'PN', Buffer.from('ROE^RICHARD ', 'latin1')),
      el(0x0028, 0x0010, 'US', us),
    ]);
    const parsed = readDicom(f, dict);
    expect(parsed.syntax.littleEndian).toBe(false);
    expect(stringValue(parsed.dataset.find((e) => e.tag === 0x00100010)?.value)).toBe('ROE^RICHARD');
    const r = deidentifyBuffer(f, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const back = dcmjsRead(r.output);
    expect(back.dict['00280010']?.Value?.[0]).toBe(512);
    expect(JSON.stringify(back.dict['00100010']?.Value)).not.toContain('ROE');
  });

  it('inflates deflated datasets and rejects deflate bombs', () => {
    const f = buildDicom(ctElements(ctParams), {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.3.3',
      transferSyntax: '1.2.840.10008.1.2.1.99',
    });
    const r = deidentifyBuffer(f, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const back = dcmjsRead(r.output);
    expect(back.dict['00280011']?.Value?.[0]).toBe(4);
    const bomb = buildDicom([], {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.3.3',
      transferSyntax: '1.2.840.10008.1.2.1.99',
      trailer: Buffer.alloc(64 * 1024 * 1024),
    });
    expect(bomb.length).toBeLessThan(200_000);
    expect(code(() => readDicom(bomb, dict, { maxDepth: 64, maxInflatedBytes: 8 * 1024 * 1024 }))).toBe(
      'FH_ERR_DICOM_DEFLATE_BOMB',
    );
  });

  it('copies encapsulated pixel data fragments untouched', () => {
    const item = (b: Buffer) => {
      const h = Buffer.alloc(8);
      h.writeUInt16LE(0xfffe, 0);
      h.writeUInt16LE(0xe000, 2);
      h.writeUInt32LE(b.length, 4);
      return Buffer.concat([h, b]);
    };
    const frag1 = Buffer.from('\xff\xd8fragment-one-bytes\xff\xd9', 'latin1');
    const frag2 = Buffer.from('second fragment!', 'latin1');
    const px = Buffer.concat([
      Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      item(Buffer.alloc(0)),
      item(frag1),
      item(frag2),
      Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const f = buildDicom(
      ctElements(ctParams).filter((e) => e.tag !== 0x7fe00010),
      {
        sopClassUid: CT_IMAGE,
        sopInstanceUid: '1.2.3.3',
        transferSyntax: '1.2.840.10008.1.2.4.50',
        trailer: px,
      },
    );
    const r = deidentifyBuffer(f, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const tail = r.output.subarray(r.output.length - px.length);
    expect(tail.equals(px)).toBe(true);
  });

  it('rejects non-DICOM, polyglot, truncated and too deeply nested input with stable codes', () => {
    const good = buildDicom(ctElements(ctParams), { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.3.3' });
    expect(code(() => readDicom(Buffer.from('hello'), dict))).toBe('FH_ERR_DICOM_NOT_DICOM');
    const mz = Buffer.from(good);
    mz.write('MZ', 0, 'latin1');
    expect(code(() => readDicom(mz, dict))).toBe('FH_ERR_DICOM_EXECUTABLE_PREAMBLE');
    const elf = Buffer.from(good);
    elf.write('\x7fELF', 0, 'latin1');
    expect(code(() => readDicom(elf, dict))).toBe('FH_ERR_DICOM_EXECUTABLE_PREAMBLE');
    expect(code(() => readDicom(good.subarray(0, good.length - 5), dict))).toBe('FH_ERR_DICOM_TRUNCATED');
    type E = { tag: number; vr: string; items?: E[][]; value?: string };
    let nest: E = { tag: 0x00081030, vr: 'LO', value: 'x' };
    for (let i = 0; i < 70; i++) nest = { tag: 0x00081115, vr: 'SQ', items: [[nest]] };
    const deep = buildDicom([nest], { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.3.3' });
    expect(code(() => readDicom(deep, dict))).toBe('FH_ERR_DICOM_TOO_DEEP');
    const r = deidentifyBuffer(deep, BASIC_PROFILE, KEY);
    expect(r.status).toBe('rejected');
    expect(r.status === 'rejected' ? r.code : '').toBe('FH_ERR_DICOM_TOO_DEEP');
  });
});
