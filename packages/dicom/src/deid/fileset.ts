/**
 * A de-identified File-set (PS3.10 section 8, PS3.3 Annex F): when the input folder held a DICOMDIR, the
 * output is laid out as a File-set (every path component at most 8 characters of A-Z, 0-9 and _, as a
 * Referenced File ID requires) and its DICOMDIR is rebuilt from the de-identified files, as dcmtk's
 * `dcmmkdir` builds one (General Purpose profile): PATIENT / STUDY / SERIES / instance records carrying the
 * de-identified files' own keys, so every PATIENT record names its own pseudonym, and the record offsets
 * (0004,1200/1202/1400/1420) point where each record is in the written file. The input DICOMDIR is never
 * copied: its keys are the patients' real ones, and its file IDs name the input's paths.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sharedDictionary } from '../parser/dictionary.js';
import { readDicom, stringValue } from '../parser/read.js';
import type { DicomDataset, DicomElement } from '../parser/types.js';
import { encodeFile } from '../parser/write.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './deidentify-buffer.js';
import { MEDIA_STORAGE_DIRECTORY } from './dicomdir.js';
import { isDicomdirName, isFileIdPath } from './fileset-path.js';
import { ScratchReader } from './scratch-read.js';
import { dummyValue, textBytes } from './values.js';

export { DICOMDIR_NAME, fileSetOutputPath, isDicomdirName, isFileIdPath } from './fileset-path.js';

const TAG = {
  specificCharacterSet: 0x00080005,
  sopClass: 0x00080016,
  sopInstance: 0x00080018,
  studyDate: 0x00080020,
  studyTime: 0x00080030,
  contentDate: 0x00080023,
  contentTime: 0x00080033,
  accession: 0x00080050,
  modality: 0x00080060,
  studyDescription: 0x00081030,
  referencedSeries: 0x00081115,
  patientName: 0x00100010,
  patientId: 0x00100020,
  studyUid: 0x0020000d,
  seriesUid: 0x0020000e,
  studyId: 0x00200010,
  seriesNumber: 0x00200011,
  instanceNumber: 0x00200013,
  conceptName: 0x0040a043,
  completionFlag: 0x0040a491,
  verificationFlag: 0x0040a493,
} as const;

/** A record key: its tag and PS3.3 F.5 type (1: required, 2: required, may be empty, 3/1C: when present). */
type Key = readonly [tag: number, type: '1' | '2' | '3'];

/** Keys of the PATIENT, STUDY and SERIES records, as dcmmkdir writes them for the General Purpose profile. */
const PATIENT_KEYS: readonly Key[] = [
  [TAG.specificCharacterSet, '3'],
  [TAG.patientName, '2'],
  [TAG.patientId, '1'],
];
const STUDY_KEYS: readonly Key[] = [
  [TAG.specificCharacterSet, '3'],
  [TAG.studyDate, '1'],
  [TAG.studyTime, '1'],
  [TAG.accession, '2'],
  [TAG.studyDescription, '2'],
  [TAG.studyUid, '1'],
  [TAG.studyId, '1'],
];
const SERIES_KEYS: readonly Key[] = [
  [TAG.specificCharacterSet, '3'],
  [TAG.modality, '1'],
  [TAG.seriesUid, '1'],
  [TAG.seriesNumber, '1'],
];

