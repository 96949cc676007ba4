// Private attributes, safe private list, overlays/curves, quarantine, UN-encoded public attributes and SR
// content items, on small synthetic files read back with dcmjs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type BuildElement,
  buildDicom,
  CT_IMAGE,
  ctElements,
  testPixels,
} from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, type DeidOptions } from './options.js';
import { SAFE_PRIVATE_ATTRIBUTES, SAFE_PRIVATE_CONTENT_SHA256 } from './safe-private.js';

const require = createRequire(import.meta.url);
type Dict = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;
const dcmjs = require('dcmjs') as { data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: Dict } } } };
const KEY = Buffer.alloc(32, 0x66);
const base = ctElements({
  patientId: 'MRN5',
  patientName: 'BLOGGS^JOE',
  studyUid: '1.2.7.1',
  seriesUid: '1.2.7.2',
  sopUid: '1.2.7.3',
  frameOfReferenceUid: '1.2.7.4',
  pixels: testPixels(4, 4),
  rows: 4,
  cols: 4,
});

function run(
  extra: BuildElement[],
  opts: Partial<DeidOptions> = {},
  sopClass = CT_IMAGE,
): { dict: Dict; raw: Buffer } {
  const els = [
    ...base.filter((e) => !extra.some((x) => x.tag === e.tag) && e.tag !== 0x00080016),
    { tag: 0x00080016, vr: 'UI', value: sopClass },
    ...extra,
  ];
  const r = deidentifyBuffer(
    buildDicom(els, { sopClassUid: sopClass, sopInstanceUid: '1.2.7.3' }),
    { ...BASIC_PROFILE, ...opts },
    KEY,
  );
  if (r.status !== 'ok') throw new Error(`${r.code} ${r.reason}`);
  return {
    dict: dcmjs.data.DicomMessage.readFile(
      r.output.buffer.slice(r.output.byteOffset, r.output.byteOffset + r.output.byteLength) as ArrayBuffer,
    ).dict,
    raw: r.output,
  };
}

const privates: BuildElement[] = [
  { tag: 0x00190010, vr: 'LO', value: 'GEMS_ACQU_01' },
  { tag: 0x00191023, vr: 'DS', value: '39.375' }, // Table Speed: on the safe list
  { tag: 0x00191001, vr: 'LO', value: 'PRIVATE SECRET ONE' }, // not on the list
  { tag: 0x00290010, vr: 'LO', value: 'SIEMENS CSA HEADER' },
  { tag: 0x00291010, vr: 'OB', value: 'PRIVATE SECRET TWO' },
];

