import { inflateRawSync } from 'node:zlib';
import { type Dictionary, implicitVr } from './dictionary.js';
import { DicomParseError, DICOM_ERROR_CODES as E } from './errors.js';
import {
  DEFAULT_READ_LIMITS,
  type DicomDataset,
  type DicomElement,
  type DicomFile,
  type DicomReadLimits,
  type DicomSyntax,
  formatTag,
} from './types.js';
import { KNOWN_VRS, LONG_LENGTH_VRS } from './vr.js';

const ITEM = 0xfffee000;
const ITEM_DELIM = 0xfffee00d;
const SEQ_DELIM = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED = 0xffffffff;

/** Transfer syntaxes whose dataset this reader understands (all others are encapsulated explicit VR LE). */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
} as const;

/** Syntax of a dataset from its Transfer Syntax UID (anything unknown is taken as encapsulated explicit LE). */
export function syntaxOf(uid: string): DicomSyntax {
  if (uid === TS.implicitLE) return { uid, explicitVr: false, littleEndian: true, deflated: false };
  if (uid === TS.explicitBE) return { uid, explicitVr: true, littleEndian: false, deflated: false };
  if (uid === TS.deflatedLE) return { uid, explicitVr: true, littleEndian: true, deflated: true };
  if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) {
    throw new DicomParseError(E.badMeta, `invalid Transfer Syntax UID "${uid.slice(0, 70)}"`);
  }
  return { uid, explicitVr: true, littleEndian: true, deflated: false };
}

interface Cursor {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly le: boolean;
  readonly explicit: boolean;
  readonly dict: Dictionary;
  readonly limits: DicomReadLimits;
  /** File offset of `buf[0]` (for DICOMDIR record offsets). */
  readonly base: number;
}

function cursor(
  buf: Uint8Array,
  explicit: boolean,
  le: boolean,
  dict: Dictionary,
  limits: DicomReadLimits,
  base = 0,
): Cursor {
  return {
    buf,
    view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
    le,
    explicit,
    dict,
    limits,
    base,
  };
}

const DIRECTORY_RECORDS = 0x00041220;

function need(c: Cursor, pos: number, n: number, end: number, what: string): void {
  if (pos + n > end || pos + n > c.buf.length) {
    throw new DicomParseError(
      E.truncated,
      `truncated ${what}: needs ${n} bytes, ${Math.max(0, end - pos)} left`,
      pos,
    );
  }
}

function readTag(c: Cursor, pos: number): number {
  const g = c.view.getUint16(pos, c.le);
  const e = c.view.getUint16(pos + 2, c.le);
  return ((g << 16) | e) >>> 0;
}

interface Parsed {
  readonly elements: DicomElement[];
  readonly pos: number;
}

/**
 * Parses elements from `pos` up to `end`. With `untilItemDelim` it stops after an Item Delimitation Item
 * (undefined-length item); `stopGroup` stops before the first element whose group differs (file meta).
 */
