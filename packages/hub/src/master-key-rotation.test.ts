/**
 * Master-key rotation: every stored key re-sealed under a new master key, values unchanged (the token
 * secret and the hub's Ed25519 identity survive), the key file replaced, the old master key no longer
 * opening anything; a wrong current key changes nothing.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHubContext } from './build-hub.js';
import { loadHubConfig } from './config.js';
import { MASTER_KEY_FILE } from './core/master-key.js';
import { unseal } from './core/sealed-secret.js';
import { rotateMasterKey } from './master-key-rotation.js';
import { hubSigningKey } from './modules/audit/hub-key.js';
import { openHubDatabase } from './start.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-master-key-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function keysOf(dataDir: string, env: Record<string, string> = {}) {
  const config = loadHubConfig(env, { dataDir, logLevel: 'silent' });
  const db = await openHubDatabase(config);
  try {
    const ctx = createHubContext({ config, db });
    const secret = Buffer.from(await ctx.secret()).toString('base64url');
    const hubKey = (await hubSigningKey(db, new Date().toISOString())).publicKey;
    const rows = await db.db.selectFrom('hub_secrets').select(['name', 'value']).execute();
    return { secret, hubKey, rows };
  } finally {
    await db.close();
  }
}

describe('rotateMasterKey', () => {
  it('re-seals every stored key under a new key file; the keys keep their values', async () => {
    const dataDir = join(work, 'file');
    const before = await keysOf(dataDir);
    const oldKey = Buffer.from(readFileSync(join(dataDir, MASTER_KEY_FILE), 'utf8').trim(), 'base64url');
    const out = await rotateMasterKey(loadHubConfig({}, { dataDir, logLevel: 'silent' }));
    expect(out.resealed).toBe(before.rows.length);
    expect(out.newKey).toBeUndefined();
    const file = join(dataDir, MASTER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const newKey = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    expect(Buffer.compare(newKey, oldKey)).not.toBe(0);
    const after = await keysOf(dataDir);
    expect(after.secret).toBe(before.secret);
    expect(after.hubKey).toBe(before.hubKey);
    for (const r of after.rows) {
      expect(r.value).not.toBe(before.rows.find((x) => x.name === r.name)!.value);
      expect(() => unseal(oldKey, r.name, r.value)).toThrow(/master key/);
      expect(() => unseal(newKey, r.name, r.value)).not.toThrow();
    }
  });

  it('with FEDHUB_MASTER_KEY, returns the new key once; the old one then opens nothing', async () => {
    const dataDir = join(work, 'env');
    const old = randomBytes(32).toString('base64url');
    const before = await keysOf(dataDir, { FEDHUB_MASTER_KEY: old });
    const out = await rotateMasterKey(
      loadHubConfig({ FEDHUB_MASTER_KEY: old }, { dataDir, logLevel: 'silent' }),
    );
    expect(out.location).toBe('environment');
    const after = await keysOf(dataDir, { FEDHUB_MASTER_KEY: out.newKey! });
    expect(after.secret).toBe(before.secret);
    await expect(keysOf(dataDir, { FEDHUB_MASTER_KEY: old })).rejects.toMatchObject({ code: 'FH_ERR_KEYS' });
  });

  it('changes nothing when the current master key does not open the stored keys', async () => {
    const dataDir = join(work, 'wrong');
    const before = await keysOf(dataDir);
    writeFileSync(join(dataDir, MASTER_KEY_FILE), `${randomBytes(32).toString('base64url')}\n`, {
      mode: 0o600,
    });
    await expect(rotateMasterKey(loadHubConfig({}, { dataDir, logLevel: 'silent' }))).rejects.toMatchObject({
      code: 'FH_ERR_KEYS',
    });
    const db = await openHubDatabase(loadHubConfig({}, { dataDir, logLevel: 'silent' }));
    const rows = await db.db.selectFrom('hub_secrets').select(['name', 'value']).execute();
    await db.close();
    expect(rows).toEqual(before.rows);
    expect(() => statSync(join(dataDir, `${MASTER_KEY_FILE}.new`))).toThrow();
  });
});