describe('engine', () => {
  it('removes every private attribute under the basic profile', () => {
    const { dict, raw } = run(privates);
    expect(Object.keys(dict).filter((k) => Number.parseInt(k.slice(0, 4), 16) % 2 === 1)).toEqual([]);
    expect(raw.includes(Buffer.from('PRIVATE SECRET'))).toBe(false);
  });

  it('keeps only safe private attributes and their creator under Retain Safe Private', () => {
    const { dict, raw } = run(privates, { retainSafePrivate: true });
    expect(
      Object.keys(dict)
        .filter((k) => Number.parseInt(k.slice(0, 4), 16) % 2 === 1)
        .sort(),
    ).toEqual(['00190010', '00191023']);
    expect(dict['00191023']?.Value?.[0]).toBe(39.375);
    expect(raw.includes(Buffer.from('PRIVATE SECRET'))).toBe(false);
  });

  it('removes overlays and curves; Clean Graphics keeps overlay data', () => {
    const overlay: BuildElement[] = [
      { tag: 0x50000005, vr: 'US', value: new Uint8Array([1, 0]) },
      { tag: 0x60000010, vr: 'US', value: new Uint8Array([4, 0]) },
      { tag: 0x60000022, vr: 'LO', value: 'OVERLAY DESC' },
      { tag: 0x60003000, vr: 'OW', value: new Uint8Array([1, 2, 3, 4]) },
      { tag: 0x60004000, vr: 'LT', value: 'OVERLAY COMMENT BLOGGS' },
    ];
    const basic = run(overlay).dict;
    expect(Object.keys(basic).filter((k) => k.startsWith('50') || k.startsWith('60'))).toEqual([]);
    const g = run(overlay, { cleanGraphics: true }).dict;
    expect(g['60003000']).toBeDefined();
    expect(JSON.stringify(g['60004000']?.Value)).not.toContain('BLOGGS');
  });

  it('quarantines ultrasound and burned-in files unless allowed', () => {
    const us = '1.2.840.10008.5.1.4.1.1.6.1';
    const f = buildDicom(
      [...base.filter((e) => e.tag !== 0x00080016), { tag: 0x00080016, vr: 'UI', value: us }],
      { sopClassUid: us, sopInstanceUid: '1.2.7.3' },
    );
    const q = deidentifyBuffer(f, BASIC_PROFILE, KEY);
    expect(q.status === 'quarantined' ? q.code : q.status).toBe('FH_QUAR_SOP_CLASS');
    expect(deidentifyBuffer(f, { ...BASIC_PROFILE, allowSopClasses: [us] }, KEY).status).toBe('ok');
    const burned = buildDicom([...base, { tag: 0x00280301, vr: 'CS', value: 'YES' }], {
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.7.3',
    });
    const b = deidentifyBuffer(burned, BASIC_PROFILE, KEY);
    expect(b.status === 'quarantined' ? b.code : b.status).toBe('FH_QUAR_BURNED_IN_ANNOTATION');
  });

  it('cleans public attributes that arrive as UN like any other', () => {
    const { dict, raw } = run(
      [
        { tag: 0x00081030, vr: 'UN', value: 'CT HEAD BLOGGS 12345678' },
        { tag: 0x00081048, vr: 'UN', value: 'WHO^DOCTOR' },
      ],
      { cleanDescriptors: true },
    );
    expect(dict['00081030']?.Value?.[0]).toBe('CT HEAD');
    expect(dict['00081048']).toBeUndefined();
    expect(raw.includes(Buffer.from('DOCTOR'))).toBe(false);
  });

  it('replaces PNAME and TEXT content items, keeps NUM and CODE items, remaps UIDREF', () => {
    const code = (v: string, m: string): BuildElement[] => [
      { tag: 0x00080100, vr: 'SH', value: v },
      { tag: 0x00080102, vr: 'SH', value: 'DCM' },
      { tag: 0x00080104, vr: 'LO', value: m },
    ];
    const item = (type: string, concept: BuildElement[], more: BuildElement[]): BuildElement[] => [
      { tag: 0x0040a010, vr: 'CS', value: 'CONTAINS' },
      { tag: 0x0040a040, vr: 'CS', value: type },
      { tag: 0x0040a043, vr: 'SQ', items: [concept] },
      ...more,
    ];
    const content: BuildElement = {
      tag: 0x0040a730,
      vr: 'SQ',
      items: [
        item('PNAME', code('113870', 'Person Name'), [{ tag: 0x0040a123, vr: 'PN', value: 'TECH^TINA' }]),
        item('TEXT', code('121106', 'Comment'), [
          { tag: 0x0040a160, vr: 'UT', value: 'Scanned by TINA for BLOGGS on 20240315' },
        ]),
        item('UIDREF', code('113769', 'Irradiation Event UID'), [
          { tag: 0x0040a124, vr: 'UI', value: '1.2.7.99' },
        ]),
        item('NUM', code('113830', 'Mean CTDIvol'), [
          {
            tag: 0x0040a300,
            vr: 'SQ',
            items: [
              [
                { tag: 0x004008ea, vr: 'SQ', items: [code('mGy', 'mGy')] },
                { tag: 0x0040a30a, vr: 'DS', value: '12.34' },
              ],
            ],
          },
        ]),
      ],
    };
    const sr = '1.2.840.10008.5.1.4.1.1.88.67';
    const get = (d: Dict, i: number) => (d['0040A730']?.Value?.[i] as Dict | undefined) ?? {};
    for (const clean of [false, true]) {
      const { dict, raw } = run([content], { cleanStructuredContent: clean }, sr);
      expect(JSON.stringify(get(dict, 0)['0040A123']?.Value)).toContain('ANONYMIZED');
      const text = String(get(dict, 1)['0040A160']?.Value?.[0]);
      // Names found anywhere in the file (TECH^TINA, BLOGGS^JOE) and long digit runs are dropped from the text.
      expect(text).toBe(clean ? 'Scanned by for on' : 'ANONYMIZED');
      expect(String(get(dict, 2)['0040A124']?.Value?.[0])).toMatch(/^2\.25\./);
      const mv = get(dict, 3)['0040A300']?.Value?.[0] as Dict;
      expect(mv['0040A30A']?.Value?.[0]).toBe(12.34);
      expect(raw.includes(Buffer.from('BLOGGS'))).toBe(false);
    }
  });
});

