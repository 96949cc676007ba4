import { deflateRawSync } from 'node:zlib';

/**
 * Test-only DICOM file builder, written independently of src/parser: explicit VR LE (or implicit VR LE),
 * defined-length sequences and items, so that the reader is exercised on a different encoding than the one
 * our writer produces (undefined lengths).
 */
export interface BuildElement {
  readonly tag: number;
  readonly vr: string;
  readonly value?: string | Uint8Array;
  readonly items?: readonly (readonly BuildElement[])[];
}

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV']);

function valueBytes(e: BuildElement): Buffer {
  if (e.value === undefined) return Buffer.alloc(0);
  let b = typeof e.value === 'string' ? Buffer.from(e.value, 'latin1') : Buffer.from(e.value);
  if (b.length % 2 === 1)
    b = Buffer.concat([b, Buffer.from([e.vr === 'UI' || e.vr === 'OB' || e.vr === 'UN' ? 0 : 0x20])]);
  return b;
}

function encode(elements: readonly BuildElement[], explicit: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const e of [...elements].sort((a, b) => a.tag - b.tag)) {
    const body = e.items
      ? Buffer.concat(
          e.items.map((item) => {
            const inner = encode(item, explicit);
            const h = Buffer.alloc(8);
            h.writeUInt16LE(0xfffe, 0);
            h.writeUInt16LE(0xe000, 2);
            h.writeUInt32LE(inner.length, 4);
            return Buffer.concat([h, inner]);
          }),
        )
      : valueBytes(e);
    const g = e.tag >>> 16;
    const el = e.tag & 0xffff;
    let h: Buffer;
    if (!explicit) {
      h = Buffer.alloc(8);
      h.writeUInt32LE(body.length, 4);
    } else if (LONG.has(e.vr)) {
      h = Buffer.alloc(12);
      h.write(e.vr, 4, 'latin1');
      h.writeUInt32LE(body.length, 8);
    } else {
      h = Buffer.alloc(8);
      h.write(e.vr, 4, 'latin1');
      h.writeUInt16LE(body.length, 6);
    }
    h.writeUInt16LE(g, 0);
    h.writeUInt16LE(el, 2);
    parts.push(h, body);
  }
  return Buffer.concat(parts);
}

/** Builds a Part 10 file with the given dataset; `implicit` selects implicit VR LE. */
export function buildDicom(
  elements: readonly BuildElement[],
  opts: {
    sopClassUid: string;
    sopInstanceUid: string;
    implicit?: boolean;
    transferSyntax?: string;
    trailer?: Uint8Array;
  },
): Buffer {
  const ts = opts.transferSyntax ?? (opts.implicit ? '1.2.840.10008.1.2' : '1.2.840.10008.1.2.1');
  const meta = encode(
    [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
      { tag: 0x00020002, vr: 'UI', value: opts.sopClassUid },
      { tag: 0x00020003, vr: 'UI', value: opts.sopInstanceUid },
      { tag: 0x00020010, vr: 'UI', value: ts },
      { tag: 0x00020012, vr: 'UI', value: '1.2.3.4' },
    ],
    true,
  );
  const gl = encode(
    [{ tag: 0x00020000, vr: 'UL', value: new Uint8Array(new Uint32Array([meta.length]).buffer) }],
    true,
  );
  const pre = Buffer.alloc(132);
  pre.write('DICM', 128, 'latin1');
  let body: Buffer = Buffer.concat([encode(elements, !opts.implicit), opts.trailer ?? Buffer.alloc(0)]);
  if (ts === '1.2.840.10008.1.2.1.99') body = deflateRawSync(body);
  return Buffer.concat([pre, gl, meta, body]);
}

/** CT Image Storage SOP Class UID. */
export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
/** RT Structure Set Storage SOP Class UID. */
export const RT_STRUCT = '1.2.840.10008.5.1.4.1.1.481.3';

/** A deterministic 16-bit test image of `rows` x `cols` pixels. */
export function testPixels(rows: number, cols: number, seed = 1): Uint8Array {
  const b = Buffer.alloc(rows * cols * 2);
  let x = seed >>> 0;
  for (let i = 0; i < rows * cols; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b.writeUInt16LE(x >>> 20, i * 2);
  }
  return b;
}

/** Minimal CT image dataset elements (patient, study, series, instance, image pixel module). */
export function ctElements(p: {
  patientId: string;
  patientName: string;
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  frameOfReferenceUid: string;
  pixels: Uint8Array;
  rows: number;
  cols: number;
}): BuildElement[] {
  const us = (n: number) => new Uint8Array(new Uint16Array([n]).buffer);
  return [
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
    { tag: 0x00080018, vr: 'UI', value: p.sopUid },
    { tag: 0x00080020, vr: 'DA', value: '20240315' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00080080, vr: 'LO', value: 'ST ELSEWHERE HOSPITAL' },
    { tag: 0x00100010, vr: 'PN', value: p.patientName },
    { tag: 0x00100020, vr: 'LO', value: p.patientId },
    { tag: 0x00100030, vr: 'DA', value: '19610704' },
    { tag: 0x0020000d, vr: 'UI', value: p.studyUid },
    { tag: 0x0020000e, vr: 'UI', value: p.seriesUid },
    { tag: 0x00200052, vr: 'UI', value: p.frameOfReferenceUid },
    { tag: 0x00280002, vr: 'US', value: us(1) },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: us(p.rows) },
    { tag: 0x00280011, vr: 'US', value: us(p.cols) },
    { tag: 0x00280100, vr: 'US', value: us(16) },
    { tag: 0x00280101, vr: 'US', value: us(12) },
    { tag: 0x00280102, vr: 'US', value: us(11) },
    { tag: 0x00280103, vr: 'US', value: us(0) },
    { tag: 0x7fe00010, vr: 'OW', value: p.pixels },
  ];
}
