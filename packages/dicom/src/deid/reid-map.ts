import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DEID_ERROR_CODES, DeidError } from './errors.js';
import type { DeidKey } from './keys.js';

/** Re-identification map: pseudonym -> original Patient ID. UIDs are not stored (they are derivable). */
export type ReidMap = ReadonlyMap<string, string>;

const MAGIC = Buffer.from('FHREID1\0', 'latin1');

/**
 * Encrypts a re-identification map with AES-256-GCM under the key's `reid` sub-key (HKDF from the project
 * key). Layout: "FHREID1\0" | 12-byte nonce | ciphertext of JSON [[pseudonym, patientId], ...] | 16-byte tag.
 */
export function sealReidMap(map: ReidMap, key: DeidKey): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.reid, nonce);
  cipher.setAAD(MAGIC);
  const plain = Buffer.from(JSON.stringify([...map.entries()].sort()), 'utf8');
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
}

/** Decrypts a sealed map; throws FH_ERR_DEID_REID_MAP_CORRUPT if tampered with, truncated or under another key. */
export function openReidMap(sealed: Uint8Array, key: DeidKey): Map<string, string> {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < MAGIC.length + 28 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DeidError(DEID_ERROR_CODES.reidMapCorrupt, 're-identification map: bad header');
  }
  const nonce = buf.subarray(MAGIC.length, MAGIC.length + 12);
  const tag = buf.subarray(buf.length - 16);
  const body = buf.subarray(MAGIC.length + 12, buf.length - 16);
  try {
    const d = createDecipheriv('aes-256-gcm', key.reid, nonce);
    d.setAAD(MAGIC);
    d.setAuthTag(tag);
    const plain = Buffer.concat([d.update(body), d.final()]).toString('utf8');
    const entries = JSON.parse(plain) as [string, string][];
    return new Map(entries);
  } catch (err) {
    throw new DeidError(
      DEID_ERROR_CODES.reidMapCorrupt,
      `re-identification map cannot be opened: ${(err as Error).message}`,
    );
  }
}

/** Returns a new map with `pairs` added (the same pseudonym always maps to the same patient ID). */
export function mergeReidMap(
  map: ReidMap,
  pairs: Iterable<{ pseudonym: string; patientId: string }>,
): Map<string, string> {
  const out = new Map(map);
  for (const p of pairs) out.set(p.pseudonym, p.patientId);
  return out;
}