function parseElements(
  c: Cursor,
  start: number,
  end: number,
  depth: number,
  untilItemDelim: boolean,
  stopGroup?: number,
): Parsed {
  if (depth > c.limits.maxDepth) {
    throw new DicomParseError(E.tooDeep, `sequences nested deeper than ${c.limits.maxDepth}`, start);
  }
  const elements: DicomElement[] = [];
  let pos = start;
  let last = -1;
  while (pos < end) {
    need(c, pos, 8, end, 'element header');
    const tag = readTag(c, pos);
    if (stopGroup !== undefined && tag >>> 16 !== stopGroup) break;
    if (tag === ITEM_DELIM) {
      if (!untilItemDelim) throw new DicomParseError(E.badItem, 'unexpected Item Delimitation Item', pos);
      return { elements, pos: pos + 8 };
    }
    if (tag === ITEM || tag === SEQ_DELIM) {
      throw new DicomParseError(E.badItem, `unexpected ${formatTag(tag)} outside a sequence`, pos);
    }
    if (tag <= last) {
      throw new DicomParseError(
        E.tagOrder,
        `tag ${formatTag(tag)} after ${formatTag(last)}: not ascending`,
        pos,
      );
    }
    last = tag;
    let vr: string;
    let length: number;
    let explicitHere = c.explicit;
    if (c.explicit) {
      vr = String.fromCharCode(c.buf[pos + 4] ?? 0, c.buf[pos + 5] ?? 0);
      if (!KNOWN_VRS.has(vr))
        throw new DicomParseError(E.badVr, `unknown VR "${vr}" in ${formatTag(tag)}`, pos + 4);
      if (LONG_LENGTH_VRS.has(vr)) {
        need(c, pos, 12, end, 'element header');
        length = c.view.getUint32(pos + 8, c.le);
        pos += 12;
      } else {
        length = c.view.getUint16(pos + 6, c.le);
        pos += 8;
      }
    } else {
      vr = implicitVr(c.dict, tag);
      length = c.view.getUint32(pos + 4, c.le);
      pos += 8;
    }
    if (length === UNDEFINED) {
      if (tag === PIXEL_DATA && (vr === 'OB' || vr === 'OW') && c.explicit) {
        const r = parseFragments(c, pos, end);
        elements.push({ tag, vr: 'OB', encapsulated: r.fragments });
        pos = r.pos;
        continue;
      }
      if (vr !== 'SQ' && vr !== 'UN') {
        throw new DicomParseError(E.badLength, `undefined length on ${formatTag(tag)} with VR ${vr}`, pos);
      }
      // UN of undefined length holds a sequence in implicit VR LE (PS3.5 6.2.2).
      if (vr === 'UN') explicitHere = false;
      const sub = explicitHere === c.explicit ? c : cursor(c.buf, false, true, c.dict, c.limits, c.base);
      const r = parseItems(sub, pos, end, depth + 1, true);
      elements.push({ tag, vr: 'SQ', items: r.items, ...offsetsOf(tag, c, r.starts) });
      pos = r.pos;
      continue;
    }
    if (length > end - pos) {
      throw new DicomParseError(
        E.truncated,
        `value of ${formatTag(tag)} declares ${length} bytes, only ${Math.max(0, end - pos)} left`,
        pos,
      );
    }
    // A public attribute sent as UN (by a node that did not know it) gets its dictionary VR back, so that it is
    // cleaned like any other (PS3.5 6.2.2); a UN sequence is implicit VR LE inside.
    const known = vr === 'UN' && c.le && (tag >>> 16) % 2 === 0 ? c.dict.get(tag)?.vr : undefined;
    if (known === 'SQ') {
      const implicit = cursor(c.buf, false, true, c.dict, c.limits, c.base);
      elements.push({
        tag,
        vr: 'SQ',
        items: parseItems(implicit, pos, pos + length, depth + 1, false).items,
      });
    } else if (vr === 'SQ') {
      const r = parseItems(c, pos, pos + length, depth + 1, false);
      elements.push({ tag, vr, items: r.items, ...offsetsOf(tag, c, r.starts) });
    } else if (known !== undefined && !LONG_LENGTH_VRS.has(known) && length <= 0xffff) {
      elements.push({ tag, vr: known, value: c.buf.subarray(pos, pos + length) });
    } else if (known !== undefined && LONG_LENGTH_VRS.has(known)) {
      elements.push({ tag, vr: known, value: c.buf.subarray(pos, pos + length) });
    } else {
      elements.push({ tag, vr, value: c.buf.subarray(pos, pos + length) });
    }
    pos += length;
  }
  if (untilItemDelim) throw new DicomParseError(E.truncated, 'item without Item Delimitation Item', pos);
  return { elements, pos };
}

function offsetsOf(tag: number, c: Cursor, starts: readonly number[]): { itemOffsets?: number[] } {
  return tag === DIRECTORY_RECORDS ? { itemOffsets: starts.map((p) => p + c.base) } : {};
}

