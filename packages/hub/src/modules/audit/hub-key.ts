/**
 * The hub's Ed25519 signing key: created on first start (or at `hub init`) and stored sealed with the
 * master key beside the token secret, so every hub process on a database signs with the same key. Nodes
 * trust it on first use.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DbHandle } from '@fedhub/db';
import { loadOrCreateSealed, replaceSealed } from '../../core/sealed-secret.js';

/** Name of the hub's Ed25519 key in `hub_secrets`. */
export const HUB_SIGNING_KEY = 'hub-ed25519';

export interface HubSigningKey {
  /** base64url SPKI DER */
  publicKey: string;
  /** base64url PKCS#8 DER */
  privateKey: string;
}

const cache = new WeakMap<DbHandle, Promise<HubSigningKey>>();

function freshKey(): string {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const fresh: HubSigningKey = {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
  };
  return JSON.stringify(fresh);
}

/** The stored hub key, created when the database has none (loaded once per database handle). */
export function hubSigningKey(h: DbHandle, nowIso: string): Promise<HubSigningKey> {
  let p = cache.get(h);
  if (!p) {
    // first writer wins: a second hub process starting at the same time reads the stored key
    p = loadOrCreateSealed(h, HUB_SIGNING_KEY, nowIso, freshKey).then(
      (v) => JSON.parse(v) as HubSigningKey,
      (err: unknown) => {
        cache.delete(h);
        throw err;
      },
    );
    cache.set(h, p);
  }
  return p;
}

/** Replaces the hub key with a new pair; returns the new public key (base64url SPKI DER). */
export async function rotateHubSigningKey(h: DbHandle, nowIso: string): Promise<string> {
  const next = freshKey();
  await replaceSealed(h, HUB_SIGNING_KEY, nowIso, next);
  cache.delete(h);
  return (JSON.parse(next) as HubSigningKey).publicKey;
}
