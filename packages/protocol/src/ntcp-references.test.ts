import { describe, expect, it } from 'vitest';
import { lkbNtcp, NTCP_REFERENCES, ntcpReferencesFor } from './ntcp-references.js';

describe('NTCP reference parameters', () => {
  it('finds an organ by its TG-263 name, whatever the case', () => {
    expect(ntcpReferencesFor('Rectum')?.references.map((r) => r.source)).toEqual([
      'Burman 1991',
      'QUANTEC 2010',
    ]);
    expect(ntcpReferencesFor('parotid_l')?.organ).toBe('Parotid');
    expect(ntcpReferencesFor('PTV_70')).toBeNull();
    expect(ntcpReferencesFor(undefined)).toBeNull();
  });
  it('holds plausible LKB parameters, each TG-263 name once', () => {
    const names = NTCP_REFERENCES.flatMap((o) => o.tg263);
    expect(new Set(names).size).toBe(names.length);
    for (const o of NTCP_REFERENCES)
      for (const r of o.references) {
        expect(r.TD50).toBeGreaterThan(10);
        expect(r.TD50).toBeLessThan(100);
        expect(r.m).toBeGreaterThan(0);
        expect(r.n).toBeGreaterThan(0);
        expect(r.n).toBeLessThanOrEqual(1);
      }
  });
  it('gives NTCP 0.5 at TD50 and the normal CDF elsewhere', () => {
    const ref = { TD50: 76.9, m: 0.13 };
    expect(lkbNtcp(76.9, ref)).toBeCloseTo(0.5, 7);
    // one m·TD50 above TD50: Φ(1) = 0.8413447
    expect(lkbNtcp(76.9 + 0.13 * 76.9, ref)).toBeCloseTo(0.8413447, 6);
    expect(lkbNtcp(76.9 - 2 * 0.13 * 76.9, ref)).toBeCloseTo(0.0227501, 6);
  });
});
