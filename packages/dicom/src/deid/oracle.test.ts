// Test oracle driven by PS3.15 Table E.1-1: every attribute of the table carries a planted value (top level and
// nested in a sequence item); after de-identification the output is read back with dcmjs (an independent
// parser) and every attribute is checked against the action the table prescribes for the options used.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type BuildElement, buildDicom, CT_IMAGE, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, type DeidOptions } from './options.js';

const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs') as {
  data: {
    DicomMessage: {
      readFile(b: ArrayBuffer): {
        meta: Record<string, { vr: string; Value?: unknown[] }>;
        dict: Record<string, { vr: string; Value?: unknown[] }>;
      };
    };
    DicomMetaDictionary: { nameMap: Record<string, { tag: string; vr: string }> };
  };
};

interface Row {
  name: string;
  tag: string;
  id: string;
  basicProfile: string;
  [k: string]: string;
}
const TABLE = '/work/shared/reference/dicom-deid/confidentiality_profile_attributes.json';
const rows = JSON.parse(readFileSync(TABLE, 'utf8')) as Row[];
const vrByTag = new Map<string, string>();
const pseudoVr: Record<string, string> = { ox: 'OW', xs: 'US', up: 'UL', lt: 'OW' };
for (const e of Object.values(dcmjs.data.DicomMetaDictionary.nameMap)) {
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(e.tag);
  if (m) vrByTag.set(`${m[1]}${m[2]}`.toUpperCase(), pseudoVr[e.vr] ?? e.vr);
}
// Attributes the engine sets itself, or that identify the file's type.
const SPECIAL = new Set(['00100010', '00100020', '00120062', '00120063', '00120064', '00280303', '00080016']);
const KEY = Buffer.alloc(32, 0x5a);
const TYPE1 = new Set(['00080023', '00080033', '00181000', '0008002A']);

interface Planted {
  key: string;
  vr: string;
  row: Row;
  text: string;
  element: BuildElement;
}