/** Instance record types by SOP Class (PS3.3 F.5, as dcmmkdir maps them), with their keys; others are IMAGE. */
const INSTANCE_RECORDS: ReadonlyArray<{
  match: (sopClass: string) => boolean;
  type: string;
  keys: readonly Key[];
}> = [
  {
    match: (c) => c === '1.2.840.10008.5.1.4.1.1.481.2',
    type: 'RT DOSE',
    keys: [
      [TAG.instanceNumber, '1'],
      [0x3004000a, '1'],
      [0x30040006, '3'],
    ],
  },
  {
    match: (c) => c === '1.2.840.10008.5.1.4.1.1.481.3',
    type: 'RT STRUCTURE SET',
    keys: [
      [TAG.instanceNumber, '1'],
      [0x30060002, '1'],
      [0x30060008, '2'],
      [0x30060009, '2'],
    ],
  },
  {
    match: (c) => c === '1.2.840.10008.5.1.4.1.1.481.5' || c === '1.2.840.10008.5.1.4.1.1.481.8',
    type: 'RT PLAN',
    keys: [
      [TAG.instanceNumber, '1'],
      [0x300a0002, '1'],
      [0x300a0006, '2'],
      [0x300a0007, '2'],
    ],
  },
  {
    match: (c) => ['4', '6', '7', '9'].some((n) => c === `1.2.840.10008.5.1.4.1.1.481.${n}`),
    type: 'RT TREAT RECORD',
    keys: [
      [TAG.instanceNumber, '1'],
      [0x30080250, '2'],
      [0x30080251, '2'],
    ],
  },
  {
    match: (c) => c === '1.2.840.10008.5.1.4.1.1.88.59',
    type: 'KEY OBJECT DOC',
    keys: [
      [TAG.instanceNumber, '1'],
      [TAG.contentDate, '1'],
      [TAG.contentTime, '1'],
      [TAG.conceptName, '1'],
    ],
  },
  {
    match: (c) => c.startsWith('1.2.840.10008.5.1.4.1.1.88.'),
    type: 'SR DOCUMENT',
    keys: [
      [TAG.instanceNumber, '1'],
      [TAG.completionFlag, '1'],
      [TAG.verificationFlag, '1'],
      [TAG.contentDate, '1'],
      [TAG.contentTime, '1'],
      [TAG.conceptName, '3'],
    ],
  },
  {
    match: (c) => c.startsWith('1.2.840.10008.5.1.4.1.1.11.'),
    type: 'PRESENTATION',
    keys: [
      [TAG.instanceNumber, '1'],
      [0x00700080, '1'],
      [0x00700081, '2'],
      [0x00700082, '1'],
      [0x00700083, '1'],
      [0x00700084, '2'],
      [TAG.referencedSeries, '3'],
    ],
  },
  {
    match: (c) => c.startsWith('1.2.840.10008.5.1.4.1.1.104.'),
    type: 'ENCAP DOC',
    keys: [
      [TAG.contentDate, '2'],
      [TAG.contentTime, '2'],
      [TAG.instanceNumber, '1'],
      [0x00420010, '2'],
      [TAG.conceptName, '2'],
      [0x00420012, '1'],
    ],
  },
  {
    match: (c) => c === '1.2.840.10008.5.1.4.1.1.66',
    type: 'RAW DATA',
    keys: [
      [TAG.contentDate, '1'],
      [TAG.contentTime, '1'],
      [TAG.instanceNumber, '2'],
    ],
  },
  {
    match: (c) => c.startsWith('1.2.840.10008.5.1.4.1.1.9.'),
    type: 'WAVEFORM',
    keys: [
      [TAG.instanceNumber, '1'],
      [TAG.contentDate, '1'],
      [TAG.contentTime, '1'],
    ],
  },
];
const IMAGE_RECORD = { type: 'IMAGE', keys: [[TAG.instanceNumber, '1']] as readonly Key[] };

/** Where a type 1 date or time the profile emptied is looked for first (as dcmmkdir's +I does). */
const ALTERNATIVES: Readonly<Record<number, readonly number[]>> = {
  [TAG.studyDate]: [0x00080021, 0x00080022, TAG.contentDate],
  [TAG.studyTime]: [0x00080031, 0x00080032, TAG.contentTime],
  [TAG.contentDate]: [0x00080021, 0x00080022, TAG.studyDate],
  [TAG.contentTime]: [0x00080031, 0x00080032, TAG.studyTime],
};

