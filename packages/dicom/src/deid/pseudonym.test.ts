import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveDeidKey, loadProjectKey, MIN_KEY_BYTES } from './keys.js';
import { dateOffsetDays, patientPseudonym, remapUid, shiftDate, shiftDateTime } from './pseudonym.js';
import { mergeReidMap, openReidMap, sealReidMap } from './reid-map.js';

const key = deriveDeidKey(Buffer.alloc(32, 3));

describe('pseudonyms, UIDs and dates', () => {
  it('derives the UID from the first 128 bits of the HMAC, as a decimal 2.25 UID', () => {
    const uid = remapUid(key.uid, '1.2.840.113619.2.55.3.1');
    const mac = createHmac('sha256', key.uid).update('1.2.840.113619.2.55.3.1').digest();
    expect(uid).toBe(`2.25.${BigInt(`0x${mac.subarray(0, 16).toString('hex')}`)}`);
    expect(uid.length).toBeLessThanOrEqual(64);
    expect(remapUid(key.uid, '1.2.840.113619.2.55.3.1')).toBe(uid);
    expect(remapUid(key.uid, '1.2.840.113619.2.55.3.2')).not.toBe(uid);
  });

  it('gives the same pseudonym for the same ID, base32 of 80 bits', () => {
    const p = patientPseudonym(key.patient, 'MRN-001');
    expect(p).toMatch(/^FH-[A-Z2-7]{16}$/);
    expect(patientPseudonym(key.patient, 'MRN-001')).toBe(p);
    expect(patientPseudonym(key.patient, 'MRN-002')).not.toBe(p);
  });

  it('shifts dates by a per-patient offset in -3650..-1 days, keeping intervals', () => {
    const offsets = ['a', 'b', 'c', 'd', 'e'].map((id) => dateOffsetDays(key.date, id));
    for (const o of offsets) expect(o).toBeGreaterThanOrEqual(-3650);
    for (const o of offsets) expect(o).toBeLessThanOrEqual(-1);
    // Hand-checked calendar arithmetic: 2024-03-01 minus 1 day is 2024-02-29 (leap year).
    expect(shiftDate('20240301', -1)).toBe('20240229');
    expect(shiftDate('20230301', -365)).toBe('20220301');
    expect(shiftDate('20240105-20240110', -10)).toBe('20231226-20231231');
    expect(shiftDate('2024.01.05', -5)).toBe('20231231');
    expect(shiftDate('20241345', -1)).toBeNull();
    expect(shiftDateTime('20240301101010.5+0100', -1)).toBe('20240229101010.5+0100');
    expect(shiftDateTime('20240301120000-0500', -1)).toBe('20240229120000-0500');
    expect(shiftDateTime('202403', -1)).toBe('202402');
  });

  it('rejects short keys and loads key files as raw bytes, hex or base64', async () => {
    expect(() => deriveDeidKey(Buffer.alloc(MIN_KEY_BYTES - 1))).toThrow(/at least 32/);
    const dir = mkdtempSync(join(tmpdir(), 'fh-key-'));
    try {
      const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));
      writeFileSync(join(dir, 'raw'), raw);
      writeFileSync(join(dir, 'hex'), `${raw.toString('hex')}\n`);
      writeFileSync(join(dir, 'b64'), raw.toString('base64'));
      writeFileSync(join(dir, 'short'), Buffer.alloc(16, 1));
      for (const f of ['raw', 'hex', 'b64'])
        expect((await loadProjectKey(join(dir, f))).equals(raw)).toBe(true);
      await expect(loadProjectKey(join(dir, 'short'))).rejects.toMatchObject({
        code: 'FH_ERR_DEID_KEY_TOO_SHORT',
      });
      await expect(loadProjectKey(join(dir, 'missing'))).rejects.toMatchObject({
        code: 'FH_ERR_DEID_KEY_FILE',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('seals and opens the re-identification map; tampering or another key fails', () => {
    const map = mergeReidMap(new Map(), [{ pseudonym: 'FH-AAAA', patientId: 'MRN-001' }]);
    const sealed = sealReidMap(map, key);
    expect(sealed.includes(Buffer.from('MRN-001'))).toBe(false);
    expect(openReidMap(sealed, key).get('FH-AAAA')).toBe('MRN-001');
    const bad = Buffer.from(sealed);
    bad[bad.length - 20] = (bad[bad.length - 20] ?? 0) ^ 1;
    expect(() => openReidMap(bad, key)).toThrow(/cannot be opened/);
    expect(() => openReidMap(sealed, deriveDeidKey(Buffer.alloc(32, 4)))).toThrow(/cannot be opened/);
  });
});
