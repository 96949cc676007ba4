/**
 * Secure aggregation of additive partials (pairwise masking, Bonawitz et al., CCS 2017, without the
 * secret-sharing recovery: a node that drops out makes the round restart without it).
 *
 * Every node encodes its vector in fixed point over the ring Z/2^128 (64 fractional bits; any double of
 * magnitude below 2^62 encodes exactly when it is at least 2^-11, and to within 2^-65 otherwise), then adds,
 * for every other participant, a mask drawn from a stream keyed by their X25519 shared secret: +mask
 * towards peers with a larger id, -mask towards smaller ones. The hub adds the masked vectors; the masks
 * cancel, and it learns only the sum, which is exact in the ring (no floating-point rounding in the sum).
 */
import { createCipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';

const RING_BITS = 128n;
const RING = 1n << RING_BITS;
const RING_MASK = RING - 1n;
const FRACTION_BITS = 64;
const SCALE = 2 ** FRACTION_BITS;
/** Largest magnitude that can be encoded. */
export const SECURE_SUM_MAX_ABS = 2 ** 62;

/** Encodes a finite double as a ring element (two's complement, 64 fractional bits). */
export function encodeFixed(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= SECURE_SUM_MAX_ABS)
    throw new RangeError(`secure aggregation: value ${x} is not finite or too large to encode`);
  return BigInt(Math.round(x * SCALE)) & RING_MASK;
}

/** Decodes a ring element (the sum of encodings) back to the nearest double. */
export function decodeFixed(v: bigint): number {
  const signed = v >= RING / 2n ? v - RING : v;
  // one rounding to 53 significant bits, then an exact division by a power of two
  return Number(signed) / SCALE;
}

/** The X25519 shared secret between this node's private key and a peer's public key (both base64url DER). */
export function sharedSecret(privateKeyPkcs8: string, peerPublicSpki: string): Buffer {
  return diffieHellman({
    privateKey: createPrivateKey({
      key: Buffer.from(privateKeyPkcs8, 'base64url'),
      format: 'der',
      type: 'pkcs8',
    }),
    publicKey: createPublicKey({
      key: Buffer.from(peerPublicSpki, 'base64url'),
      format: 'der',
      type: 'spki',
    }),
  });
}

/** Context binding masks to one aggregation: fresh per task, round and set of participants. */
export interface MaskContext {
  taskId: string;
  round: number;
  /** Ids of every participant of this aggregation (order does not matter). */
  participants: string[];
  /** Distinguishes several masked vectors of one round (e.g. 'xtwx'). */
  label: string;
}

function maskStream(secret: Buffer, ctx: MaskContext, length: number): bigint[] {
  const salt = Buffer.from(
    `fedhub-secagg/v1|${ctx.taskId}|${ctx.round}|${[...ctx.participants].sort().join(',')}|${ctx.label}`,
  );
  const okm = Buffer.from(hkdfSync('sha256', secret, salt, Buffer.from('mask'), 48));
  const cipher = createCipheriv('aes-256-ctr', okm.subarray(0, 32), okm.subarray(32, 48));
  const bytes = cipher.update(Buffer.alloc(16 * length));
  const out = new Array<bigint>(length);
  for (let i = 0; i < length; i++) {
    const hi = bytes.readBigUInt64BE(16 * i);
    const lo = bytes.readBigUInt64BE(16 * i + 8);
    out[i] = (hi << 64n) | lo;
  }
  return out;
}

/**
 * Masks `values` for the sum over `ctx.participants`. `peers` maps every other participant's id to its
 * X25519 public key. Returns hex ring elements (32 hex digits each).
 */
export function maskVector(
  values: ArrayLike<number>,
  self: { id: string; x25519PrivateKey: string },
  peers: ReadonlyMap<string, string>,
  ctx: MaskContext,
): string[] {
  const acc = Array.from(values, (v) => encodeFixed(v));
  for (const peerId of ctx.participants) {
    if (peerId === self.id) continue;
    const pub = peers.get(peerId);
    if (!pub) throw new Error(`secure aggregation: no public key for participant ${peerId}`);
    const mask = maskStream(sharedSecret(self.x25519PrivateKey, pub), ctx, acc.length);
    const sign = self.id < peerId ? 1n : -1n;
    for (let i = 0; i < acc.length; i++) acc[i] = (acc[i]! + sign * mask[i]!) & RING_MASK;
  }
  return acc.map((v) => v.toString(16).padStart(32, '0'));
}

/** Adds masked vectors (hex ring elements) and decodes the total; only the complete set unmasks. */
export function sumMaskedVectors(vectors: string[][]): number[] {
  if (vectors.length === 0) return [];
  const len = vectors[0]!.length;
  if (vectors.some((v) => v.length !== len))
    throw new Error('secure aggregation: masked vectors differ in length');
  const sum = new Array<bigint>(len).fill(0n);
  for (const v of vectors)
    for (let i = 0; i < len; i++) {
      const s = v[i]!;
      if (!/^[0-9a-f]{32}$/.test(s))
        throw new Error('secure aggregation: a masked element is not 32 hex digits');
      sum[i] = (sum[i]! + BigInt(`0x${s}`)) & RING_MASK;
    }
  return sum.map(decodeFixed);
}