/**
 * A value for a type 1 key the de-identified file has empty (the basic profile empties Study Date, Study
 * Time and Study ID, which a STUDY record requires): the file's own alternative date or time when it kept
 * one, else a dummy (never the run's clock, which dcmmkdir uses: a real date would look like a study's);
 * Study ID and numbers from the record's position (`n`), as dcmmkdir invents them.
 */
function invented(ds: DicomDataset, tag: number, vr: string, n: number): Uint8Array {
  for (const alt of ALTERNATIVES[tag] ?? []) {
    const v = str(ds, alt);
    if (v !== '') return textBytes(v);
  }
  if (tag === TAG.studyId) return textBytes(`FHSTUDY${String(n).padStart(6, '0')}`);
  if (tag === TAG.modality) return textBytes('OT');
  if (vr === 'IS') return textBytes(String(n));
  return dummyValue(vr);
}

/**
 * A record's keys from the de-identified file: absent type 2 keys are written empty (with the dictionary's
 * VR), empty type 1 keys are {@link invented}; `n` numbers the record among the DICOMDIR's of its level.
 */
function keyElements(ds: DicomDataset, keys: readonly Key[], n: number): DicomElement[] {
  const out: DicomElement[] = [];
  const dict = sharedDictionary();
  for (const [tag, type] of [[TAG.specificCharacterSet, '3'] as Key, ...keys]) {
    if (out.some((e) => e.tag === tag)) continue;
    const el = ds.find((e) => e.tag === tag);
    const vr = el?.vr ?? dict.get(tag)?.vr ?? 'UN';
    if (el?.items) out.push({ tag, vr, items: el.items });
    else if (type === '1' && vr !== 'SQ' && str(ds, tag) === '')
      out.push({ tag, vr, value: invented(ds, tag, vr, n) });
    else if (el) out.push({ tag, vr, value: el.value ?? new Uint8Array(0) });
    else if (type !== '3') out.push({ tag, vr, value: new Uint8Array(0) });
  }
  return out;
}

/** A copy of an element whose values no longer point into the (reused) buffer it was read from. */
function detached(el: DicomElement): DicomElement {
  if (el.items) return { tag: el.tag, vr: el.vr, items: el.items.map((item) => item.map(detached)) };
  // a copy (a Buffer's slice() would be a view)
  return { tag: el.tag, vr: el.vr, value: el.value ? new Uint8Array(el.value) : new Uint8Array(0) };
}

function str(ds: DicomDataset, tag: number): string {
  return stringValue(ds.find((e) => e.tag === tag)?.value).trim();
}

