import { buildDicom, CT_IMAGE, ctElements, RT_STRUCT, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { loadDictionary } from '../parser/dictionary.js';
import { readDicom, stringValue } from '../parser/read.js';
import type { DicomDataset } from '../parser/types.js';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, DEID_OPTION_NAMES } from './options.js';

const dict = loadDictionary();
const KEY = Buffer.alloc(32, 0x44);

const rtstruct = buildDicom(
  [
    { tag: 0x00080016, vr: 'UI', value: RT_STRUCT },
    { tag: 0x00080018, vr: 'UI', value: '1.2.6.3' },
    { tag: 0x00080060, vr: 'CS', value: 'RTSTRUCT' },
    { tag: 0x00100010, vr: 'PN', value: 'DOE^JANE' },
    { tag: 0x00100020, vr: 'LO', value: 'MRN5150' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.6.1' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.6.2' },
    { tag: 0x30060002, vr: 'SH', value: 'DOE PLAN' },
    {
      tag: 0x30060020,
      vr: 'SQ',
      items: [
        [
          { tag: 0x30060022, vr: 'IS', value: '1' },
          { tag: 0x30060026, vr: 'LO', value: 'GTV' },
        ],
        [
          { tag: 0x30060022, vr: 'IS', value: '2' },
          { tag: 0x30060026, vr: 'LO', value: 'PTV DOE 20240315' },
        ],
      ],
    },
    {
      tag: 0x30060080,
      vr: 'SQ',
      items: [
        [
          { tag: 0x30060082, vr: 'IS', value: '1' },
          { tag: 0x30060084, vr: 'IS', value: '1' },
          { tag: 0x30060085, vr: 'SH', value: 'GTV primary' },
        ],
      ],
    },
  ],
  { sopClassUid: RT_STRUCT, sopInstanceUid: '1.2.6.3' },
);

function items(ds: DicomDataset, seq: number, tag: number): string[] {
  return (ds.find((e) => e.tag === seq)?.items ?? []).map((i) =>
    stringValue(i.find((e) => e.tag === tag)?.value),
  );
}

describe('Clean Descriptors for RT objects (the node intake default)', () => {
  const rtOptions = DEID_OPTION_NAMES['clean-rt-descriptors'](BASIC_PROFILE);

  it('keeps ROI names and observation labels, cleaned of identifying text; the basic profile empties them', () => {
    const kept = deidentifyBuffer(rtstruct, rtOptions, KEY);
    if (kept.status !== 'ok') throw new Error(kept.reason);
    const ds = readDicom(kept.output, dict).dataset;
    expect(items(ds, 0x30060020, 0x30060026)).toEqual(['GTV', 'PTV']);
    expect(items(ds, 0x30060080, 0x30060085)).toEqual(['GTV primary']);
    expect(kept.output.includes(Buffer.from('DOE'))).toBe(false);
    expect(kept.output.includes(Buffer.from('20240315'))).toBe(false);
    // the file says Clean Descriptors was applied: (0012,0064) lists 113105
    const method = ds.find((e) => e.tag === 0x00120064)?.items ?? [];
    expect(method.map((i) => stringValue(i.find((e) => e.tag === 0x00080100)?.value))).toContain('113105');

    const basic = deidentifyBuffer(rtstruct, BASIC_PROFILE, KEY);
    if (basic.status !== 'ok') throw new Error(basic.reason);
    const b = readDicom(basic.output, dict).dataset;
    expect(items(b, 0x30060020, 0x30060026)).toEqual(['', '']);
  });

  it('leaves other objects under the basic profile', () => {
    const ct = buildDicom(
      [
        ...ctElements({
          patientId: 'MRN5150',
          patientName: 'DOE^JANE',
          studyUid: '1.2.6.1',
          seriesUid: '1.2.6.5',
          sopUid: '1.2.6.6',
          frameOfReferenceUid: '1.2.6.4',
          pixels: testPixels(2, 2),
          rows: 2,
          cols: 2,
        }),
        { tag: 0x0008103e, vr: 'LO', value: 'CHEST PLANNING' },
      ],
      { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.6.6' },
    );
    const r = deidentifyBuffer(ct, rtOptions, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const ds = readDicom(r.output, dict).dataset;
    expect(ds.find((e) => e.tag === 0x0008103e)).toBeUndefined(); // Series Description: X under basic
    expect(r.summary.methodCodes).not.toContain('113105');
  });
});
