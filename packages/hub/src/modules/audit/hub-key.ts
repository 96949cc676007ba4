/**
 * The hub's Ed25519 signing key: created on first start (or at `hub init`) and stored beside the token
 * secret, so every hub process on a database signs with the same key. Nodes trust it on first use.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DbHandle } from '@fedhub/db';

const HUB_SIGNING_KEY = 'hub-ed25519';

export interface HubSigningKey {
  /** base64url SPKI DER */
  publicKey: string;
  /** base64url PKCS#8 DER */
  privateKey: string;
}

const cache = new WeakMap<DbHandle, Promise<HubSigningKey>>();

async function loadOrCreate(h: DbHandle, nowIso: string): Promise<HubSigningKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const fresh: HubSigningKey = {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
  };
  // first writer wins: a second hub process starting at the same time reads the stored key
  await h.db
    .insertInto('hub_secrets')
    .values({ name: HUB_SIGNING_KEY, value: JSON.stringify(fresh), created_at: nowIso })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await h.db
    .selectFrom('hub_secrets')
    .select('value')
    .where('name', '=', HUB_SIGNING_KEY)
    .executeTakeFirstOrThrow();
  return JSON.parse(row.value) as HubSigningKey;
}

/** The stored hub key, created when the database has none (loaded once per database handle). */
export function hubSigningKey(h: DbHandle, nowIso: string): Promise<HubSigningKey> {
  let p = cache.get(h);
  if (!p) {
    p = loadOrCreate(h, nowIso).catch((err: unknown) => {
      cache.delete(h);
      throw err;
    });
    cache.set(h, p);
  }
  return p;
}
