/**
 * Secure aggregation of additive partials (pairwise masking, Bonawitz et al., CCS 2017, without the
 * secret-sharing recovery: a node that drops out makes the round restart without it).
 *
 * Every node encodes its vector in fixed point over the ring Z/2^128 (64 fractional bits; any double of
 * magnitude below 2^62 encodes exactly when it is at least 2^-11, and to within 2^-65 otherwise), then adds,
 * for every other participant, a mask drawn from a stream keyed by their X25519 shared secret: +mask
 * towards peers with a larger id, -mask towards smaller ones. The hub adds the masked vectors; the masks
 * cancel, and it learns only the sum, which is exact in the ring (no floating-point rounding in the sum).
 *
 * The arithmetic runs on four 32-bit limbs per element in typed arrays; {@link encodeFixed} and
 * {@link decodeFixed} state the encoding with BigInt, as the reference the limb code is tested against.
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

/**
 * Shared secrets already agreed, per private key and peer key: a pair's secret never changes (each mask is
 * fresh through the HKDF salt of its task, round and label), so every round need not parse both keys and
 * redo the agreement. Kept in memory only, like the private key itself.
 */
const agreed = new Map<string, Buffer>();

/** The X25519 shared secret between this node's private key and a peer's public key (both base64url DER). */
export function sharedSecret(privateKeyPkcs8: string, peerPublicSpki: string): Buffer {
  const key = `${privateKeyPkcs8}|${peerPublicSpki}`;
  const known = agreed.get(key);
  if (known) return known;
  const secret = agree(privateKeyPkcs8, peerPublicSpki);
  // a node has a handful of peers; the bound only keeps a long-lived process with churning peers small
  if (agreed.size >= 1024) agreed.delete(agreed.keys().next().value!);
  agreed.set(key, secret);
  return secret;
}

