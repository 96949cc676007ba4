/** Thin, typed access to dcmjs-parsed ("naturalized") DICOM datasets. */
import dcmjs from 'dcmjs';
import { RadiomicsError, RadiomicsErrorCode } from '../errors.js';

/** A parsed dataset: keyword -> value, as dcmjs naturalizes it; `where` names the file for messages. */
export interface DicomDataset {
  readonly where: string;
  readonly ds: Record<string, unknown>;
  /** Transfer syntax UID from the file meta information (top-level datasets only). */
  readonly transferSyntax?: string;
}

/** Parses one DICOM Part 10 file; throws FH_ERR_DICOM_UNREADABLE naming `where` when it cannot. */
export function parseDicom(bytes: Uint8Array, where: string): DicomDataset {
  try {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const file = dcmjs.data.DicomMessage.readFile(ab, { ignoreErrors: false });
    const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.meta);
    const ts = asArray(meta.TransferSyntaxUID)[0];
    return {
      where,
      ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict),
      ...(ts === undefined ? {} : { transferSyntax: String(ts) }),
    };
  } catch (err) {
    // dcmjs messages may quote element values: keep only the first line, never the data.
    const first = String((err as Error).message ?? err)
      .split('\n')[0]
      ?.slice(0, 120);
    throw new RadiomicsError(
      RadiomicsErrorCode.dicomUnreadable,
      `${where}: not a readable DICOM file (${first})`,
    );
  }
}

function fail(d: DicomDataset, what: string): never {
  throw new RadiomicsError(RadiomicsErrorCode.dicomUnreadable, `${d.where}: ${what}`);
}

/** dcmjs gives one-item sequences and single values either bare or as arrays: always an array here. */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function optString(d: DicomDataset, key: string): string | undefined {
  const v = asArray(d.ds[key])[0];
  return v === undefined || v === null ? undefined : String(v).trim();
}

export function reqString(d: DicomDataset, key: string): string {
  const s = optString(d, key);
  if (s === undefined || s === '') fail(d, `${key} is missing`);
  return s;
}

export function optNumber(d: DicomDataset, key: string): number | undefined {
  const v = asArray(d.ds[key])[0];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail(d, `${key} is not a number`);
  return n;
}

export function reqNumber(d: DicomDataset, key: string): number {
  const n = optNumber(d, key);
  if (n === undefined) fail(d, `${key} is missing`);
  return n;
}

/** A multi-valued numeric element of exactly `count` values. */
export function reqNumbers(d: DicomDataset, key: string, count: number): number[] {
  const v = asArray(d.ds[key]).map(Number);
  if (v.length !== count || v.some((x) => !Number.isFinite(x)))
    fail(d, `${key} must hold ${count} numbers (found ${v.length})`);
  return v;
}

/** Items of a sequence as datasets named after the parent (`file > Key[i]`). */
export function sequence(d: DicomDataset, key: string): DicomDataset[] {
  return asArray(d.ds[key]).map((item, i) => ({
    where: `${d.where} > ${key}[${i}]`,
    ds: (item ?? {}) as Record<string, unknown>,
  }));
}

/** The raw bytes of PixelData (first fragment list concatenated), or a clear error. */
export function pixelBytes(d: DicomDataset): Uint8Array {
  const parts = asArray(d.ds.PixelData);
  if (parts.length === 0) fail(d, 'PixelData is missing');
  const arrays = parts.map((p) =>
    p instanceof ArrayBuffer
      ? new Uint8Array(p)
      : ArrayBuffer.isView(p)
        ? new Uint8Array(p.buffer, p.byteOffset, p.byteLength)
        : null,
  );
  if (arrays.some((a) => a === null)) fail(d, 'PixelData has an unexpected form');
  if (arrays.length === 1) return arrays[0] as Uint8Array;
  const total = arrays.reduce((s, a) => s + (a as Uint8Array).length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const a of arrays as Uint8Array[]) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);

/** Throws when pixel data are compressed (this reader handles native little-endian pixel data only). */
export function requireNativePixels(d: DicomDataset): void {
  const ts = d.transferSyntax;
  if (ts !== undefined && !UNCOMPRESSED.has(ts))
    fail(d, `transfer syntax ${ts} is compressed; decompress first (e.g. dcmdjpeg, gdcmconv --raw)`);
}
