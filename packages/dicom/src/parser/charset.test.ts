import { readFileSync } from 'node:fs';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from '../deid/deidentify-buffer.js';
import { DOSE_MONITORING_PROFILE } from '../deid/options.js';
import { extractDoseReport } from '../dose/extract.js';
import { decodeIso2022, transcodeIso2022ToUtf8 } from './charset.js';
import { loadDictionary } from './dictionary.js';
import { readDicom, stringValue } from './read.js';
import type { DicomElement } from './types.js';
import { encodeFile } from './write.js';

// PS3.5 Annex H/I/J style values encoded by CPython's codecs (fixtures/charset/make-iso2022-vectors.py)
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/charset/iso2022-vectors.json', import.meta.url), 'utf8'),
) as Array<{ sets: string[]; text: string; hex: string }>;
const dict = loadDictionary();
const KEY = Buffer.alloc(32, 0x29);

describe('ISO 2022 code extensions', () => {
  it.each(vectors.map((v) => [v.sets.join('\\'), v] as const))('decodes %s', (_, v) => {
    expect(decodeIso2022(Buffer.from(v.hex, 'hex'), v.sets, true)).toBe(v.text);
  });

  it('de-identifies a Japanese (ISO 2022 IR 87) file: names gone, free text cleaned in UTF-8', () => {
    const jp = vectors[0]!;
    const name = Buffer.from(jp.hex, 'hex');
    const desc = Buffer.concat([
      Buffer.from('CT ', 'latin1'),
      Buffer.from('1b2442376c3f343b7f1b2842', 'hex'), // 胸部造影 ... in JIS X 0208 (ESC $ B ... ESC ( B)
      Buffer.from(' 12345678', 'latin1'),
    ]);
    const f = buildDicom(
      [
        ...ctElements({
          patientId: 'JP0042',
          patientName: 'x',
          studyUid: '1.2.9.1',
          seriesUid: '1.2.9.2',
          sopUid: '1.2.9.3',
          frameOfReferenceUid: '1.2.9.4',
          pixels: testPixels(2, 2),
          rows: 2,
          cols: 2,
        }).filter((e) => e.tag !== 0x00100010),
        { tag: 0x00080005, vr: 'CS', value: '\\ISO 2022 IR 87' },
        { tag: 0x00100010, vr: 'PN', value: name },
        { tag: 0x00081030, vr: 'LO', value: desc },
      ],
      { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.9.3' },
    );
    const r = deidentifyBuffer(f, DOSE_MONITORING_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(`${r.code} ${r.reason}`);
    const ds = readDicom(r.output, dict).dataset;
    const text = (tag: number) =>
      Buffer.from(ds.find((e) => e.tag === tag)?.value ?? [])
        .toString('utf8')
        .replace(/[\s\0]+$/, '');
    expect(text(0x00080005)).toBe('ISO_IR 192');
    expect(text(0x00081030)).toBe(
      `CT ${decodeIso2022(Buffer.from('1b2442376c3f343b7f1b2842', 'hex'), ['', 'ISO 2022 IR 87'])}`,
    );
    expect(text(0x00100010)).toMatch(/^FH-/);
    for (const leak of [name.subarray(13, 21), Buffer.from('JP0042'), Buffer.from('12345678')])
      expect(r.output.includes(leak)).toBe(false);
  });

  it('extracts the dose numbers of an RDSR declaring \\ISO 2022 IR 87 (dcmjs refuses two character sets)', () => {
    const src = readFileSync('/work/shared/reference/rdsr/CT-RDSR-GEPixelMed.dcm');
    const plain = extractDoseReport(src);
    const file = readDicom(src, dict);
    const withJp: DicomElement[] = [
      ...file.dataset.filter((e) => e.tag !== 0x00080005 && e.tag !== 0x00100010),
      { tag: 0x00080005, vr: 'CS', value: Buffer.from('\\ISO 2022 IR 87 ', 'latin1') },
      { tag: 0x00100010, vr: 'PN', value: Buffer.from(vectors[0]!.hex, 'hex') },
    ].sort((a, b) => a.tag - b.tag);
    const jp = encodeFile(file.meta, withJp, file.syntax);
    const r = extractDoseReport(jp);
    expect(r.events.map((e) => [e.ctdivolMGy, e.dlpMGyCm])).toEqual(
      plain.events.map((e) => [e.ctdivolMGy, e.dlpMGyCm]),
    );
    expect(r.totals).toEqual(plain.totals);
    // and the transcoder leaves a dataset without ISO 2022 as it is
    expect(transcodeIso2022ToUtf8(file.dataset)).toBe(file.dataset);
    expect(stringValue(withJp.find((e) => e.tag === 0x00080005)?.value)).toContain('IR 87');
  });
});
