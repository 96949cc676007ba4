import { deflateRawSync } from 'node:zlib';
import type { DicomDataset, DicomElement, DicomSyntax } from './types.js';
import { LONG_LENGTH_VRS } from './vr.js';

const UNDEFINED = 0xffffffff;

/** Collects output chunks; large values (pixel data) are referenced, not copied, until the final concat. */
class ChunkWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  constructor(private readonly le: boolean) {}
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }
  header(tag: number, vr: string | null, length: number): void {
    const long = vr === null || LONG_LENGTH_VRS.has(vr);
    const h = Buffer.allocUnsafe(vr === null ? 8 : long ? 12 : 8);
    if (this.le) {
      h.writeUInt16LE(tag >>> 16, 0);
      h.writeUInt16LE(tag & 0xffff, 2);
    } else {
      h.writeUInt16BE(tag >>> 16, 0);
      h.writeUInt16BE(tag & 0xffff, 2);
    }
    if (vr === null) {
      if (this.le) h.writeUInt32LE(length >>> 0, 4);
      else h.writeUInt32BE(length >>> 0, 4);
    } else {
      h.write(vr, 4, 'latin1');
      if (long) {
        h.writeUInt16LE(0, 6);
        if (this.le) h.writeUInt32LE(length >>> 0, 8);
        else h.writeUInt32BE(length >>> 0, 8);
      } else if (this.le) h.writeUInt16LE(length, 6);
      else h.writeUInt16BE(length, 6);
    }
    this.push(h);
  }
}

/** Thrown when a value is too long for its VR's 16-bit length field. */
export class DicomWriteError extends Error {
  override readonly name = 'DicomWriteError';
  readonly code = 'FH_ERR_DICOM_VALUE_TOO_LONG';
}

function writeElements(w: ChunkWriter, ds: DicomDataset, explicit: boolean): void {
  for (const el of ds) writeElement(w, el, explicit);
}

function writeElement(w: ChunkWriter, el: DicomElement, explicit: boolean): void {
  const vrOut = explicit ? el.vr : null;
  if (el.items) {
    // Sequences and items are always written with undefined length: no lengths to recompute.
    w.header(el.tag, vrOut, UNDEFINED);
    for (const item of el.items) {
      w.header(0xfffee000, null, UNDEFINED);
      writeElements(w, item, explicit);
      w.header(0xfffee00d, null, 0);
    }
    w.header(0xfffee0dd, null, 0);
    return;
  }
  if (el.encapsulated) {
    w.header(el.tag, vrOut, UNDEFINED);
    for (const part of [el.encapsulated.offsetTable, ...el.encapsulated.fragments]) {
      w.header(0xfffee000, null, part.length);
      w.push(part);
    }
    w.header(0xfffee0dd, null, 0);
    return;
  }
  let value = el.value ?? new Uint8Array(0);
  if (value.length % 2 === 1) {
    const padded = Buffer.alloc(
      value.length + 1,
      el.vr === 'UI' || el.vr === 'OB' || el.vr === 'UN' ? 0 : 0x20,
    );
    padded.set(value);
    value = padded;
  }
  if (vrOut !== null && !LONG_LENGTH_VRS.has(vrOut) && value.length > 0xffff) {
    throw new DicomWriteError(`value of VR ${vrOut} is ${value.length} bytes, more than 65535`);
  }
  w.header(el.tag, vrOut, value.length);
  w.push(value);
}

/** Serialises a dataset (no preamble, no meta) in the given syntax; deflates it for the deflated syntax. */
export function encodeDataset(ds: DicomDataset, syntax: DicomSyntax): Buffer {
  const w = new ChunkWriter(syntax.littleEndian);
  writeElements(w, ds, syntax.explicitVr);
  const raw = Buffer.concat(w.chunks, w.length);
  return syntax.deflated ? deflateRawSync(raw) : raw;
}

/**
 * Serialises a Part 10 file: zeroed 128-byte preamble, "DICM", file meta group (explicit VR LE, with
 * (0002,0000) group length computed here; any group length given in `meta` is ignored), then the dataset.
 */
export function encodeFile(meta: DicomDataset, ds: DicomDataset, syntax: DicomSyntax): Buffer {
  const mw = new ChunkWriter(true);
  writeElements(
    mw,
    meta.filter((e) => e.tag !== 0x00020000),
    true,
  );
  const head = Buffer.alloc(132 + 12);
  head.write('DICM', 128, 'latin1');
  head.writeUInt16LE(0x0002, 132);
  head.writeUInt16LE(0x0000, 134);
  head.write('UL', 136, 'latin1');
  head.writeUInt16LE(4, 138);
  head.writeUInt32LE(mw.length, 140);
  const body = encodeDataset(ds, syntax);
  return Buffer.concat([head, ...mw.chunks, body], head.length + mw.length + body.length);
}
