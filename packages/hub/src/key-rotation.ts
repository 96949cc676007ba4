/**
 * `fedhub hub rotate-keys`: replaces the hub's token-signing secret (every access token issued before
 * stops verifying; refresh and API tokens are random values checked by hash and keep working) and, on
 * request, its Ed25519 key. Run it with the hub processes stopped, or restart them after: a running
 * process keeps the keys it loaded.
 */
import { buildHubContextForTools } from './build-hub.js';
import type { HubConfig } from './config.js';
import { loadOrCreateHubSecret, rotateHubSecret } from './core/hub-secret.js';
import { hubSigningKey, rotateHubSigningKey } from './modules/audit/hub-key.js';
import { appendAuditAlone } from './modules/audit/service.js';
import { openHubDatabase } from './start.js';

export interface RotatedKeys {
  /** The token-signing secret was replaced. */
  tokenKey: boolean;
  /** The hub's Ed25519 public key now (base64url SPKI DER), new when `hubKey` was asked for. */
  hubPublicKey: string;
  hubKeyRotated: boolean;
}

/** Rotates the keys named in `what` (both sealed with the master key); audited as `hub.keys-rotated`. */
export async function rotateHubKeys(
  config: HubConfig,
  what: { tokenKey: boolean; hubKey: boolean },
): Promise<RotatedKeys> {
  const db = await openHubDatabase(config);
  try {
    const ctx = buildHubContextForTools(config, db);
    const at = ctx.nowIso();
    // loading first seals keys an earlier version stored in clear, and fails on a wrong master key
    await loadOrCreateHubSecret(db, at);
    let hubPublicKey = (await hubSigningKey(db, at)).publicKey;
    if (what.tokenKey) await rotateHubSecret(db, at);
    if (what.hubKey) hubPublicKey = await rotateHubSigningKey(db, at);
    await appendAuditAlone(db, {
      at,
      actor: 'hub',
      action: 'hub.keys-rotated',
      object: null,
      details: { tokenKey: what.tokenKey, hubKey: what.hubKey, hubPublicKey },
    });
    return { tokenKey: what.tokenKey, hubPublicKey, hubKeyRotated: what.hubKey };
  } finally {
    await db.close();
  }
}
