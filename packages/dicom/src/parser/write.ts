import { deflateRawSync } from 'node:zlib';
import type { DicomDataset, DicomElement, DicomSyntax } from './types.js';
import { LONG_LENGTH_VRS } from './vr.js';

const UNDEFINED = 0xffffffff;
const EMPTY = new Uint8Array(0);
const NUL = new Uint8Array([0]);
const SPACE = new Uint8Array([0x20]);

/** Values at least this long are not copied: the output refers to the input's bytes (pixel data). */
const BY_REFERENCE = 64 * 1024;

function put16(h: Uint8Array, le: boolean, v: number, at: number): void {
  h[at + (le ? 0 : 1)] = v & 0xff;
  h[at + (le ? 1 : 0)] = (v >>> 8) & 0xff;
}

function put32(h: Uint8Array, le: boolean, v: number, at: number): void {
  put16(h, le, le ? v & 0xffff : v >>> 16, at);
  put16(h, le, le ? v >>> 16 : v & 0xffff, at + 2);
}

/**
 * Writes into a growing buffer: headers are written in place (no per-element allocation) and small values
 * are copied once; large values (pixel data) are kept as references to the input's bytes, so the output is
 * a list of parts written with one vectored write, and the pixels are never copied in memory.
 */
class ChunkWriter {
  buf: Buffer;
  /** Bytes used in `buf`. */
  length = 0;
  private readonly done: Uint8Array[] = [];
  private doneBytes = 0;
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
  /** Bytes written so far, in all parts. */
  get total(): number {
    return this.doneBytes + this.length;
  }
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    if (b.length >= BY_REFERENCE) {
      this.done.push(this.buf.subarray(0, this.length), b);
      this.doneBytes += this.length + b.length;
      this.buf = this.buf.subarray(this.length); // the rest of the buffer, still unused
      this.length = 0;
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  header(tag: number, vr: string | null, length: number): void {
    const long = vr === null || LONG_LENGTH_VRS.has(vr);
    const n = vr === null ? 8 : long ? 12 : 8;
    this.ensure(n);
    // byte stores, not Buffer's write methods (which check their arguments on every call)
    const h = this.buf;
    const o = this.length;
    const le = this.le;
    put16(h, le, tag >>> 16, o);
    put16(h, le, tag & 0xffff, o + 2);
    if (vr === null) put32(h, le, length >>> 0, o + 4);
    else {
      h[o + 4] = vr.charCodeAt(0);
      h[o + 5] = vr.charCodeAt(1);
      if (long) {
        h[o + 6] = 0;
        h[o + 7] = 0;
        put32(h, le, length >>> 0, o + 8);
      } else put16(h, le, length, o + 6);
    }
    this.length += n;
  }
  /** The output as parts, in order (empty parts left out). */
  parts(): Uint8Array[] {
    return [...this.done, this.buf.subarray(0, this.length)].filter((p) => p.length > 0);
  }
  result(): Buffer {
    if (this.done.length === 0) return this.buf.subarray(0, this.length);
    return Buffer.concat(this.parts(), this.total);
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
      hook?.fn(el.tag, index, hook.base + w.total);
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

function datasetParts(
  ds: DicomDataset,
  syntax: DicomSyntax,
  sizeHint: number,
  hook?: ItemHook,
): Uint8Array[] {
  const w = new ChunkWriter(syntax.littleEndian, sizeHint);
  writeElements(w, ds, syntax.explicitVr, hook);
  return syntax.deflated ? [deflateRawSync(w.result())] : w.parts();
}

/** Serialises a dataset (no preamble, no meta) in the given syntax; deflates it for the deflated syntax. */
export function encodeDataset(
  ds: DicomDataset,
  syntax: DicomSyntax,
  sizeHint = 65536,
  hook?: ItemHook,
): Buffer {
  const parts = datasetParts(ds, syntax, sizeHint, hook);
  return parts.length === 1
    ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength)
    : Buffer.concat(parts);
}

/**
 * Serialises a Part 10 file as a list of parts (see {@link encodeFile}): large values such as pixel data are
 * the caller's bytes, not copies, for a vectored write (`fs.writevSync`).
 */
export function encodeFileParts(
  meta: DicomDataset,
  ds: DicomDataset,
  syntax: DicomSyntax,
  sizeHint = 65536,
  onItem?: ItemOffsetHook,
): Uint8Array[] {
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
  const body = datasetParts(
    ds,
    syntax,
    sizeHint,
    onItem && !syntax.deflated ? { fn: onItem, base: head.length + mw.length } : undefined,
  );
  return [head, mw.result(), ...body];
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
  return Buffer.concat(encodeFileParts(meta, ds, syntax, sizeHint, onItem));
}