function ulBytes(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** One instance of the File-set as read back from the de-identified file. */
interface Instance {
  readonly fileId: string;
  readonly dataset: DicomDataset;
  readonly sopClass: string;
  readonly sopInstance: string;
  readonly transferSyntax: string;
}

interface Node {
  readonly type: string;
  readonly keys: DicomElement[];
  readonly children: Node[];
}

const RECORD_ORDER = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the PATIENT / STUDY / SERIES / instance tree, each level in a stable order. */
function recordTree(instances: readonly Instance[]): Node[] {
  const patients = new Map<
    string,
    { node: Node; studies: Map<string, { node: Node; series: Map<string, Node> }> }
  >();
  let studies = 0;
  const sorted = [...instances].sort(
    (a, b) =>
      RECORD_ORDER(str(a.dataset, TAG.patientId), str(b.dataset, TAG.patientId)) ||
      RECORD_ORDER(str(a.dataset, TAG.studyUid), str(b.dataset, TAG.studyUid)) ||
      RECORD_ORDER(str(a.dataset, TAG.seriesUid), str(b.dataset, TAG.seriesUid)) ||
      (Number(str(a.dataset, TAG.instanceNumber)) || 0) - (Number(str(b.dataset, TAG.instanceNumber)) || 0) ||
      RECORD_ORDER(a.fileId, b.fileId),
  );
  for (const inst of sorted) {
    const ds = inst.dataset;
    const pid = str(ds, TAG.patientId);
    let p = patients.get(pid);
    if (!p) {
      p = {
        node: { type: 'PATIENT', keys: keyElements(ds, PATIENT_KEYS, patients.size + 1), children: [] },
        studies: new Map(),
      };
      patients.set(pid, p);
    }
    const studyUid = str(ds, TAG.studyUid);
    let st = p.studies.get(studyUid);
    if (!st) {
      st = {
        node: { type: 'STUDY', keys: keyElements(ds, STUDY_KEYS, ++studies), children: [] },
        series: new Map(),
      };
      p.studies.set(studyUid, st);
      p.node.children.push(st.node);
    }
    const seriesUid = str(ds, TAG.seriesUid);
    let se = st.series.get(seriesUid);
    if (!se) {
      se = { type: 'SERIES', keys: keyElements(ds, SERIES_KEYS, st.node.children.length + 1), children: [] };
      st.series.set(seriesUid, se);
      st.node.children.push(se);
    }
    const kind = INSTANCE_RECORDS.find((r) => r.match(inst.sopClass)) ?? IMAGE_RECORD;
    const refs: DicomElement[] = [
      { tag: 0x00041500, vr: 'CS', value: textBytes(inst.fileId.split(sep).join('\\')) },
      { tag: 0x00041510, vr: 'UI', value: textBytes(inst.sopClass) },
      { tag: 0x00041511, vr: 'UI', value: textBytes(inst.sopInstance) },
      { tag: 0x00041512, vr: 'UI', value: textBytes(inst.transferSyntax) },
    ];
    se.children.push({
      type: kind.type,
      keys: [...refs, ...keyElements(ds, kind.keys, se.children.length + 1)],
      children: [],
    });
  }
  return [...patients.values()].map((p) => p.node);
}

/** The records in the order dcmmkdir writes them: each record followed by its subtree (depth first). */
function flatten(roots: readonly Node[]): Array<{ node: Node; next?: Node; lower?: Node }> {
  const out: Array<{ node: Node; next?: Node; lower?: Node }> = [];
  const visit = (level: readonly Node[]): void => {
    level.forEach((node, i) => {
      out.push({
        node,
        ...(level[i + 1] ? { next: level[i + 1] } : {}),
        ...(node.children[0] ? { lower: node.children[0] } : {}),
      });
      visit(node.children);
    });
  };
  visit(roots);
  return out;
}

/** What {@link buildDicomdir} built. */
export interface BuiltDicomdir {
  /** The DICOMDIR file's bytes (Part 10, explicit VR little endian). */
  readonly bytes: Buffer;
  /** Instances (files) it references. */
  readonly files: number;
  /** Directory records in it. */
  readonly records: number;
  /**
   * Files under the folder left out (relative paths): not a DICOM file, a path that is not a File ID, or a
   * second file with a SOP Instance UID that already has a record (dcmmkdir skips those too: a File-set
   * holds each instance once; the first by path is referenced).
   */
  readonly skipped: readonly string[];
}

function listFileSet(root: string, dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) listFileSet(root, p, out);
    else if (e.isFile() && !(dir === root && isDicomdirName(e.name))) out.push(relative(root, p));
  }
}

/**
 * Builds the DICOMDIR of the File-set rooted at `root` from the files in it (as `dcmmkdir --recurse` does),
 * reading each file's keys back from disk: records carry the de-identified values only. Files whose path is
 * not a valid File ID, and files that do not parse as DICOM, are left out and listed in `skipped`.
 */