function plantedDate(i: number): string {
  const d = new Date(Date.UTC(1950, 0, 1) + i * 86_400_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function plant(i: number): Planted[] {
  const out: Planted[] = [];
  for (const [n, row] of rows.entries()) {
    const key = row.tag.slice(1, 5).toUpperCase() + row.tag.slice(6, 10).toUpperCase();
    // Group 0002 (Media Storage SOP Instance UID) lives in the file meta, checked separately.
    if (!/^[0-9A-F]{8}$/.test(key) || SPECIAL.has(key) || key.startsWith('0002')) continue;
    const vr = vrByTag.get(key);
    if (!vr || !/^[A-Z]{2}$/.test(vr)) continue;
    const k = i + n;
    const word = `PL${String(k).padStart(4, '0')}NT`;
    const tag = Number.parseInt(key, 16);
    let text = word;
    let value: string | Uint8Array | undefined = word;
    let items: BuildElement[][] | undefined;
    if (vr === 'DA') text = plantedDate(k);
    else if (vr === 'DT') text = `${plantedDate(k)}101010`;
    else if (vr === 'TM') text = '101010';
    else if (vr === 'AS') text = '042Y';
    else if (vr === 'DS') text = '12.5';
    else if (vr === 'IS') text = '42';
    else if (vr === 'UI') text = `1.2.826.0.1.3680043.2.1143.${k}`;
    else if (vr === 'UR') text = `http://${word.toLowerCase()}.example/`;
    value = text;
    if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT'].includes(vr)) {
      value = new Uint8Array({ US: 2, SS: 2, UL: 4, SL: 4, FL: 4, AT: 4, FD: 8, SV: 8, UV: 8 }[vr] ?? 2).fill(
        7,
      );
      text = '';
    } else if (['OB', 'OW', 'UN', 'OD', 'OF', 'OL', 'OV'].includes(vr)) {
      value = Buffer.from(`${word}xxxxxx`, 'latin1');
    } else if (vr === 'SQ') {
      value = undefined;
      items = [[{ tag: 0x0040a123, vr: 'PN', value: word }]];
      text = word;
    }
    out.push({
      key,
      vr,
      row,
      text,
      element: { tag, vr, ...(value !== undefined ? { value } : {}), ...(items ? { items } : {}) },
    });
  }
  return out;
}

const top = plant(0);
const nested = plant(1000);
const pixels = testPixels(16, 16, 3);
const input = buildDicom(
  [
    ...top.map((p) => p.element).filter((e) => e.tag !== 0x52009229 && e.tag !== 0x7fe00010),
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE },
    { tag: 0x00100010, vr: 'PN', value: 'PLANTPATIENT^NAMEX' },
    { tag: 0x00100020, vr: 'LO', value: 'PLANTPATIENTIDX' },
    { tag: 0x52009229, vr: 'SQ', items: [nested.map((p) => p.element)] },
    { tag: 0x7fe00010, vr: 'OW', value: pixels },
  ],
  { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.826.0.1.3680043.2.1143.999999' },
);

const ORDER = [
  'rtnSafePrivOpt',
  'rtnDevIdOpt',
  'rtnInstIdOpt',
  'rtnPatCharsOpt',
  'cleanDescOpt',
  'cleanStructContOpt',
  'cleanGraphOpt',
  'rtnUIDsOpt',
  'rtnLongFullDatesOpt',
  'rtnLongModifDatesOpt',
];

function expectedAction(row: Row, key: string, cols: string[]): string {
  let a = row.basicProfile;
  for (const c of ORDER) if (cols.includes(c) && row[c] !== undefined) a = row[c] as string;
  if (a === 'X/Z') return 'Z';
  if (a === 'X/D') return TYPE1.has(key) ? 'D' : 'X';
  if (a === 'X/Z/D' || a === 'Z/D') return TYPE1.has(key) ? 'D' : 'Z';
  if (a === 'X/Z/U*') return 'U';
  return a;
}

function asText(el: { vr: string; Value?: unknown[] }): string {
  const v = el.Value ?? [];
  return v
    .map((x) =>
      x && typeof x === 'object' && 'Alphabetic' in x
        ? String((x as { Alphabetic: string }).Alphabetic)
        : String(x),
    )
    .join('\\');
}

function shift(ymd: string, days: number): string {
  const t =
    Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)) - 1, Number(ymd.slice(6, 8))) +
    days * 86_400_000;
  const d = new Date(t);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function check(
  p: Planted,
  el: { vr: string; Value?: unknown[] } | undefined,
  action: string,
  dayOffset: number,
): string | null {
  const where = `${p.row.name} ${p.row.tag} ${action}`;
  if (action === 'X') return el === undefined ? null : `${where}: still present`;
  if (el === undefined) return `${where}: missing`;
  const text = asText(el);
  if (p.vr === 'SQ') {
    if (action === 'Z') return (el.Value ?? []).length === 0 ? null : `${where}: sequence not empty`;
    const items = (el.Value ?? []) as Record<string, { vr: string; Value?: unknown[] }>[];
    const pn = items[0]?.['0040A123'];
    return pn && asText(pn) !== p.text ? null : `${where}: nested person name not replaced`;
  }
  if (action === 'Z') return text === '' ? null : `${where}: not empty (${text})`;
  if (action === 'K') {
    if (p.text === '' || ['OB', 'OW', 'UN', 'OD', 'OF', 'OL', 'OV'].includes(p.vr)) return null;
    return text === p.text ? null : `${where}: changed to ${text}`;
  }
  if (action === 'U')
    return text.startsWith('2.25.') && !text.includes(p.text) ? null : `${where}: not remapped (${text})`;
  if (action === 'D') {
    if (p.vr === 'UI') return text.startsWith('2.25.') ? null : `${where}: UID not remapped`;
    if (p.text === '') return null;
    return text !== '' && text !== p.text ? null : `${where}: not replaced (${text})`;
  }
  if (action === 'C') {
    if (p.vr === 'DA')
      return text === shift(p.text, dayOffset)
        ? null
        : `${where}: ${text} is not ${p.text} shifted by ${dayOffset}`;
    if (p.vr === 'DT')
      return text === `${shift(p.text.slice(0, 8), dayOffset)}101010`
        ? null
        : `${where}: DT ${text} not shifted`;
    if (p.vr === 'TM') return text === p.text ? null : `${where}: time changed`;
    if (p.text !== '' && !/^[0-9.\\]+$/.test(p.text))
      return text.includes(p.text) ? `${where}: not cleaned (${text})` : null;
    return null;
  }
  return `${where}: unknown action`;
}