// The whole of PS3.15 Table E.3.10-1, read from the committed source JSON (not from the generated table), is
// planted in one file: one block per (creator, group), every row of the table, plus private elements the
// table does not list.
describe('Retain Safe Private against the whole of Table E.3.10-1', () => {
  const doc = JSON.parse(readFileSync(new URL('./safe-private-e3-10-1.json', import.meta.url), 'utf8')) as {
    content_sha256: string;
    rows: { tag: string; private_creator: string }[];
  };
  const hex8 = (t: number) => t.toString(16).toUpperCase().padStart(8, '0');
  const planted: BuildElement[] = [];
  const kept = new Map<string, string>(); // tag -> value expected back
  const nextBlock = new Map<number, number>();
  const blocks = new Map<string, { group: number; block: number; offsets: Set<number> }>();
  const openBlock = (creator: string, group: number, padding: string) => {
    const block = nextBlock.get(group) ?? 0x21; // not 0x10: matching is by creator, never by block number
    nextBlock.set(group, block + 1);
    planted.push({ tag: group * 0x10000 + block, vr: 'LO', value: creator + padding });
    return block;
  };
  for (const [i, r] of doc.rows.entries()) {
    const m = /^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$/.exec(r.tag);
    if (!m) throw new Error(`unexpected tag ${r.tag}`);
    const group = Number.parseInt(m[1]!, 16);
    const offset = Number.parseInt(m[2]!, 16);
    const id = `${r.private_creator}|${group}`;
    let b = blocks.get(id);
    if (!b) {
      // Every other block gets extra trailing spaces: the creator is compared with its padding trimmed.
      const block = openBlock(r.private_creator, group, blocks.size % 2 === 0 ? '  ' : '');
      b = { group, block, offsets: new Set() };
      blocks.set(id, b);
      kept.set(hex8(group * 0x10000 + block), r.private_creator);
    }
    b.offsets.add(offset);
    const tag = group * 0x10000 + b.block * 0x100 + offset;
    const value = `FHSAFE${String(i).padStart(4, '0')}`;
    planted.push({ tag, vr: 'LO', value });
    kept.set(hex8(tag), value);
  }
  // Same creator, an offset the table does not list for it.
  let n = 0;
  for (const b of blocks.values()) {
    let o = 0;
    while (b.offsets.has(o)) o++;
    planted.push({ tag: b.group * 0x10000 + b.block * 0x100 + o, vr: 'LO', value: `PRIVATE SECRET ${n++}` });
  }
  // Offsets that are safe for GEMS_ACQU_01 in group 0019 (Table Speed, Mid Scan Time), under an unknown
  // creator, under the right creator in another group, and under the creator spelt in lower case.
  for (const [creator, group, offset] of [
    ['FEDHUB UNKNOWN CREATOR', 0x0019, 0x23],
    ['GEMS_ACQU_01', 0x0021, 0x23],
    ['gems_acqu_01', 0x0019, 0x24],
  ] as const) {
    const block = openBlock(creator, group, '');
    planted.push({ tag: group * 0x10000 + block * 0x100 + offset, vr: 'LO', value: `PRIVATE SECRET ${n++}` });
  }
  // An element in a block without a creator.
  planted.push({ tag: 0x00191023, vr: 'LO', value: `PRIVATE SECRET ${n++}` });
  const privateKeys = (d: Dict) =>
    Object.keys(d)
      .filter((k) => Number.parseInt(k.slice(0, 4), 16) % 2 === 1)
      .map((k) => k.toUpperCase())
      .sort();

  it('holds the table whole: rows digest as recorded, one entry per row', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
            )
          : v;
    const digest = createHash('sha256')
      .update(JSON.stringify(sorted(doc.rows)), 'utf8')
      .digest('hex');
    expect(digest).toBe(doc.content_sha256);
    expect(SAFE_PRIVATE_CONTENT_SHA256).toBe(doc.content_sha256);
    expect(doc.rows.length).toBe(479);
    expect(SAFE_PRIVATE_ATTRIBUTES.length).toBe(doc.rows.length);
  });

  it('keeps every row of the table and its creator, and removes every other private element', () => {
    const { dict, raw } = run(planted, { retainSafePrivate: true });
    expect(privateKeys(dict)).toEqual([...kept.keys()].sort());
    for (const [tag, value] of kept) expect(String(dict[tag]?.Value?.[0]).trim()).toBe(value);
    expect(raw.includes(Buffer.from('PRIVATE SECRET'))).toBe(false);
    expect(raw.includes(Buffer.from('FEDHUB UNKNOWN'))).toBe(false);
  });

  it('removes all of them without the option', () => {
    const { dict, raw } = run(planted);
    expect(privateKeys(dict)).toEqual([]);
    expect(raw.includes(Buffer.from('FHSAFE'))).toBe(false);
    expect(raw.includes(Buffer.from('PRIVATE SECRET'))).toBe(false);
  });
});
