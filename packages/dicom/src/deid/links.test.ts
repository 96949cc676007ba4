// UID links between a CT series and an RT Structure Set must survive de-identification: the same input UID
// always maps to the same output UID under the same key, in whichever attribute or sequence it appears.
import { createRequire } from 'node:module';
import { buildDicom, CT_IMAGE, ctElements, RT_STRUCT, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE } from './options.js';

const require = createRequire(import.meta.url);
type Dict = Record<string, { vr: string; Value?: unknown[] }>;
const dcmjs = require('dcmjs') as {
  data: { DicomMessage: { readFile(b: ArrayBuffer): { meta: Dict; dict: Dict } } };
};

function read(b: Buffer): Dict {
  return dcmjs.data.DicomMessage.readFile(
    b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  ).dict;
}
function s(d: Dict | undefined, k: string): string {
  return String(d?.[k]?.Value?.[0] ?? '');
}
function item(d: Dict | undefined, k: string): Dict | undefined {
  return d?.[k]?.Value?.[0] as Dict | undefined;
}

const KEY = Buffer.alloc(32, 0x11);
const study = '1.2.826.0.1.3680043.2.1143.1';
const series = '1.2.826.0.1.3680043.2.1143.2';
const ctSop = '1.2.826.0.1.3680043.2.1143.3';
const frame = '1.2.826.0.1.3680043.2.1143.4';
const pixels = testPixels(8, 8);
const ct = buildDicom(
  ctElements({
    patientId: 'MRN0042',
    patientName: 'DOE^JANE',
    studyUid: study,
    seriesUid: series,
    sopUid: ctSop,
    frameOfReferenceUid: frame,
    pixels,
    rows: 8,
    cols: 8,
  }),
  { sopClassUid: CT_IMAGE, sopInstanceUid: ctSop },
);
const rs = buildDicom(
  [
    { tag: 0x00080016, vr: 'UI', value: RT_STRUCT },
    { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.2.1143.9' },
    { tag: 0x00080060, vr: 'CS', value: 'RTSTRUCT' },
    { tag: 0x00100010, vr: 'PN', value: 'DOE^JANE' },
    { tag: 0x00100020, vr: 'LO', value: 'MRN0042' },
    { tag: 0x0020000d, vr: 'UI', value: study },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.2.1143.8' },
    {
      tag: 0x30060010, // Referenced Frame of Reference Sequence
      vr: 'SQ',
      items: [
        [
          { tag: 0x00200052, vr: 'UI', value: frame },
          {
            tag: 0x30060012, // RT Referenced Study Sequence
            vr: 'SQ',
            items: [
              [
                { tag: 0x00081150, vr: 'UI', value: '1.2.840.10008.3.1.2.3.1' },
                { tag: 0x00081155, vr: 'UI', value: study },
                {
                  tag: 0x30060014, // RT Referenced Series Sequence
                  vr: 'SQ',
                  items: [
                    [
                      { tag: 0x0020000e, vr: 'UI', value: series },
                      {
                        tag: 0x30060016, // Contour Image Sequence
                        vr: 'SQ',
                        items: [
                          [
                            { tag: 0x00081150, vr: 'UI', value: CT_IMAGE },
                            { tag: 0x00081155, vr: 'UI', value: ctSop },
                          ],
                        ],
                      },
                    ],
                  ],
                },
              ],
            ],
          },
        ],
      ],
    },
    {
      tag: 0x30060020,
      vr: 'SQ',
      items: [
        [
          { tag: 0x30060022, vr: 'IS', value: '1' },
          { tag: 0x30060024, vr: 'UI', value: frame },
        ],
      ],
    },
  ],
  { sopClassUid: RT_STRUCT, sopInstanceUid: '1.2.826.0.1.3680043.2.1143.9' },
);

describe('UID links', () => {
  it('keeps CT <-> RT Structure Set references linked, and pixel data byte-identical', () => {
    const a = deidentifyBuffer(ct, BASIC_PROFILE, KEY);
    const b = deidentifyBuffer(rs, BASIC_PROFILE, KEY);
    if (a.status !== 'ok' || b.status !== 'ok') throw new Error('not ok');
    const c = read(a.output);
    const r = read(b.output);
    const newCtSop = s(c, '00080018');
    expect(newCtSop).toMatch(/^2\.25\.\d{1,39}$/);
    expect(newCtSop).not.toBe(ctSop);
    const refFor = item(r, '30060010');
    expect(s(refFor, '00200052')).toBe(s(c, '00200052'));
    const refStudy = item(refFor, '30060012');
    expect(s(refStudy, '00081155')).toBe(s(c, '0020000D'));
    expect(s(refStudy, '00081150')).toBe('1.2.840.10008.3.1.2.3.1'); // class UIDs are not remapped
    const refSeries = item(refStudy, '30060014');
    expect(s(refSeries, '0020000E')).toBe(s(c, '0020000E'));
    expect(s(item(refSeries, '30060016'), '00081155')).toBe(newCtSop);
    expect(s(item(r, '30060020'), '30060024')).toBe(s(c, '00200052'));
    expect(s(r, '0020000D')).toBe(s(c, '0020000D'));
    // Same pseudonym for the same patient in both files.
    expect(s(r, '00100020')).toBe(s(c, '00100020'));
    const px = c['7FE00010']?.Value?.[0] as ArrayBuffer;
    expect(Buffer.from(px).equals(Buffer.from(pixels))).toBe(true);
  });

  it('maps UIDs differently under another key', () => {
    const a = deidentifyBuffer(ct, BASIC_PROFILE, KEY);
    const b = deidentifyBuffer(ct, BASIC_PROFILE, Buffer.alloc(32, 0x12));
    if (a.status !== 'ok' || b.status !== 'ok') throw new Error('not ok');
    expect(s(read(a.output), '00080018')).not.toBe(s(read(b.output), '00080018'));
    const again = deidentifyBuffer(ct, BASIC_PROFILE, KEY);
    if (again.status !== 'ok') throw new Error('not ok');
    expect(again.output.equals(a.output)).toBe(true); // deterministic: same input, same key, same bytes
  });
});
