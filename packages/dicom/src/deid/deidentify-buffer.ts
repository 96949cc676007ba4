import { createHash } from 'node:crypto';
import { transcodeIso2022ToUtf8 } from '../parser/charset.js';
import { sharedDictionary } from '../parser/dictionary.js';
import { DicomParseError } from '../parser/errors.js';
import { readDicom, stringValue } from '../parser/read.js';
import {
  DEFAULT_READ_LIMITS,
  type DicomDataset,
  type DicomElement,
  type DicomReadLimits,
} from '../parser/types.js';
import { DicomWriteError, encodeFileParts } from '../parser/write.js';
import { compileActionTable } from './action-table.js';
import {
  deidentifyRecords,
  isRecordSequence,
  MEDIA_STORAGE_DIRECTORY,
  patientKeyOf,
  rewriteRecordOffsets,
} from './dicomdir.js';
import { type DeidCounts, type EngineContext, emptyCounts, processDataset } from './engine.js';
import { DEID_ERROR_CODES, DeidError } from './errors.js';
import { type DeidKey, deriveDeidKey } from './keys.js';
import { type DeidOptions, methodCodes, optionsForSopClass } from './options.js';
import { dateOffsetDays, patientPseudonym, remapUid } from './pseudonym.js';
import { quarantineReason } from './quarantine.js';
import { SAFE_PRIVATE_ATTRIBUTES, safePrivateSet } from './safe-private.js';
import { identifierTokens, textBytes } from './values.js';

/** Our Implementation Class UID (a 2.25 UUID-derived UID) and Implementation Version Name. */
export const IMPLEMENTATION_CLASS_UID = '2.25.277059418335437465946917396519934046515';
/** Implementation Version Name written into the file meta (SH, at most 16 characters). */
export const IMPLEMENTATION_VERSION_NAME = 'FEDHUB_DEID_1';

/** What was done to one file. */
export interface DeidSummary {
  readonly transferSyntaxUid?: string;
  readonly sopClassUid?: string;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly counts: DeidCounts;
  /** CID 7050 code values of the profile and options applied. */
  readonly methodCodes: readonly string[];
  /** Days added to every date (negative), when dates were shifted. */
  readonly dayOffset?: number;
  /** Study, Series and SOP Instance UIDs as written (after remapping), when status is 'ok'. */
  readonly outputUids?: { readonly study: string; readonly series: string; readonly sopInstance: string };
}

/** Re-identification pair for the encrypted re-identification map (never written into the output). */
export interface ReidPair {
  readonly pseudonym: string;
  readonly patientId: string;
}

/** Result of de-identifying one file: `output` only when status is 'ok'. */
export type DeidResult =
  | { readonly status: 'ok'; readonly output: Buffer; readonly summary: DeidSummary; readonly reid: ReidPair }
  | {
      readonly status: 'quarantined' | 'rejected';
      readonly reason: string;
      readonly code: string;
      readonly summary: DeidSummary;
    };

/**
 * {@link DeidResult} with the output as parts in order (large values such as pixel data are views of the
 * input, not copies), for a vectored write; see {@link deidentifyToParts}.
 */
export type DeidPartsResult =
  | (Omit<Extract<DeidResult, { status: 'ok' }>, 'output'> & { readonly parts: readonly Uint8Array[] })
  | Exclude<DeidResult, { status: 'ok' }>;

/** Prepared state for many files under the same options and key (compiled table, derived keys). */
export interface Deidentifier {
  readonly options: DeidOptions;
  readonly key: DeidKey;
  readonly limits: DicomReadLimits;
  readonly table: ReturnType<typeof compileActionTable>;
  /** The table with Clean Descriptors, for RT objects under `cleanRtDescriptors`. */
  readonly rtTable?: ReturnType<typeof compileActionTable>;
  readonly safePrivate: ReadonlySet<string>;
}

/** Prepares a de-identifier; `projectKey` is the raw project key (>= 32 bytes). */
export function createDeidentifier(
  options: DeidOptions,
  projectKey: Uint8Array,
  limits: DicomReadLimits = DEFAULT_READ_LIMITS,
): Deidentifier {
  return {
    options,
    key: deriveDeidKey(projectKey),
    limits,
    table: compileActionTable(options),
    ...(options.cleanRtDescriptors && !options.cleanDescriptors
      ? { rtTable: compileActionTable({ ...options, cleanDescriptors: true }) }
      : {}),
    safePrivate: safePrivateSet(SAFE_PRIVATE_ATTRIBUTES),
  };
}

function str(ds: DicomDataset, tag: number): string {
  return stringValue(ds.find((e) => e.tag === tag)?.value).trim();
}