const CONFIGS: [string, Partial<DeidOptions>, string[]][] = [
  ['basic', {}, []],
  ['full dates', { retainLongitudinal: 'full' }, ['rtnLongFullDatesOpt']],
  ['modified dates', { retainLongitudinal: 'modified' }, ['rtnLongModifDatesOpt']],
  ['patient characteristics', { retainPatientCharacteristics: true }, ['rtnPatCharsOpt']],
  ['device identity', { retainDeviceIdentity: true }, ['rtnDevIdOpt']],
  ['institution identity', { retainInstitutionIdentity: true }, ['rtnInstIdOpt']],
  ['UIDs', { retainUids: true }, ['rtnUIDsOpt']],
  ['safe private', { retainSafePrivate: true }, ['rtnSafePrivOpt']],
  ['clean descriptors', { cleanDescriptors: true }, ['cleanDescOpt']],
  ['clean structured content', { cleanStructuredContent: true }, ['cleanStructContOpt']],
  ['clean graphics', { cleanGraphics: true }, ['cleanGraphOpt']],
  [
    'dose monitoring mix',
    { retainLongitudinal: 'modified', retainDeviceIdentity: true, cleanDescriptors: true },
    ['rtnDevIdOpt', 'cleanDescOpt', 'rtnLongModifDatesOpt'],
  ],
];

describe('Annex E oracle', () => {
  it('plants a value in nearly every attribute of the table', () => {
    expect(rows.length).toBe(621);
    // 4 pattern rows and the SPECIAL attributes are handled separately; only retired tags unknown to dcmjs remain.
    expect(top.length).toBeGreaterThan(580);
  });

  for (const [label, opts, cols] of CONFIGS) {
    it(`applies every attribute's action under ${label}`, () => {
      const options: DeidOptions = { ...BASIC_PROFILE, ...opts };
      const r = deidentifyBuffer(input, options, KEY);
      expect(r.status, r.status !== 'ok' ? r.reason : '').toBe('ok');
      if (r.status !== 'ok') return;
      const ab = r.output.buffer.slice(r.output.byteOffset, r.output.byteOffset + r.output.byteLength);
      const parsed = dcmjs.data.DicomMessage.readFile(ab as ArrayBuffer);
      const dict = parsed.dict;
      const media = asText(parsed.meta['00020003'] ?? { vr: 'UI' });
      expect(media).toBe(asText(dict['00080018'] ?? { vr: 'UI' }));
      if (opts.retainUids) expect(media).toBe(top.find((p) => p.key === '00080018')?.text);
      else expect(media).toMatch(/^2\.25\.\d+$/);
      const seq = (dict['52009229']?.Value ?? [])[0] as
        | Record<string, { vr: string; Value?: unknown[] }>
        | undefined;
      expect(seq).toBeDefined();
      const dayOffset = r.summary.dayOffset ?? 0;
      const problems: string[] = [];
      for (const p of top) {
        if (p.key === '52009229' || p.key === '7FE00010') continue;
        const e = check(p, dict[p.key], expectedAction(p.row, p.key, cols), dayOffset);
        if (e) problems.push(`top: ${e}`);
      }
      for (const p of nested) {
        const e = check(p, seq?.[p.key], expectedAction(p.row, p.key, cols), dayOffset);
        if (e) problems.push(`nested: ${e}`);
      }
      expect(problems).toEqual([]);
      expect(asText(dict['00100010'] ?? { vr: 'PN' })).toMatch(/^FH-[A-Z2-7]{16}$/);
      expect(asText(dict['00120062'] ?? { vr: 'CS' })).toBe('YES');
    });
  }

  it('leaves none of the planted strings in the output bytes (basic profile) and copies pixel data as-is', () => {
    const r = deidentifyBuffer(input, BASIC_PROFILE, KEY);
    if (r.status !== 'ok') throw new Error(r.reason);
    const out = r.output.toString('latin1');
    const leaks = [...top, ...nested]
      .filter((p) => p.vr !== 'SQ' && /[A-Z]/.test(p.text) && p.text.length >= 8)
      .map((p) => p.text)
      .filter((t) => out.includes(t));
    expect(leaks).toEqual([]);
    for (const s of ['PLANTPATIENT', 'PLANTPATIENTIDX', '1.2.826.0.1.3680043.2.1143.'])
      expect(out.includes(s)).toBe(false);
    for (const p of [...top, ...nested]) if (p.vr === 'SQ') expect(out.includes(p.text)).toBe(false);
    const at = r.output.indexOf(Buffer.from(pixels));
    expect(at).toBeGreaterThan(0);
  });
});