function agree(privateKeyPkcs8: string, peerPublicSpki: string): Buffer {
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

/** The mask stream of one pair: `length` ring elements as 32-bit limbs, least significant first. */
function maskStream(secret: Buffer, ctx: MaskContext, length: number): Uint32Array {
  const salt = Buffer.from(
    `fedhub-secagg/v1|${ctx.taskId}|${ctx.round}|${[...ctx.participants].sort().join(',')}|${ctx.label}`,
  );
  const okm = Buffer.from(hkdfSync('sha256', secret, salt, Buffer.from('mask'), 48));
  const cipher = createCipheriv('aes-256-ctr', okm.subarray(0, 32), okm.subarray(32, 48));
  const bytes = cipher.update(Buffer.alloc(LIMBS * 4 * length));
  const out = new Uint32Array(LIMBS * length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let k = 0; k < out.length; k++) out[k] = view.getUint32(4 * k, true);
  return out;
}

const LIMBS = 4;
const TWO32 = 2 ** 32;
const TWO64 = 2 ** 64;
const TWO96 = 2 ** 96;

/**
 * Writes the ring encoding of `x` (as {@link encodeFixed}) into limbs[at .. at+3], least significant first,
 * with double arithmetic only: round(|x| 2^64) is an integer-valued double, so its 32-bit chunks come out
 * exactly by division by powers of two; a negative value is then negated in two's complement.
 */
function encodeInto(x: number, limbs: Uint32Array, at: number): void {
  if (!Number.isFinite(x) || Math.abs(x) >= SECURE_SUM_MAX_ABS)
    throw new RangeError(`secure aggregation: value ${x} is not finite or too large to encode`);
  const v = Math.round(x * SCALE);
  let a = Math.abs(v);
  const l3 = Math.floor(a / TWO96);
  a -= l3 * TWO96;
  const l2 = Math.floor(a / TWO64);
  a -= l2 * TWO64;
  const l1 = Math.floor(a / TWO32);
  const l0 = a - l1 * TWO32;
  if (v >= 0) {
    limbs[at] = l0;
    limbs[at + 1] = l1;
    limbs[at + 2] = l2;
    limbs[at + 3] = l3;
    return;
  }
  // two's complement: invert and add one
  let carry = 1;
  const parts = [l0, l1, l2, l3];
  for (let k = 0; k < LIMBS; k++) {
    const t = (~parts[k]! >>> 0) + carry;
    limbs[at + k] = t >>> 0;
    carry = t > 0xffffffff ? 1 : 0;
  }
}

/** acc += sign * mask over the ring, element by element (carries across each element's four limbs). */
function addLimbs(acc: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  for (let at = 0; at < acc.length; at += LIMBS) {
    // subtracting is adding the two's complement: invert the mask's limbs and add one
    let carry = sign === 1 ? 0 : 1;
    for (let k = 0; k < LIMBS; k++) {
      const m = sign === 1 ? mask[at + k]! : ~mask[at + k]! >>> 0;
      const t = acc[at + k]! + m + carry;
      acc[at + k] = t >>> 0;
      carry = t > 0xffffffff ? 1 : 0;
    }
  }
}

/**
 * The double nearest a ring element given as limbs (signed, 64 fractional bits): the parts are added with
 * the first addition's rounding error kept, so the one rounding is the last (as {@link decodeFixed}, to the
 * last bit in all but rare ties; the tests compare them on random elements).
 */
function decodeLimbs(limbs: Uint32Array, at: number): number {
  let l0 = limbs[at]!;
  let l1 = limbs[at + 1]!;
  let l2 = limbs[at + 2]!;
  let l3 = limbs[at + 3]!;
  const negative = l3 >= 0x80000000;
  if (negative) {
    let carry = 1;
    const parts = [l0, l1, l2, l3].map((l) => {
      const t = (~l >>> 0) + carry;
      carry = t > 0xffffffff ? 1 : 0;
      return t >>> 0;
    });
    [l0, l1, l2, l3] = parts as [number, number, number, number];
  }
  // the four limbs as exact doubles, added largest first with every addition's rounding error kept (Knuth's
  // TwoSum) and added back at the end, so the result is rounded once
  let sum = l3 * TWO32;
  let lost = 0;
  for (const term of [l2, l1 / TWO32, l0 / TWO64]) {
    const next = sum + term;
    const b = next - sum;
    lost += sum - (next - b) + (term - b);
    sum = next;
  }
  const magnitude = sum + lost;
  return negative ? -magnitude : magnitude;
}

/** Packs limbs as base64url, four little-endian bytes per limb (the wire form of a masked vector). */
function packLimbs(limbs: Uint32Array): string {
  const bytes = Buffer.alloc(limbs.length * 4);
  for (let k = 0; k < limbs.length; k++) bytes.writeUInt32LE(limbs[k]!, 4 * k);
  return bytes.toString('base64url');
}

function unpackLimbs(packed: string): Uint32Array {
  if (!/^[A-Za-z0-9_-]*$/.test(packed))
    throw new Error('secure aggregation: a masked vector is not base64url');
  const bytes = Buffer.from(packed, 'base64url');
  if (bytes.length % (4 * LIMBS) !== 0)
    throw new Error('secure aggregation: a masked vector is not a whole number of 16-byte ring elements');
  const out = new Uint32Array(bytes.length / 4);
  for (let k = 0; k < out.length; k++) out[k] = bytes.readUInt32LE(4 * k);
  return out;
}

/**
 * Masks `values` for the sum over `ctx.participants`. `peers` maps every other participant's id to its
 * X25519 public key. Returns the masked ring elements packed as base64url, 16 little-endian bytes each
 * (a 48,000-element vector is one 1 MB string rather than 48,000 strings to serialise, sign and store).
 */
export function maskVector(
  values: ArrayLike<number>,
  self: { id: string; x25519PrivateKey: string },
  peers: ReadonlyMap<string, string>,
  ctx: MaskContext,
): string {
  const acc = new Uint32Array(LIMBS * values.length);
  for (let i = 0; i < values.length; i++) encodeInto(values[i]!, acc, LIMBS * i);
  for (const peerId of ctx.participants) {
    if (peerId === self.id) continue;
    const pub = peers.get(peerId);
    if (!pub) throw new Error(`secure aggregation: no public key for participant ${peerId}`);
    const mask = maskStream(sharedSecret(self.x25519PrivateKey, pub), ctx, values.length);
    addLimbs(acc, mask, self.id < peerId ? 1 : -1);
  }
  return packLimbs(acc);
}

/**
 * Adds masked vectors and decodes the total; only the complete set unmasks. Each vector is the packed
 * string {@link maskVector} returns, or (from nodes that predate the packed form) an array of 32-hex-digit
 * elements.
 */
export function sumMaskedVectors(vectors: Array<string | readonly string[]>): number[] {
  if (vectors.length === 0) return [];
  const limbs = vectors.map((v) => (typeof v === 'string' ? unpackLimbs(v) : hexToLimbs(v)));
  const len = limbs[0]!.length;
  if (limbs.some((v) => v.length !== len))
    throw new Error('secure aggregation: masked vectors differ in length');
  const sum = new Uint32Array(len);
  for (const v of limbs) addLimbs(sum, v, 1);
  const out = new Array<number>(len / LIMBS);
  for (let i = 0; i < out.length; i++) out[i] = decodeLimbs(sum, LIMBS * i);
  return out;
}

/** The earlier wire form: one 32-hex-digit string per element, most significant digit first. */
function hexToLimbs(v: readonly string[]): Uint32Array {
  const out = new Uint32Array(LIMBS * v.length);
  v.forEach((s, i) => {
    if (!/^[0-9a-f]{32}$/.test(s))
      throw new Error('secure aggregation: a masked element is not 32 hex digits');
    for (let k = 0; k < LIMBS; k++) out[LIMBS * i + k] = Number.parseInt(s.slice(24 - 8 * k, 32 - 8 * k), 16);
  });
  return out;
}
