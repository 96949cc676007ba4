import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '@fedhub/db';
import { afterAll, describe, expect, it } from 'vitest';
import { createHubContext } from '../build-hub.js';
import { loadHubConfig } from '../config.js';
import { hubSigningKey } from '../modules/audit/hub-key.js';
import { loadOrCreateHubSecret } from './hub-secret.js';
import { MASTER_KEY_FILE } from './master-key.js';
import { isSealed } from './sealed-secret.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-keys-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('secrets at rest', () => {
  it('tightens an earlier hub: folder 0700, database files 0600, keys moved out of the clear', async () => {
    const dataDir = join(work, 'old-hub');
    // an earlier version's hub: a world-readable folder and database, keys stored in clear
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'hub.sqlite'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'hub.sqlite'), 0o644);
    let h = openDatabase({ dataDir });
    await migrateToLatest(h.db as never);
    const clearSecret = Buffer.alloc(32, 7).toString('base64url');
    await h.db
      .insertInto('hub_secrets')
      .values({ name: 'access-token-hmac', value: clearSecret, created_at: '2026-01-01T00:00:00.000Z' })
      .execute();
    await h.close();

    h = openDatabase({ dataDir });
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'hub.sqlite'))).toBe(0o600);
    const config = loadHubConfig({}, { dataDir, logLevel: 'silent' });
    const ctx = createHubContext({ config, db: h });
    // the same secret (tokens issued before the upgrade stay valid), now sealed in the database
    expect(Buffer.from(await ctx.secret()).toString('base64url')).toBe(clearSecret);
    const key = await hubSigningKey(h, ctx.nowIso());
    const rows = await h.db.selectFrom('hub_secrets').select(['name', 'value']).execute();
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(isSealed(r.value), r.name).toBe(true);
      expect(r.value).not.toContain(clearSecret);
      expect(r.value).not.toContain(key.privateKey);
    }
    // the WAL files written meanwhile have the database file's mode; the key file is 0600
    for (const f of ['hub.sqlite-wal', 'hub.sqlite-shm', MASTER_KEY_FILE])
      expect(mode(join(dataDir, f)), f).toBe(0o600);
    await h.close();
  });

  it('refuses to start with another master key, naming the cause', async () => {
    const dataDir = join(work, 'hub-b');
    const h = openDatabase({ dataDir });
    await migrateToLatest(h.db as never);
    createHubContext({ config: loadHubConfig({}, { dataDir, logLevel: 'silent' }), db: h });
    await loadOrCreateHubSecret(h, new Date().toISOString());
    await h.close();
    const again = openDatabase({ dataDir });
    const other = loadHubConfig(
      {},
      { dataDir, logLevel: 'silent', masterKey: Buffer.alloc(32, 1).toString('base64url') },
    );
    createHubContext({ config: other, db: again });
    await expect(loadOrCreateHubSecret(again, new Date().toISOString())).rejects.toMatchObject({
      code: 'FH_ERR_KEYS',
      message: expect.stringMatching(/same master key/),
    });
    await again.close();
  });
});