function parseItems(
  c: Cursor,
  start: number,
  end: number,
  depth: number,
  undefinedLength: boolean,
): { items: DicomDataset[]; starts: number[]; pos: number } {
  if (depth > c.limits.maxDepth) {
    throw new DicomParseError(E.tooDeep, `sequences nested deeper than ${c.limits.maxDepth}`, start);
  }
  const items: DicomDataset[] = [];
  const starts: number[] = [];
  let pos = start;
  while (pos < end) {
    need(c, pos, 8, end, 'item header');
    starts.push(pos);
    const tag = readTag(c, pos);
    const length = c.view.getUint32(pos + 4, c.le);
    pos += 8;
    if (tag === SEQ_DELIM) {
      if (!undefinedLength)
        throw new DicomParseError(
          E.badItem,
          'Sequence Delimitation Item in a defined-length sequence',
          pos - 8,
        );
      starts.pop();
      return { items, starts, pos };
    }
    if (tag !== ITEM)
      throw new DicomParseError(E.badItem, `expected an Item, found ${formatTag(tag)}`, pos - 8);
    if (length === UNDEFINED) {
      const r = parseElements(c, pos, end, depth, true);
      items.push(r.elements);
      pos = r.pos;
    } else {
      if (length > end - pos)
        throw new DicomParseError(E.truncated, `item declares ${length} bytes, ${end - pos} left`, pos);
      items.push(parseElements(c, pos, pos + length, depth, false).elements);
      pos += length;
    }
  }
  if (undefinedLength)
    throw new DicomParseError(E.truncated, 'sequence without Sequence Delimitation Item', pos);
  return { items, starts, pos };
}

function parseFragments(
  c: Cursor,
  start: number,
  end: number,
): { fragments: DicomElement['encapsulated'] & object; pos: number } {
  const parts: Uint8Array[] = [];
  let pos = start;
  for (;;) {
    need(c, pos, 8, end, 'pixel data fragment header');
    const tag = readTag(c, pos);
    const length = c.view.getUint32(pos + 4, c.le);
    pos += 8;
    if (tag === SEQ_DELIM) break;
    if (tag !== ITEM)
      throw new DicomParseError(E.badItem, `expected a fragment Item, found ${formatTag(tag)}`, pos - 8);
    if (length > end - pos)
      throw new DicomParseError(E.truncated, `fragment declares ${length} bytes, ${end - pos} left`, pos);
    parts.push(c.buf.subarray(pos, pos + length));
    pos += length;
  }
  const [offsetTable, ...fragments] = parts;
  if (!offsetTable)
    throw new DicomParseError(E.badItem, 'encapsulated pixel data without Basic Offset Table item', start);
  return { fragments: { offsetTable, fragments }, pos };
}

const EXECUTABLE_MAGIC: readonly (readonly number[])[] = [
  [0x4d, 0x5a], // MZ (PE/DOS)
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x23, 0x21], // #! (script)
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O fat / Java class
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64
];

/** Reads a string value, dropping trailing padding (space or NUL). */
export function stringValue(value: Uint8Array | undefined): string {
  if (!value) return '';
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x20 || value[end - 1] === 0)) end--;
  return Buffer.from(value.buffer, value.byteOffset, end).toString('latin1');
}

/** First groups a dataset without File Meta plausibly starts with (lengths, identification ... pixel module). */
const PLAUSIBLE_FIRST_GROUPS = new Set([0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028]);

/**
 * The transfer syntax of a file without the 128-byte preamble and "DICM" (a bare dataset, as many PACS
 * exports and older archives write them), inferred from its first element as dcmtk does: the group read
 * little-endian (else big-endian) must be one a dataset starts with, and two upper-case letters that form a
 * known VR after the tag mean explicit VR. Returns null when the bytes do not look like a dataset.
 */
