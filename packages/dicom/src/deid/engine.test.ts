// Private attributes, safe private list, overlays/curves, quarantine, UN-encoded public attributes and SR
// content items, on small synthetic files read back with dcmjs.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type BuildElement,
  buildDicom,
  CT_IMAGE,
  ctElements,
  testPixels,
} from '../../fixtures/deid/build-dicom.js';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, type DeidOptions } from './options.js';

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