export function buildDicomdir(root: string, fileSetId = ''): BuiltDicomdir {
  const paths: string[] = [];
  listFileSet(root, root, paths);
  paths.sort();
  const dict = sharedDictionary();
  const reader = new ScratchReader();
  const instances: Instance[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const rel of paths) {
    if (!isFileIdPath(rel)) {
      skipped.push(rel);
      continue;
    }
    let file: ReturnType<typeof readDicom>;
    try {
      // parsed in the reused read buffer: only the keys are copied out (below), never the whole file
      file = readDicom(reader.read(join(root, rel)), dict);
    } catch {
      skipped.push(rel);
      continue;
    }
    const sopClass = str(file.dataset, TAG.sopClass) || str(file.meta, 0x00020002);
    if (sopClass === MEDIA_STORAGE_DIRECTORY) {
      skipped.push(rel);
      continue;
    }
    // only the elements records copy are kept (not the pixel data)
    const keep = new Set<number>([
      TAG.specificCharacterSet,
      ...Object.values(ALTERNATIVES).flat(),
      ...[PATIENT_KEYS, STUDY_KEYS, SERIES_KEYS, IMAGE_RECORD.keys, ...INSTANCE_RECORDS.map((r) => r.keys)]
        .flat()
        .map(([t]) => t),
    ]);
    const sopInstance = str(file.dataset, TAG.sopInstance) || str(file.meta, 0x00020003);
    if (seen.has(sopInstance)) {
      skipped.push(rel);
      continue;
    }
    seen.add(sopInstance);
    instances.push({
      fileId: rel,
      dataset: file.dataset.filter((e) => keep.has(e.tag)).map(detached),
      sopClass,
      sopInstance,
      transferSyntax: file.syntax.uid,
    });
  }
  const flat = flatten(recordTree(instances));
  const encode = (offsets: ReadonlyMap<Node, number>, collect?: number[]): Buffer => {
    const at = (n: Node | undefined): Uint8Array => ulBytes(n ? (offsets.get(n) ?? 0) : 0);
    const items: DicomDataset[] = flat.map(({ node, next, lower }) =>
      [
        { tag: 0x00041400, vr: 'UL', value: at(next) },
        { tag: 0x00041410, vr: 'US', value: Uint8Array.of(0xff, 0xff) },
        { tag: 0x00041420, vr: 'UL', value: at(lower) },
        { tag: 0x00041430, vr: 'CS', value: textBytes(node.type) },
        ...node.keys,
      ].sort((a, b) => a.tag - b.tag),
    );
    const roots = flat.filter((f) => f.node.type === 'PATIENT');
    const ds: DicomElement[] = [
      { tag: 0x00041130, vr: 'CS', value: textBytes(fileSetId) },
      { tag: 0x00041200, vr: 'UL', value: at(roots[0]?.node) },
      { tag: 0x00041202, vr: 'UL', value: at(roots.at(-1)?.node) },
      { tag: 0x00041212, vr: 'US', value: Uint8Array.of(0, 0) },
      { tag: 0x00041220, vr: 'SQ', items },
    ];
    // a stable instance UID: the same File-set gives the same DICOMDIR
    const digest = createHash('sha256');
    for (const i of instances) digest.update(`${i.fileId}|${i.sopInstance}\n`);
    const meta: DicomElement[] = [
      { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
      { tag: 0x00020002, vr: 'UI', value: textBytes(MEDIA_STORAGE_DIRECTORY) },
      {
        tag: 0x00020003,
        vr: 'UI',
        value: textBytes(`2.25.${BigInt(`0x${digest.digest('hex').slice(0, 32)}`).toString(10)}`),
      },
      { tag: 0x00020010, vr: 'UI', value: textBytes('1.2.840.10008.1.2.1') },
      { tag: 0x00020012, vr: 'UI', value: textBytes(IMPLEMENTATION_CLASS_UID) },
      { tag: 0x00020013, vr: 'SH', value: textBytes(IMPLEMENTATION_VERSION_NAME) },
    ];
    return encodeFile(
      meta,
      ds,
      { uid: '1.2.840.10008.1.2.1', explicitVr: true, littleEndian: true, deflated: false },
      65536,
      (tag, index, offset) => {
        if (tag === 0x00041220 && collect) collect[index] = offset;
      },
    );
  };
  // offsets are 4-byte values: the first encoding's item positions are the second's
  const positions: number[] = [];
  encode(new Map(), positions);
  const bytes = encode(new Map(flat.map((f, i) => [f.node, positions[i]!])));
  return { bytes, files: instances.length, records: flat.length, skipped };
}