export function inferRawSyntax(buf: Uint8Array): DicomSyntax | null {
  if (buf.length < 8) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const vr = String.fromCharCode(buf[4] ?? 0, buf[5] ?? 0);
  const explicit = /^[A-Z]{2}$/.test(vr) && KNOWN_VRS.has(vr);
  if (PLAUSIBLE_FIRST_GROUPS.has(view.getUint16(0, true))) {
    if (explicit) return syntaxOf(TS.explicitLE);
    // implicit VR: the 32-bit length must fit in the file (or be undefined, for a sequence)
    const length = view.getUint32(4, true);
    if (length !== UNDEFINED && length > buf.length - 8) return null;
    return syntaxOf(TS.implicitLE);
  }
  if (PLAUSIBLE_FIRST_GROUPS.has(view.getUint16(0, false)) && explicit) return syntaxOf(TS.explicitBE);
  return null;
}

function inflate(body: Uint8Array, at: number, limits: DicomReadLimits): Uint8Array {
  try {
    return inflateRawSync(body, { maxOutputLength: limits.maxInflatedBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DicomParseError(
        E.deflateBomb,
        `deflated dataset inflates beyond ${limits.maxInflatedBytes} bytes`,
        at,
      );
    }
    throw new DicomParseError(E.deflateCorrupt, `deflated dataset is corrupt: ${(err as Error).message}`, at);
  }
}

/** Reads the file meta group at `start` (explicit VR LE) and the dataset after it. */
function readWithMeta(buf: Uint8Array, start: number, dict: Dictionary, limits: DicomReadLimits): DicomFile {
  const metaCursor = cursor(buf, true, true, dict, limits);
  const meta = parseElements(metaCursor, start, buf.length, 0, false, 0x0002);
  const tsElement = meta.elements.find((e) => e.tag === 0x00020010);
  if (!tsElement)
    throw new DicomParseError(E.badMeta, 'file meta has no Transfer Syntax UID (0002,0010)', start);
  const syntax = syntaxOf(stringValue(tsElement.value));
  let body: Uint8Array = buf.subarray(meta.pos);
  if (syntax.deflated) body = inflate(body, meta.pos, limits);
  const c = cursor(
    body,
    syntax.explicitVr,
    syntax.littleEndian,
    dict,
    limits,
    syntax.deflated ? 0 : meta.pos,
  );
  const ds = parseElements(c, 0, body.length, 0, false);
  return { meta: meta.elements, dataset: ds.elements, syntax };
}

/**
 * Reads a DICOM file: a Part 10 file (128-byte preamble, "DICM", file meta in explicit VR LE, then the
 * dataset in the declared transfer syntax; deflated datasets are inflated up to `limits.maxInflatedBytes}`),
 * or a file without preamble and "DICM": a File Meta group at byte 0, or a bare dataset whose transfer
 * syntax is inferred ({@link inferRawSyntax}); such a file comes back with `inferred: true` and no meta.
 * Values are views into `buf` (or into the inflated copy), not copies. Throws `DicomParseError` with a
 * stable code.
 */
export function readDicom(
  buf: Uint8Array,
  dict: Dictionary,
  limits: DicomReadLimits = DEFAULT_READ_LIMITS,
): DicomFile {
  if (buf.length < 132 || buf[128] !== 0x44 || buf[129] !== 0x49 || buf[130] !== 0x43 || buf[131] !== 0x4d) {
    const syntax = inferRawSyntax(buf);
    if (!syntax)
      throw new DicomParseError(
        E.notDicom,
        'no "DICM" prefix at byte 128 and no dataset at byte 0: not a DICOM file',
      );
    // a File Meta group without the preamble: read it like a Part 10 file's
    if (syntax.littleEndian && buf[0] === 0x02 && buf[1] === 0x00 && syntax.explicitVr)
      return { ...readWithMeta(buf, 0, dict, limits), inferred: true };
    const c = cursor(buf, syntax.explicitVr, syntax.littleEndian, dict, limits);
    const ds = parseElements(c, 0, buf.length, 0, false);
    return { meta: [], dataset: ds.elements, syntax, inferred: true };
  }
  for (const magic of EXECUTABLE_MAGIC) {
    if (magic.every((b, i) => buf[i] === b)) {
      throw new DicomParseError(
        E.executablePreamble,
        'preamble starts with executable magic (polyglot file)',
        0,
      );
    }
  }
  return readWithMeta(buf, 132, dict, limits);
}
