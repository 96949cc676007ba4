import dcmjs, { type DcmjsDict } from 'dcmjs';
import { characterSets, transcodeIso2022ToUtf8, usesIso2022 } from '../parser/charset.js';
import { sharedDictionary } from '../parser/dictionary.js';
import { readDicom } from '../parser/read.js';
import { encodeFile } from '../parser/write.js';
import { DOSE_ERROR_CODES, DoseError } from './errors.js';

/** A parsed DICOM object: the naturalized dataset plus the raw dict (needed for private tags). */
export interface ParsedDicom {
  /** Naturalized dataset (keyword keys, as `DicomMetaDictionary.naturalizeDataset` returns). */
  ds: Record<string, unknown>;
  /** Raw dataset keyed by tag, for private elements that naturalization does not decode. */
  raw: DcmjsDict;
}

/**
 * Parse a DICOM Part 10 file held in `buf` with dcmjs. Throws {@link DoseError} `FH_ERR_DOSE_UNREADABLE`
 * naming `label` when dcmjs cannot parse it (truncated file, no DICM preamble...).
 */
export function parseDicom(buf: Uint8Array, label: string): ParsedDicom {
  if (buf.byteLength < 132) {
    throw new DoseError(DOSE_ERROR_CODES.unreadable, `not a DICOM file: only ${buf.byteLength} bytes`, label);
  }
  const ab = asUtf8IfIso2022(buf);
  try {
    const data = dcmjs.data.DicomMessage.readFile(ab);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(data.dict);
    return { ds, raw: data.dict };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DoseError(DOSE_ERROR_CODES.unreadable, `cannot parse DICOM: ${why}`, label, { cause: err });
  }
}

/**
 * The file's bytes for dcmjs, which refuses several character sets ("ISO 2022 IR 87" after the default):
 * a dataset under ISO 2022 code extensions is re-encoded as UTF-8 first (values decoded by escape
 * sequence, see `transcodeIso2022ToUtf8`); any other file is passed as it is.
 */
function asUtf8IfIso2022(buf: Uint8Array): ArrayBuffer {
  const plain = (): ArrayBuffer =>
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  // cheap test before parsing: an ESC byte and "ISO 2022" somewhere in the file
  if (!Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).includes('ISO 2022')) return plain();
  let file: ReturnType<typeof readDicom>;
  try {
    file = readDicom(buf, sharedDictionary());
  } catch {
    return plain(); // dcmjs reports its own error
  }
  if (!usesIso2022(characterSets(file.dataset))) return plain();
  const out = encodeFile(file.meta, transcodeIso2022ToUtf8(file.dataset), file.syntax, buf.byteLength + 4096);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
}

/** A string attribute, trimmed; null when absent or empty. */
export function str(ds: Record<string, unknown>, key: string): string | null {
  const v = ds[key];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s === 'string') return s.trim() === '' ? null : s.trim();
  if (typeof s === 'number') return String(s);
  return null;
}

/** A finite number attribute (DS/IS/FD/US...), null when absent, empty or malformed. */
export function num(ds: Record<string, unknown>, key: string): number | null {
  return toNumber(ds[key]);
}

/** Coerce a naturalized value (number, numeric string, one-element array) to a finite number or null. */
export function toNumber(v: unknown): number | null {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (typeof x === 'string') {
    const t = x.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    return Number(t);
  }
  return null;
}

/** A sequence attribute as an array of item objects (empty when absent). */
export function seq(ds: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = ds[key];
  if (Array.isArray(v))
    return v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  if (typeof v === 'object' && v !== null) return [v as Record<string, unknown>];
  return [];
}

/**
 * A private element's value as text, found by private creator (e.g. `ELSCINT1`) and element byte (e.g. 0x21 in
 * group 0x00E1), in a raw dict; dcmjs leaves such elements as UN bytes, decoded here as Latin-1.
 */
export function privateText(
  raw: DcmjsDict,
  group: number,
  creator: string,
  elementByte: number,
): string | null {
  const g = group.toString(16).toUpperCase().padStart(4, '0');
  for (let block = 0x10; block <= 0xff; block++) {
    const creatorTag = `${g}00${block.toString(16).toUpperCase().padStart(2, '0')}`;
    const c = raw[creatorTag]?.Value?.[0];
    if (typeof c !== 'string' || c.trim() !== creator) continue;
    const tag = `${g}${block.toString(16).toUpperCase().padStart(2, '0')}${elementByte.toString(16).toUpperCase().padStart(2, '0')}`;
    const v = raw[tag]?.Value?.[0];
    if (v instanceof ArrayBuffer) return new TextDecoder('latin1').decode(v).replace(/\0/g, '').trim();
    if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
    return null;
  }
  return null;
}

/** True when the dataset declares UTF-8 (Specific Character Set ISO_IR 192). */
export function declaresUtf8(ds: Record<string, unknown>): boolean {
  const v = ds.SpecificCharacterSet;
  const all = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  return all.some((s) => s.trim().toUpperCase() === 'ISO_IR 192');
}

/**
 * Repair text that dcmjs decoded as Latin-1 although the dataset is UTF-8 (it does so inside nested sequence
 * items, e.g. SR TEXT values): re-decode the Latin-1 code units as UTF-8 when that is valid UTF-8, else keep.
 */
export function repairUtf8(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s) || [...s].some((c) => c.charCodeAt(0) > 0xff)) return s;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  } catch {
    return s;
  }
}
