/**
 * The token-signing secret: created on first start and stored sealed with the master key, so every hub
 * process on a database shares it and a copy of the database alone cannot sign tokens.
 */
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '@fedhub/db';
import { loadOrCreateSealed, replaceSealed } from './sealed-secret.js';

/** Name of the token-signing secret in `hub_secrets`. */
export const ACCESS_TOKEN_SECRET = 'access-token-hmac';

const fresh = () => randomBytes(32).toString('base64url');

/** Returns the stored secret, creating it when the database has none (first writer wins). */
export async function loadOrCreateHubSecret(h: DbHandle, nowIso: string): Promise<Uint8Array> {
  return Buffer.from(await loadOrCreateSealed(h, ACCESS_TOKEN_SECRET, nowIso, fresh), 'base64url');
}

/** Replaces the token-signing secret: every access token signed before stops verifying. */
export async function rotateHubSecret(h: DbHandle, nowIso: string): Promise<void> {
  await replaceSealed(h, ACCESS_TOKEN_SECRET, nowIso, fresh());
}
