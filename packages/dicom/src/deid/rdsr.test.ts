// The real CT dose reports de-identify and keep their CTDIvol and DLP values; person names and free text in
// the SR content tree are replaced (basic) or scrubbed (Clean Structured Content).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { deidentifyBuffer } from './deidentify-buffer.js';
import { BASIC_PROFILE, DOSE_MONITORING_PROFILE } from './options.js';

const require = createRequire(import.meta.url);
type Dict = Record<string, { vr: string; Value?: unknown[] }>;
const dcmjs = require('dcmjs') as { data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: Dict } } } };
const DIR = '/work/shared/reference/rdsr';
const files = readdirSync(DIR).filter((f) => f.endsWith('.dcm'));
interface Expected {
  files: Record<
    string,
    { dlpTotal?: number | null; events?: { ctdivol: number | null; dlp: number | null }[] }
  >;
}
const expected = JSON.parse(readFileSync(`${DIR}/expected.json`, 'utf8')) as Expected;
const KEY = Buffer.alloc(32, 0x33);

function read(b: Uint8Array): Dict {
  return dcmjs.data.DicomMessage.readFile(
    b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
  ).dict;
}

interface Found {
  num: Map<string, string[]>;
  pnames: string[];
  texts: string[];
}

function walk(items: Dict[] | undefined, f: Found): void {
  for (const it of items ?? []) {
    const type = String(it['0040A040']?.Value?.[0] ?? '');
    const concept = String((it['0040A043']?.Value?.[0] as Dict | undefined)?.['00080100']?.Value?.[0] ?? '');
    if (type === 'NUM') {
      const mv = it['0040A300']?.Value?.[0] as Dict | undefined;
      const v = String(mv?.['0040A30A']?.Value?.[0] ?? '');
      f.num.set(concept, [...(f.num.get(concept) ?? []), v]);
    }
    if (type === 'PNAME') {
      const pn = it['0040A123']?.Value?.[0] as { Alphabetic?: string } | string | undefined;
      f.pnames.push(typeof pn === 'string' ? pn : (pn?.Alphabetic ?? ''));
    }
    if (type === 'TEXT') f.texts.push(String(it['0040A160']?.Value?.[0] ?? ''));
    walk(it['0040A730']?.Value as Dict[] | undefined, f);
  }
}

function scan(d: Dict): Found {
  const f: Found = { num: new Map(), pnames: [], texts: [] };
  walk(d['0040A730']?.Value as Dict[] | undefined, f);
  return f;
}

describe('real CT radiation dose SRs', () => {
  it('has the reference files', () => {
    expect(files.length).toBe(17);
    expect(Object.keys(expected.files).length).toBe(17);
  });

  for (const file of files) {
    it(`${file}: keeps CTDIvol (113830) and DLP (113838) values, replaces names`, () => {
      const input = readFileSync(`${DIR}/${file}`);
      const r = deidentifyBuffer(input, DOSE_MONITORING_PROFILE, KEY);
      if (file === 'CT-SC-Philips_Brilliance16P.dcm') {
        // A dose screen capture with Burned In Annotation = YES is quarantined, never written.
        expect(r.status).toBe('quarantined');
        return;
      }
      if (r.status !== 'ok') throw new Error(`${r.code}: ${r.reason}`);
      const before = scan(read(input));
      const after = scan(read(r.output));
      const ctdi = before.num.get('113830') ?? [];
      expect(ctdi.length).toBeGreaterThan(0);
      expect(after.num.get('113830')).toEqual(ctdi);
      expect(after.num.get('113838')).toEqual(before.num.get('113838'));
      expect(after.num.get('113813')).toEqual(before.num.get('113813'));
      // Against the independently computed reference values (pydicom): every event's CTDIvol and DLP is there.
      const ref = expected.files[file];
      const outCtdi = (after.num.get('113830') ?? []).map(Number);
      const outDlp = (after.num.get('113838') ?? []).map(Number);
      for (const ev of ref?.events ?? []) {
        if (ev.ctdivol !== null) expect(outCtdi).toContain(ev.ctdivol);
        if (ev.dlp !== null) expect(outDlp).toContain(ev.dlp);
      }
      if (typeof ref?.dlpTotal === 'number')
        expect((after.num.get('113813') ?? []).map(Number)).toContain(ref.dlpTotal);
      for (const n of after.pnames) expect(n).toBe('ANONYMIZED');
      const beforeNames = before.pnames.filter((n) => n.length > 1);
      const out = r.output.toString('latin1');
      for (const n of beforeNames) expect(out.includes(n)).toBe(false);
      const basic = deidentifyBuffer(input, BASIC_PROFILE, KEY);
      if (basic.status !== 'ok') throw new Error(basic.reason);
      const b = scan(read(basic.output));
      expect(b.num.get('113830')).toEqual(ctdi);
      for (const t of b.texts) expect(t).toBe('ANONYMIZED');
    });
  }
});
