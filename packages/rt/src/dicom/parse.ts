/** Thin, typed access to dcmjs-parsed ("naturalized") DICOM RT datasets, with coded errors naming the file. */
import { FedhubError } from '@fedhub/protocol';
import dcmjs from 'dcmjs';

/** A parsed dataset: keyword -> value, as dcmjs naturalizes it; `where` names the file (and item) for messages. */
export interface RtDataset {
  readonly where: string;
  readonly ds: Record<string, unknown>;
  readonly transferSyntax?: string;
}

/** Parses one DICOM Part 10 file; throws FH_ERR_RT_UNREADABLE naming `where` when it cannot. */
export function parseRtFile(bytes: Uint8Array, where: string): RtDataset {
  if (bytes.byteLength < 132)
    throw new FedhubError('FH_ERR_RT_UNREADABLE', `${where}: not a DICOM file (${bytes.byteLength} bytes)`);
  try {
    // dcmjs reads the whole underlying ArrayBuffer: pass exactly this file's bytes
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
    // dcmjs messages may quote element values: keep the first line only
    const first = String((err as Error).message ?? err)
      .split('\n')[0]
      ?.slice(0, 120);
    throw new FedhubError('FH_ERR_RT_UNREADABLE', `${where}: not a readable DICOM file (${first})`);
  }
}

export function fail(d: RtDataset, what: string): never {
  throw new FedhubError('FH_ERR_RT_UNREADABLE', `${d.where}: ${what}`);
}

/** dcmjs gives one-item sequences and single values either bare or as arrays: always an array here. */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function optString(d: RtDataset, key: string): string | undefined {
  const v = asArray(d.ds[key])[0];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

export function reqString(d: RtDataset, key: string): string {
  const s = optString(d, key);
  if (s === undefined) fail(d, `${key} is missing`);
  return s;
}

export function optNumber(d: RtDataset, key: string): number | undefined {
  const v = asArray(d.ds[key])[0];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail(d, `${key} is not a number`);
  return n;
}

export function reqNumber(d: RtDataset, key: string): number {
  const n = optNumber(d, key);
  if (n === undefined) fail(d, `${key} is missing`);
  return n;
}

/** A multi-valued numeric element; exactly `count` values when given. */
export function reqNumbers(d: RtDataset, key: string, count?: number): number[] {
  const v = asArray(d.ds[key]).map(Number);
  if (v.length === 0) fail(d, `${key} is missing`);
  if ((count !== undefined && v.length !== count) || v.some((x) => !Number.isFinite(x)))
    fail(d, `${key} must hold ${count ?? 'some'} numbers (found ${v.length})`);
  return v;
}

/** Items of a sequence as datasets named after the parent (`file > Key[i]`). */
export function sequence(d: RtDataset, key: string): RtDataset[] {
  return asArray(d.ds[key]).map((item, i) => ({
    where: `${d.where} > ${key}[${i}]`,
    ds: (item ?? {}) as Record<string, unknown>,
  }));
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);

/** The raw bytes of PixelData (native, uncompressed), or a clear error. */
export function pixelBytes(d: RtDataset): Uint8Array {
  if (d.transferSyntax !== undefined && !UNCOMPRESSED.has(d.transferSyntax))
    fail(d, `transfer syntax ${d.transferSyntax} is compressed; decompress first (e.g. gdcmconv --raw)`);
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
