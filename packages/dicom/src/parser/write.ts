import { deflateRawSync } from 'node:zlib';
import type { DicomDataset, DicomElement, DicomSyntax } from './types.js';
import { LONG_LENGTH_VRS } from './vr.js';

const UNDEFINED = 0xffffffff;
const EMPTY = new Uint8Array(0);
const NUL = new Uint8Array([0]);
const SPACE = new Uint8Array([0x20]);

/**
 * Writes into one growing buffer: headers are written in place (no per-element allocation) and values,
 * pixel data included, are copied once.
 */
class ChunkWriter {
  buf: Buffer;
  length = 0;
  constructor(
    private readonly le: boolean,
    sizeHint: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  header(tag: number, vr: string | null, length: number): void {
    const long = vr === null || LONG_LENGTH_VRS.has(vr);
    const n = vr === null ? 8 : long ? 12 : 8;
    this.ensure(n);
    const h = this.buf;
    const o = this.length;
    if (this.le) {
      h.writeUInt16LE(tag >>> 16, o);
      h.writeUInt16LE(tag & 0xffff, o + 2);
    } else {
      h.writeUInt16BE(tag >>> 16, o);
      h.writeUInt16BE(tag & 0xffff, o + 2);
    }
    if (vr === null) {
      if (this.le) h.writeUInt32LE(length >>> 0, o + 4);
      else h.writeUInt32BE(length >>> 0, o + 4);
    } else {
      h[o + 4] = vr.charCodeAt(0);
      h[o + 5] = vr.charCodeAt(1);
      if (long) {
        h.writeUInt16LE(0, o + 6);
        if (this.le) h.writeUInt32LE(length >>> 0, o + 8);
        else h.writeUInt32BE(length >>> 0, o + 8);
      } else if (this.le) h.writeUInt16LE(length, o + 6);
      else h.writeUInt16BE(length, o + 6);
    }
    this.length += n;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Thrown when a value is too long for its VR's 16-bit length field. */
export class DicomWriteError extends Error {
  override readonly name = 'DicomWriteError';
  readonly code = 'FH_ERR_DICOM_VALUE_TOO_LONG';
}

/**
 * Called with the byte offset (from the start of the output) of each item of a sequence as it is written,
 * for formats that point at items by offset (DICOMDIR directory records).
 */
export type ItemOffsetHook = (sequenceTag: number, index: number, offset: number) => void;

interface ItemHook {
  readonly fn: ItemOffsetHook;
  /** Bytes before the writer's buffer in the output (preamble and meta). */
  readonly base: number;
}

function writeElements(w: ChunkWriter, ds: DicomDataset, explicit: boolean, hook?: ItemHook): void {
  for (const el of ds) writeElement(w, el, explicit, hook);
}

function writeElement(w: ChunkWriter, el: DicomElement, explicit: boolean, hook?: ItemHook): void {
  const vrOut = explicit ? el.vr : null;
  if (el.items) {
    // Sequences and items are always written with undefined length: no lengths to recompute.
    w.header(el.tag, vrOut, UNDEFINED);
    for (const [index, item] of el.items.entries()) {
      hook?.fn(el.tag, index, hook.base + w.length);
      w.header(0xfffee000, null, UNDEFINED);
      writeElements(w, item, explicit, hook);
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
  const value = el.value ?? EMPTY;
  const odd = value.length % 2;
  const length = value.length + odd;
  if (vrOut !== null && !LONG_LENGTH_VRS.has(vrOut) && length > 0xffff) {
    throw new DicomWriteError(`value of VR ${vrOut} is ${length} bytes, more than 65535`);
  }
  w.header(el.tag, vrOut, length);
  w.push(value);
  if (odd) w.push(el.vr === 'UI' || el.vr === 'OB' || el.vr === 'UN' ? NUL : SPACE);
}

/** Serialises a dataset (no preamble, no meta) in the given syntax; deflates it for the deflated syntax. */
export function encodeDataset(
  ds: DicomDataset,
  syntax: DicomSyntax,
  sizeHint = 65536,
  hook?: ItemHook,
): Buffer {
  const w = new ChunkWriter(syntax.littleEndian, sizeHint);
  writeElements(w, ds, syntax.explicitVr, hook);
  const raw = w.result();
  return syntax.deflated ? deflateRawSync(raw) : raw;
}

/**
 * Serialises a Part 10 file: zeroed 128-byte preamble, "DICM", file meta group (explicit VR LE, with
 * (0002,0000) group length computed here; any group length given in `meta` is ignored), then the dataset.
 * `onItem` gets the file offset of every sequence item written (not for deflated syntaxes).
 */
export function encodeFile(
  meta: DicomDataset,
  ds: DicomDataset,
  syntax: DicomSyntax,
  sizeHint = 65536,
  onItem?: ItemOffsetHook,
): Buffer {
  const mw = new ChunkWriter(true, 512);
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
  const body = encodeDataset(
    ds,
    syntax,
    sizeHint,
    onItem && !syntax.deflated ? { fn: onItem, base: head.length + mw.length } : undefined,
  );
  return Buffer.concat([head, mw.result(), body], head.length + mw.length + body.length);
}
