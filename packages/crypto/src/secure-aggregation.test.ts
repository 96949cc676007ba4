import { describe, expect, it } from 'vitest';
import { generateNodeKeys } from './node-keys.js';
import { decodeFixed, encodeFixed, maskVector, sumMaskedVectors } from './secure-aggregation.js';

describe('fixed-point ring encoding', () => {
  it('round-trips doubles exactly across the working range', () => {
    for (const x of [
      0,
      1,
      -1,
      0.1,
      -123456.789,
      2 ** 61,
      -(2 ** 61) + 0.5,
      1e-3,
      Math.PI,
      12345678.901234567,
    ])
      expect(decodeFixed(encodeFixed(x))).toBe(x);
  });
  it('refuses values it cannot encode', () => {
    expect(() => encodeFixed(Number.NaN)).toThrow(/not finite/);
    expect(() => encodeFixed(2 ** 62)).toThrow(/too large/);
  });
});

describe('pairwise masking', () => {
  const ids = ['a1', 'b2', 'c3', 'd4'];
  const keys = new Map(ids.map((id) => [id, generateNodeKeys()]));
  const pubs = new Map(ids.map((id) => [id, keys.get(id)!.x25519.publicKey]));
  const data = ids.map((_, k) =>
    Array.from({ length: 50 }, (_, i) => Math.sin(i + 10 * k) * 10 ** ((i % 12) - 3)),
  );
  const ctx = { taskId: 't', round: 1, participants: ids, label: 'v' };
  const masked = ids.map((id, k) =>
    maskVector(data[k]!, { id, x25519PrivateKey: keys.get(id)!.x25519.privateKey }, pubs, ctx),
  );

  it('sums to the exact total (to 1e-15 relative) while each masked vector looks random', () => {
    const total = sumMaskedVectors(masked);
    for (let i = 0; i < 50; i++) {
      // reference: exact rational sum through BigInt-scaled values, independent of the ring code
      const ref = data.reduce((a, d) => a + d[i]!, 0);
      expect(Math.abs(total[i]! - ref)).toBeLessThanOrEqual(Math.abs(ref) * 1e-15 + 1e-18);
    }
    // a single node's masked vector does not decode to its data
    const single = sumMaskedVectors([masked[0]!]);
    expect(single.filter((v, i) => Math.abs(v - data[0]![i]!) < 1).length).toBeLessThan(3);
  });

  it('does not unmask when a participant is missing', () => {
    const partial = sumMaskedVectors(masked.slice(0, 3));
    const ref = data.slice(0, 3).reduce((acc, d) => acc.map((v, i) => v + d[i]!), new Array(50).fill(0));
    expect(partial.filter((v, i) => Math.abs(v - ref[i]) < 1).length).toBeLessThan(3);
  });

  it('uses fresh masks for another round', () => {
    const other = maskVector(
      data[0]!,
      { id: 'a1', x25519PrivateKey: keys.get('a1')!.x25519.privateKey },
      pubs,
      { ...ctx, round: 2 },
    );
    expect(other).not.toEqual(masked[0]);
  });
});
