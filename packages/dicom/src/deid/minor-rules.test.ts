import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { loadDictionary } from '../parser/dictionary.js';
import { readDicom, stringValue } from '../parser/read.js';
import type { DicomDataset } from '../parser/types.js';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { deriveDeidKey } from './keys.js';
import { BASIC_PROFILE, DEID_OPTION_NAMES } from './options.js';
import { remapUid } from './pseudonym.js';

const dict = loadDictionary();
const KEY = Buffer.alloc(32, 0x61);

const file = buildDicom(
  [
    ...ctElements({
      patientId: 'MRN31',
      patientName: 'DOE^JOHN',
      studyUid: '1.2.8.1',
      seriesUid: '1.2.8.2',
      sopUid: '1.2.8.3',
      frameOfReferenceUid: '1.2.8.4',
      pixels: testPixels(2, 2),
      rows: 2,
      cols: 2,
    }),
    { tag: 0x00187006, vr: 'LT', value: 'Flat panel DX-9 SN 48213377' },
    {
      // a sequence item carrying File Meta attributes (as some archives nest a referenced file's meta)
      tag: 0x00081199,
      vr: 'SQ',
      items: [
        [
          { tag: 0x00020002, vr: 'UI', value: CT_IMAGE },
          { tag: 0x00020003, vr: 'UI', value: '1.2.8.99' },
          { tag: 0x00020016, vr: 'AE', value: 'SCANNER7' },
          { tag: 0x00081150, vr: 'UI', value: CT_IMAGE },
          { tag: 0x00081155, vr: 'UI', value: '1.2.8.99' },
        ],
      ],
    },
  ],
  { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.8.3' },
);

function el(ds: DicomDataset, tag: number): string | undefined {
  const e = ds.find((x) => x.tag === tag);
  return e ? stringValue(e.value) : undefined;
}

describe('rules beyond Table E.1-1 (issue 19, item 8)', () => {
  it('keeps (0002,xxxx) nested in a sequence: class UIDs kept, instance UIDs remapped, AE titles removed', () => {
    const r = deidentifyBuffer(file, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const ds = readDicom(r.output, dict).dataset;
    const item = ds.find((e) => e.tag === 0x00081199)?.items?.[0] ?? [];
    const mapped = remapUid(deriveDeidKey(KEY).uid, '1.2.8.99');
    expect(el(item, 0x00020002)).toBe(CT_IMAGE);
    expect(el(item, 0x00020003)).toBe(mapped);
    expect(el(item, 0x00081155)).toBe(mapped); // the same UID remapped the same way in both places
    expect(el(item, 0x00020016)).toBeUndefined();
    expect(r.output.includes(Buffer.from('1.2.8.99'))).toBe(false);
    expect(r.output.includes(Buffer.from('SCANNER7'))).toBe(false);
  });

  it('removes Detector Description (serial numbers) under the basic profile, cleans it under Clean Descriptors', () => {
    const basic = deidentifyBuffer(file, BASIC_PROFILE, KEY);
    if (basic.status !== 'ok') throw new Error(basic.reason);
    expect(el(readDicom(basic.output, dict).dataset, 0x00187006)).toBeUndefined();
    const clean = deidentifyBuffer(file, DEID_OPTION_NAMES['clean-descriptors'](BASIC_PROFILE), KEY);
    if (clean.status !== 'ok') throw new Error(clean.reason);
    expect(el(readDicom(clean.output, dict).dataset, 0x00187006)).toBe('Flat panel DX-9 SN');
    const device = deidentifyBuffer(file, DEID_OPTION_NAMES['retain-device-id'](BASIC_PROFILE), KEY);
    if (device.status !== 'ok') throw new Error(device.reason);
    expect(el(readDicom(device.output, dict).dataset, 0x00187006)).toBe('Flat panel DX-9 SN 48213377');
  });
});
