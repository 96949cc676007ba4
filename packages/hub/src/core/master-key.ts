/**
 * The hub's master key: 32 random bytes that seal the keys the hub keeps in its database (the token-signing
 * secret and the Ed25519 private key), so that a copy of the database alone forges nothing (issue 15,
 * item 2). It comes from `FEDHUB_MASTER_KEY` (base64url), else from a key file (`FEDHUB_MASTER_KEY_FILE`,
 * default `<dataDir>/hub-master.key`, created 0600 on first start). Every hub process on one database
 * needs the same master key. It is bound to the database handle, as the stored keys' caches are.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DbHandle } from '@fedhub/db';
import { FedhubError } from '@fedhub/protocol';
import type { HubConfig } from '../config.js';

/** Bytes of a master key. */
export const MASTER_KEY_BYTES = 32;

/** File name of the master key in the data folder when no other source is configured. */
export const MASTER_KEY_FILE = 'hub-master.key';

const bound = new WeakMap<DbHandle, Uint8Array>();

function decodeKey(text: string, source: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length !== MASTER_KEY_BYTES)
    throw new FedhubError(
      'FH_ERR_KEYS',
      `the master key from ${source} must be ${MASTER_KEY_BYTES} bytes in base64url (got ${key.length})`,
    );
  return key;
}

/** Reads the key file, creating it (0600, its folder 0700) when absent; tightens a looser mode. */
export function readOrCreateKeyFile(path: string): Uint8Array {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(MASTER_KEY_BYTES).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return decodeKey(readFileSync(path, 'utf8'), path);
}

/** Where the master key comes from under `config`: the environment, or the path of its key file. */
export function masterKeySource(config: HubConfig): { env: true } | { file: string } {
  if (config.masterKey) return { env: true };
  return { file: config.masterKeyFile ?? join(config.dataDir, MASTER_KEY_FILE) };
}

/** The master key under `config` (read or created now). */
export function resolveMasterKey(config: HubConfig): Uint8Array {
  const source = masterKeySource(config);
  return 'env' in source
    ? decodeKey(config.masterKey!, 'FEDHUB_MASTER_KEY')
    : readOrCreateKeyFile(source.file);
}

/**
 * Binds the master key for `h` from `config`, once (an in-memory database, which keeps nothing, gets a
 * fresh random key and no file).
 */
export function bindMasterKey(h: DbHandle, config: HubConfig): Uint8Array {
  let key = bound.get(h);
  if (!key) {
    key = h.ephemeral && !config.masterKey ? randomBytes(MASTER_KEY_BYTES) : resolveMasterKey(config);
    bound.set(h, key);
  }
  return key;
}

/** The master key bound to `h`; throws when none was bound (a hub context binds it). */
export function masterKeyOf(h: DbHandle): Uint8Array {
  const key = bound.get(h);
  if (!key) throw new FedhubError('FH_ERR_KEYS', 'no master key is bound to this database handle');
  return key;
}
