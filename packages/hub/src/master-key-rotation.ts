/**
 * `fedhub hub rotate-keys --master-key`: replaces the master key (the key-encryption key that seals the
 * hub's stored keys) and re-seals every stored key under the new one, in one transaction. The stored
 * keys themselves keep their values: tokens, API tokens and the hub's Ed25519 identity are unaffected.
 * Run it with the hub processes stopped (a running process keeps the master key it loaded).
 *
 * With a key file (the default `<dataDir>/hub-master.key` or FEDHUB_MASTER_KEY_FILE) the new key is
 * written first beside it (`<file>.new`, 0600), the database re-sealed, then the file replaced by a
 * rename: a crash leaves either the old key working (database untouched) or the new key in `.new` (the
 * operator renames it). With FEDHUB_MASTER_KEY from the environment, the new key is returned once for the
 * operator to put in the environment of every hub process.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { FedhubError } from '@fedhub/protocol';
import type { HubConfig } from './config.js';
import { bindMasterKey, MASTER_KEY_BYTES, masterKeySource } from './core/master-key.js';
import { isSealed, seal, unseal } from './core/sealed-secret.js';
import { appendAuditAlone } from './modules/audit/service.js';
import { openHubDatabase } from './start.js';

export interface RotatedMasterKey {
  /** Stored keys re-sealed. */
  resealed: number;
  /** Where the new master key is: the key file's path, or `environment` (then `newKey` is set). */
  location: string;
  /** The new key (base64url), only when it comes from the environment: set FEDHUB_MASTER_KEY to it. */
  newKey?: string;
}

/** Re-seals every stored key under a fresh master key (or `newKey`, base64url of 32 bytes). */
export async function rotateMasterKey(
  config: HubConfig,
  opts: { newKey?: string } = {},
): Promise<RotatedMasterKey> {
  const next = opts.newKey ? Buffer.from(opts.newKey.trim(), 'base64url') : randomBytes(MASTER_KEY_BYTES);
  if (next.length !== MASTER_KEY_BYTES)
    throw new FedhubError('FH_ERR_KEYS', `the new master key must be ${MASTER_KEY_BYTES} bytes in base64url`);
  const db = await openHubDatabase(config);
  const source = masterKeySource(config);
  const staged = 'file' in source ? `${source.file}.new` : null;
  let committed = false;
  try {
    const old = bindMasterKey(db, config);
    if (Buffer.compare(Buffer.from(old), next) === 0)
      throw new FedhubError('FH_ERR_KEYS', 'the new master key is the one in use');
    const rows = await db.db.selectFrom('hub_secrets').select(['name', 'value']).execute();
    // every stored key must open under the current master key before anything is written
    const plain = rows.map((r) => ({
      name: r.name,
      value: isSealed(r.value) ? unseal(old, r.name, r.value) : r.value,
    }));
    if (staged) writeFileSync(staged, `${next.toString('base64url')}\n`, { mode: 0o600 });
    const at = new Date().toISOString();
    await db.db.transaction().execute(async (tx) => {
      for (const r of plain)
        await tx
          .updateTable('hub_secrets')
          .set({ value: seal(next, r.name, r.value) })
          .where('name', '=', r.name)
          .execute();
    });
    committed = true;
    if (staged && 'file' in source) renameSync(staged, source.file);
    await appendAuditAlone(db, {
      at,
      actor: 'hub',
      action: 'hub.keys-rotated',
      object: null,
      details: {
        masterKey: true,
        resealed: plain.length,
        location: 'file' in source ? 'file' : 'environment',
      },
    });
    return {
      resealed: plain.length,
      location: 'file' in source ? source.file : 'environment',
      ...('env' in source ? { newKey: next.toString('base64url') } : {}),
    };
  } catch (err) {
    // not re-sealed: the old key stays the one to use (once re-sealed, the staged key is kept)
    if (staged && !committed) rmSync(staged, { force: true });
    throw err;
  } finally {
    await db.close();
  }
}