function collectIdentifierValues(ds: DicomDataset, out: string[]): void {
  for (const el of ds) {
    if (el.items) for (const item of el.items) collectIdentifierValues(item, out);
    else if (el.vr === 'PN') out.push(stringValue(el.value));
  }
}

const ID_TAGS = [0x00100020, 0x00101000, 0x00080050, 0x00200010, 0x00101090, 0x00100021];

function lo(tag: number, vr: string, text: string): DicomElement {
  return { tag, vr, value: textBytes(text) };
}

/** The attributes that say what was done, per options object (the same for every file of a run). */
const deidAttributesMemo = new WeakMap<DeidOptions, DicomElement[]>();

function deidAttributes(options: DeidOptions): DicomElement[] {
  let a = deidAttributesMemo.get(options);
  if (!a) {
    a = buildDeidAttributes(options);
    deidAttributesMemo.set(options, a);
  }
  return a;
}

/** CID 7050 code values per options object. */
const codeValuesMemo = new WeakMap<DeidOptions, readonly string[]>();

function codeValues(options: DeidOptions): readonly string[] {
  let c = codeValuesMemo.get(options);
  if (!c) {
    c = methodCodes(options).map((x) => x.value);
    codeValuesMemo.set(options, c);
  }
  return c;
}

function buildDeidAttributes(options: DeidOptions): DicomElement[] {
  const codes = methodCodes(options);
  const method = codes.map((c) => c.meaning.replace(/ Option$/, '').slice(0, 64)).join('\\');
  const longitudinal =
    options.retainLongitudinal === 'full'
      ? 'UNMODIFIED'
      : options.retainLongitudinal === 'modified'
        ? 'MODIFIED'
        : 'REMOVED';
  return [
    lo(0x00120062, 'CS', 'YES'),
    lo(0x00120063, 'LO', method),
    {
      tag: 0x00120064,
      vr: 'SQ',
      items: codes.map((c) => [
        lo(0x00080100, 'SH', c.value),
        lo(0x00080102, 'SH', 'DCM'),
        lo(0x00080104, 'LO', c.meaning),
      ]),
    },
    lo(0x00280303, 'CS', longitudinal),
  ];
}

/**
 * `ds` with the `extra` elements in tag order, replacing any of `ds` with the same tag. `ds` comes out of
 * the engine in ascending tag order and `extra` is a handful: one merge pass (a dataset whose tags are out
 * of order falls back to a sort).
 */
function mergeSorted(ds: DicomElement[], extra: readonly DicomElement[]): DicomElement[] {
  const add = [...extra].sort((a, b) => a.tag - b.tag);
  const out: DicomElement[] = [];
  let j = 0;
  let last = -1;
  for (const e of ds) {
    if (e.tag < last) {
      const replaced = new Set(extra.map((x) => x.tag));
      return [...ds.filter((x) => !replaced.has(x.tag)), ...extra].sort((a, b) => a.tag - b.tag);
    }
    last = e.tag;
    while (j < add.length && add[j]!.tag < e.tag) out.push(add[j++]!);
    if (j > 0 && add[j - 1]!.tag === e.tag) continue; // replaced (also a repeated tag)
    if (j < add.length && add[j]!.tag === e.tag) {
      out.push(add[j++]!);
      continue;
    }
    out.push(e);
  }
  while (j < add.length) out.push(add[j++]!);
  return out;
}

/**
 * De-identifies one DICOM Part 10 file held in memory. Never throws for bad input: unparseable files are
 * 'rejected' with the parser's code, risky ones 'quarantined'; only 'ok' carries `output`.
 */
export function deidentifyWith(d: Deidentifier, buf: Uint8Array): DeidResult {
  const r = deidentifyToParts(d, buf);
  if (r.status !== 'ok') return r;
  const { parts, ...rest } = r;
  return { ...rest, output: Buffer.concat(parts, r.summary.outputBytes) };
}

/**
 * {@link deidentifyWith} without assembling the output: the parts refer to `buf` for large values (the
 * pixel data is parsed over, never decoded or copied), so `buf` must stay unchanged until they are written.
 */
