/**
 * The hub's stored keys, sealed with the master key (AES-256-GCM, the secret's name as associated data,
 * so a sealed value cannot be moved to another name). Rows written in clear by earlier versions are
 * sealed in place the first time they are read.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DbHandle } from '@fedhub/db';
import { FedhubError } from '@fedhub/protocol';
import { masterKeyOf } from './master-key.js';

const PREFIX = 'fhs1.';

/** True when a stored value is sealed (else it is a clear value from before sealing). */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Seals `plain` under `key` for the secret `name`. */
export function seal(key: Uint8Array, name: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(name, 'utf8'));
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return PREFIX + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
}

/** Opens a sealed value; FH_ERR_KEYS when the key is not the one it was sealed with. */
export function unseal(key: Uint8Array, name: string, sealed: string): string {
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(name, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  } catch {
    throw new FedhubError(
      'FH_ERR_KEYS',
      `the master key does not open the stored key "${name}": every hub process on this database needs the same master key (FEDHUB_MASTER_KEY or its key file)`,
    );
  }
}

/**
 * The stored secret `name`, created from `fresh()` when the database has none (first writer wins, so
 * hub processes starting together agree). A clear value from an earlier version is sealed in place.
 */
export async function loadOrCreateSealed(
  h: DbHandle,
  name: string,
  nowIso: string,
  fresh: () => string,
): Promise<string> {
  const key = masterKeyOf(h);
  await h.db
    .insertInto('hub_secrets')
    .values({ name, value: seal(key, name, fresh()), created_at: nowIso })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await h.db
    .selectFrom('hub_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  if (isSealed(row.value)) return unseal(key, name, row.value);
  // migration: a key stored in clear by an earlier version leaves the database's clear text now
  await h.db
    .updateTable('hub_secrets')
    .set({ value: seal(key, name, row.value) })
    .where('name', '=', name)
    .where('value', '=', row.value)
    .execute();
  return row.value;
}

/** Replaces the secret `name` with `plain`, sealed (key rotation). */
export async function replaceSealed(h: DbHandle, name: string, nowIso: string, plain: string): Promise<void> {
  const value = seal(masterKeyOf(h), name, plain);
  const res = await h.db
    .updateTable('hub_secrets')
    .set({ value, created_at: nowIso })
    .where('name', '=', name)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0)
    await h.db.insertInto('hub_secrets').values({ name, value, created_at: nowIso }).execute();
}
