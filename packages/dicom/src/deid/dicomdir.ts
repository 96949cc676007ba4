/**
 * DICOMDIR (Media Storage Directory, PS3.10 / PS3.3 F.3): its directory records point at each other by byte
 * offset from the start of the file: (0004,1200) first and (0004,1202) last root record, (0004,1400) next
 * record, (0004,1420) first lower-level record. De-identification changes the length of the values before
 * them, so the offsets are rewritten to where each record is in the output; and each PATIENT record (with
 * the records under it) is de-identified under its own patient's pseudonym and date offset.
 */
import { stringValue } from '../parser/read.js';
import type { DicomDataset, DicomElement } from '../parser/types.js';
import { type EngineContext, processDataset } from './engine.js';
import { dateOffsetDays, patientPseudonym } from './pseudonym.js';
import { identifierTokens, textBytes } from './values.js';

/** Media Storage Directory Storage SOP Class UID. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

const RECORDS = 0x00041220;
const FIRST_ROOT = 0x00041200;
const LAST_ROOT = 0x00041202;
const NEXT = 0x00041400;
const LOWER = 0x00041420;
const RECORD_TYPE = 0x00041430;
const FILE_ID = 0x00041500;

function ul(ds: DicomDataset, tag: number): number {
  const v = ds.find((e) => e.tag === tag)?.value;
  if (!v || v.length < 4) return 0;
  return Buffer.from(v.buffer, v.byteOffset, 4).readUInt32LE(0);
}

function ulBytes(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

function str(ds: DicomDataset, tag: number): string {
  return stringValue(ds.find((e) => e.tag === tag)?.value).trim();
}

/** The key a patient's pseudonym and date offset derive from (as for a whole file): ID, else name and birth. */
export function patientKeyOf(ds: DicomDataset): string {
  return str(ds, 0x00100020) || `name:${str(ds, 0x00100010)}|birth:${str(ds, 0x00100030)}`;
}

/**
 * For each record, the index of the PATIENT record it belongs to: followed down the tree from the root
 * records through the offsets; records the tree does not reach take the last PATIENT record before them.
 */
function patientOfRecords(
  top: DicomDataset,
  records: readonly DicomDataset[],
  offsets: readonly number[],
): number[] {
  const indexAt = new Map(offsets.map((o, i) => [o, i]));
  const owner = new Array<number>(records.length).fill(-1);
  const seen = new Set<number>();
  const walk = (first: number, patient: number): void => {
    // siblings iteratively, children recursively (depth is the directory's few levels)
    for (
      let i = indexAt.get(first);
      i !== undefined && !seen.has(i);
      i = indexAt.get(ul(records[i]!, NEXT))
    ) {
      seen.add(i);
      const p = str(records[i]!, RECORD_TYPE) === 'PATIENT' ? i : patient;
      owner[i] = p;
      const lower = ul(records[i]!, LOWER);
      if (lower !== 0) walk(lower, p);
    }
  };
  walk(ul(top, FIRST_ROOT), -1);
  let last = -1;
  for (let i = 0; i < records.length; i++) {
    if (str(records[i]!, RECORD_TYPE) === 'PATIENT') last = i;
    if (owner[i] === -1) owner[i] = last;
  }
  return owner;
}

/**
 * Referenced File ID (0004,1500) components are folder and file names on the medium; a component equal to
 * one of the patient's name or ID tokens becomes 8 characters of that patient's pseudonym (valid in a File
 * ID, and distinct per patient so two patients' files never share an ID); the others are kept.
 */
function cleanFileId(el: DicomElement, ctx: EngineContext): DicomElement {
  const parts = stringValue(el.value).split('\\');
  const token = ctx.pseudonym.replace(/^FH-/, '').slice(0, 8).toUpperCase();
  const out = parts.map((p) => (ctx.identifiers.has(p.trim().toUpperCase()) ? token : p));
  return { tag: el.tag, vr: el.vr, value: textBytes(out.join('\\')) };
}

/**
 * De-identifies the Directory Record Sequence: every record under a PATIENT record is processed with that
 * patient's pseudonym, date offset and identifier tokens (instead of the one patient of a normal file).
 * Returns the new element; record offsets are fixed afterwards by {@link rewriteRecordOffsets}.
 */
export function deidentifyRecords(ctx: EngineContext, top: DicomDataset, el: DicomElement): DicomElement {
  const records = el.items ?? [];
  const owner = patientOfRecords(top, records, el.itemOffsets ?? []);
  const contexts = new Map<number, EngineContext>();
  const contextOf = (p: number): EngineContext => {
    if (p < 0) return ctx;
    let c = contexts.get(p);
    if (!c) {
      const patient = records[p]!;
      const key = patientKeyOf(patient);
      const ids = [str(patient, 0x00100020), str(patient, 0x00100010)].filter((v) => v !== '');
      c = {
        ...ctx,
        pseudonym: patientPseudonym(ctx.key.patient, key),
        dayOffset: dateOffsetDays(ctx.key.date, key),
        identifiers: new Set([...ctx.identifiers, ...identifierTokens(ids)]),
      };
      contexts.set(p, c);
    }
    return c;
  };
  const items = records.map((record, i) => {
    const c = contextOf(owner[i]!);
    return processDataset(c, record).map((e) => (e.tag === FILE_ID ? cleanFileId(e, c) : e));
  });
  return { tag: el.tag, vr: el.vr, items, ...(el.itemOffsets ? { itemOffsets: el.itemOffsets } : {}) };
}

/**
 * The dataset with every record offset pointing where that record is in the output: `oldOffsets` are the
 * records' offsets in the input (in sequence order), `newOffsets` in the output. An offset that pointed at
 * no record becomes 0 (none), so a reader never follows it into the wrong bytes.
 */
export function rewriteRecordOffsets(
  ds: readonly DicomElement[],
  oldOffsets: readonly number[],
  newOffsets: readonly number[],
): DicomElement[] {
  const map = new Map(oldOffsets.map((o, i) => [o, newOffsets[i] ?? 0]));
  const fix = (el: DicomElement): DicomElement =>
    el.value && (el.tag === FIRST_ROOT || el.tag === LAST_ROOT || el.tag === NEXT || el.tag === LOWER)
      ? { tag: el.tag, vr: el.vr, value: ulBytes(map.get(ul([el], el.tag)) ?? 0) }
      : el;
  return ds.map((el) =>
    el.tag === RECORDS && el.items
      ? { tag: el.tag, vr: el.vr, items: el.items.map((item) => item.map(fix)) }
      : fix(el),
  );
}

/** True for the Directory Record Sequence element. */
export function isRecordSequence(el: DicomElement): boolean {
  return el.tag === RECORDS;
}
