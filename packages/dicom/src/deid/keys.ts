import { hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEID_ERROR_CODES, DeidError } from './errors.js';

/** Minimum length of a project key, in bytes. */
export const MIN_KEY_BYTES = 32;

/**
 * Sub-keys derived from a project key with HKDF-SHA256 (one per purpose, so a leak of one derived value
 * says nothing about the others): UID remapping, patient pseudonyms, date offsets, re-identification map.
 */
export interface DeidKey {
  readonly uid: Buffer;
  readonly patient: Buffer;
  readonly date: Buffer;
  readonly reid: Buffer;
}

function derive(master: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, 'fedhub-deid-v1', info, 32));
}

/** Derives the sub-keys from a project key of at least 32 bytes; throws FH_ERR_DEID_KEY_TOO_SHORT otherwise. */
export function deriveDeidKey(master: Uint8Array): DeidKey {
  if (master.length < MIN_KEY_BYTES) {
    throw new DeidError(
      DEID_ERROR_CODES.keyTooShort,
      `project key has ${master.length} bytes; at least ${MIN_KEY_BYTES} are required`,
    );
  }
  return {
    uid: derive(master, 'uid-remap'),
    patient: derive(master, 'patient-pseudonym'),
    date: derive(master, 'date-shift'),
    reid: derive(master, 'reid-map-aes-256-gcm'),
  };
}

/** A new random 32-byte project key. */
export function createProjectKey(): Buffer {
  return randomBytes(32);
}

/**
 * Reads a project key file: raw bytes (>= 32), or text holding hex (64+ hex digits) or base64 of >= 32 bytes.
 * Throws FH_ERR_DEID_KEY_FILE if unreadable, FH_ERR_DEID_KEY_TOO_SHORT if short.
 */
export async function loadProjectKey(path: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new DeidError(DEID_ERROR_CODES.keyFile, `cannot read key file ${path}: ${(err as Error).message}`);
  }
  const text = raw.toString('latin1').trim();
  let key = raw;
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 && text.length >= 64)
    key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/=_-]+$/.test(text) && text.length >= 43) key = Buffer.from(text, 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new DeidError(
      DEID_ERROR_CODES.keyTooShort,
      `key file ${path} holds ${key.length} bytes; at least 32 required`,
    );
  }
  return key;
}