export function deidentifyToParts(d: Deidentifier, buf: Uint8Array): DeidPartsResult {
  const counts = emptyCounts();
  const codes = codeValues(d.options);
  const base = { inputBytes: buf.length, outputBytes: 0, counts, methodCodes: codes };
  let file: ReturnType<typeof readDicom>;
  try {
    file = readDicom(buf, sharedDictionary(), d.limits);
    // ISO 2022 code extensions (Japanese, Korean, Chinese): values re-encoded as UTF-8 first, so that
    // cleaning never cuts an escape sequence and identifiers match whatever set they were written in
    const dataset = transcodeIso2022ToUtf8(file.dataset);
    if (dataset !== file.dataset) file = { ...file, dataset };
  } catch (err) {
    if (err instanceof DicomParseError)
      return { status: 'rejected', code: err.code, reason: err.message, summary: base };
    return { status: 'rejected', code: DEID_ERROR_CODES.internal, reason: String(err), summary: base };
  }
  const sopClassUid = str(file.dataset, 0x00080016) || str(file.meta, 0x00020002);
  const summaryBase = { ...base, transferSyntaxUid: file.syntax.uid, sopClassUid };
  const q = quarantineReason(file.dataset, d.options);
  if (q) return { status: 'quarantined', code: q.code, reason: q.reason, summary: summaryBase };
  // Without a Patient ID, name and birth date identify the patient (else every such file would share one).
  const patientId = patientKeyOf(file.dataset);
  const pseudonym = patientPseudonym(d.key.patient, patientId);
  const dayOffset = dateOffsetDays(d.key.date, patientId);
  const idValues: string[] = ID_TAGS.map((t) => str(file.dataset, t)).filter((v) => v !== '');
  collectIdentifierValues(file.dataset, idValues);
  // RT objects under cleanRtDescriptors: the Clean Descriptors table, and the method codes that say so
  const options = optionsForSopClass(d.options, sopClassUid);
  const ctx: EngineContext = {
    options,
    table: options === d.options ? d.table : (d.rtTable ?? compileActionTable(options)),
    key: d.key,
    pseudonym,
    dayOffset,
    identifiers: identifierTokens(idValues),
    safePrivate: d.safePrivate,
    counts,
  };
  try {
    let processed = processDataset(ctx, file.dataset);
    // a DICOMDIR's records: each patient's under its own pseudonym, offsets rewritten after encoding
    const records = sopClassUid === MEDIA_STORAGE_DIRECTORY ? file.dataset.find(isRecordSequence) : undefined;
    if (records) {
      const el = deidentifyRecords(ctx, file.dataset, records);
      processed = processed.map((e) => (e.tag === el.tag ? el : e));
    }
    let ds = mergeSorted(processed, deidAttributes(options));
    const sopInstance = str(file.dataset, 0x00080018) || str(file.meta, 0x00020003);
    // Without a SOP Instance UID every such file would get the same one (and the same output path): derive
    // a deterministic one from the input bytes instead, so distinct inputs stay distinct.
    const newInstance =
      sopInstance === ''
        ? remapUid(d.key.uid, `fedhub-no-sop-uid:${createHash('sha256').update(buf).digest('hex')}`)
        : d.options.retainUids
          ? sopInstance
          : remapUid(d.key.uid, sopInstance);
    const meta: DicomElement[] = [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
      lo(0x00020002, 'UI', sopClassUid),
      lo(0x00020003, 'UI', newInstance),
      lo(0x00020010, 'UI', file.syntax.uid),
      lo(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID),
      lo(0x00020013, 'SH', IMPLEMENTATION_VERSION_NAME),
    ];
    const newOffsets: number[] = [];
    const onItem = records
      ? (tag: number, index: number, offset: number) => {
          if (tag === records.tag) newOffsets[index] = offset;
        }
      : undefined;
    // the header part stays small: the pixel data goes by reference
    const hint = Math.min(buf.length, 32 * 1024) + 4096;
    let parts = encodeFileParts(meta, ds, file.syntax, hint, onItem);
    if (records?.itemOffsets) {
      // offsets are 4-byte UL values: rewriting them moves nothing, so the second encoding has the same layout
      ds = rewriteRecordOffsets(ds, records.itemOffsets, [...newOffsets]);
      parts = encodeFileParts(meta, ds, file.syntax, hint);
    }
    const summary: DeidSummary = {
      ...summaryBase,
      outputBytes: parts.reduce((n, p) => n + p.length, 0),
      outputUids: { study: str(ds, 0x0020000d), series: str(ds, 0x0020000e), sopInstance: newInstance },
      ...(d.options.retainLongitudinal === 'modified' ? { dayOffset } : {}),
    };
    return { status: 'ok', parts, summary, reid: { pseudonym, patientId } };
  } catch (err) {
    if (err instanceof DicomWriteError)
      return { status: 'rejected', code: err.code, reason: err.message, summary: summaryBase };
    if (err instanceof DeidError)
      return { status: 'rejected', code: err.code, reason: err.message, summary: summaryBase };
    return { status: 'rejected', code: DEID_ERROR_CODES.internal, reason: String(err), summary: summaryBase };
  }
}

/** De-identifies one file in memory with `options` and the raw project key (see `createDeidentifier`). */
export function deidentifyBuffer(buf: Uint8Array, options: DeidOptions, projectKey: Uint8Array): DeidResult {
  return deidentifyWith(createDeidentifier(options, projectKey), buf);
}
