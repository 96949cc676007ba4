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

describe('ring arithmetic on 32-bit limbs', () => {
  const one = { taskId: 't', round: 1, participants: ['a'], label: 'x' };
  const alone = (values: number[]) => maskVector(values, { id: 'a', x25519PrivateKey: '' }, new Map(), one);
  const RING = (1n << 128n) - 1n;

  it('encodes, adds and decodes as the BigInt reference does, to the last bit', () => {
    // magnitudes from 2^-60 to 2^60, both signs, and the edges of the range
    const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 7.1) * 2 ** ((i % 121) - 60));
    values.push(0, 1, -1, 2 ** 61, -(2 ** 61) + 0.5, 1e-20, -1e-20, Number.MIN_VALUE);
    const packed = alone(values);
    const three = sumMaskedVectors([packed, packed, packed]);
    for (const [i, v] of values.entries()) expect(three[i]).toBe(decodeFixed((3n * encodeFixed(v)) & RING));
    expect(sumMaskedVectors([packed])).toEqual(values.map((v) => decodeFixed(encodeFixed(v))));
  });

  it('still sums the hex elements of nodes of the earlier version', () => {
    const values = [0.5, -2.25, 1e-9, -123456.789];
    const hex = values.map((v) => encodeFixed(v).toString(16).padStart(32, '0'));
    expect(sumMaskedVectors([hex, alone(values)])).toEqual(
      values.map((v) => decodeFixed((2n * encodeFixed(v)) & RING)),
    );
  });

  it('refuses a masked vector that is not whole ring elements', () => {
    expect(() => sumMaskedVectors(['AAAA'])).toThrow(/16-byte ring elements/);
    expect(() => sumMaskedVectors(['not base64!'])).toThrow(/not base64url/);
    expect(() => sumMaskedVectors([['xyz']])).toThrow(/32 hex digits/);
    expect(() => sumMaskedVectors([alone([1, 2]), alone([1])])).toThrow(/differ in length/);
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
