// Bounded fuzzing: 500 seeded mutations of a synthetic CT and a real dose SR. Every call must return a result
// (ok / quarantined / rejected), never throw, and never take long.
import { readFileSync } from 'node:fs';
import { buildDicom, CT_IMAGE, ctElements, testPixels } from '@fedhub/testkit/dicom-builder';
import { describe, expect, it } from 'vitest';
import { createDeidentifier, deidentifyWith } from './deidentify-buffer.js';
import { BASIC_PROFILE } from './options.js';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0;
    x ^= x >>> 12;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const pos = 132 + Math.floor(r() * (b.length - 132));
  switch (Math.floor(r() * 5)) {
    case 0: // flip a few random bytes
      for (let i = 0; i < 1 + r() * 8; i++)
        b[132 + Math.floor(r() * (b.length - 132))] = Math.floor(r() * 256);
      return b;
    case 1: // truncate
      return b.subarray(0, pos);
    case 2: // huge or undefined length at a random 4-byte position
      b.writeUInt32LE(r() < 0.5 ? 0xffffffff : Math.floor(r() * 2 ** 32), Math.min(pos, b.length - 4));
      return b;
    case 3: // insert garbage
      return Buffer.concat([
        b.subarray(0, pos),
        Buffer.from(Array.from({ length: 1 + Math.floor(r() * 16) }, () => Math.floor(r() * 256))),
        b.subarray(pos),
      ]);
    default: // duplicate a slice (repeated items, out-of-order tags)
      return Buffer.concat([b.subarray(0, pos), b.subarray(Math.max(132, pos - 64), pos), b.subarray(pos)]);
  }
}

describe('fuzz', () => {
  it('survives 500 mutated files without crash or hang', () => {
    const ct = buildDicom(
      ctElements({
        patientId: 'P1',
        patientName: 'A^B',
        studyUid: '1.2.1',
        seriesUid: '1.2.2',
        sopUid: '1.2.3',
        frameOfReferenceUid: '1.2.4',
        pixels: testPixels(16, 16),
        rows: 16,
        cols: 16,
      }),
      { sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.3' },
    );
    const sr = readFileSync('/work/shared/reference/rdsr/CT-RDSR-Siemens-Multi-1.dcm');
    const d = createDeidentifier({ ...BASIC_PROFILE, cleanStructuredContent: true }, Buffer.alloc(32, 9));
    const r = rng(20261129);
    const statuses: Record<string, number> = {};
    const start = Date.now();
    let slowest = 0;
    for (let i = 0; i < 500; i++) {
      const input = mutate(i % 2 === 0 ? ct : sr, r);
      const t = Date.now();
      const res = deidentifyWith(d, input);
      slowest = Math.max(slowest, Date.now() - t);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status !== 'ok') expect(res.code).toMatch(/^FH_(ERR_DICOM|QUAR)_/); // never an internal error
    }
    expect(Date.now() - start).toBeLessThan(20_000);
    expect(slowest).toBeLessThan(2_000);
    expect((statuses.ok ?? 0) + (statuses.rejected ?? 0) + (statuses.quarantined ?? 0)).toBe(500);
    expect(statuses.rejected ?? 0).toBeGreaterThan(50); // the mutations do break files
  });
});
