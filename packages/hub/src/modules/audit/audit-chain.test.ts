import { verifyMessage } from '@fedhub/crypto';
import { migrateToLatest, openDatabase, sql } from '@fedhub/db';
import { checkpointSigningString } from '@fedhub/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHubContext } from '../../build-hub.js';
import { loadHubConfig } from '../../config.js';
import { masterKeyOf } from '../../core/master-key.js';
import { isSealed, unseal } from '../../core/sealed-secret.js';
import { currentCheckpoint } from './checkpoint.js';
import { hubSigningKey } from './hub-key.js';
import { appendAuditAlone, verifyAudit } from './service.js';

let ctx: ReturnType<typeof createHubContext>;
beforeEach(async () => {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  ctx = createHubContext({ config: loadHubConfig({}, {}), db });
  for (let i = 1; i <= 6; i++)
    await appendAuditAlone(db, {
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      actor: 'hub',
      action: 'task.submitted',
      object: `task:${i}`,
      details: { n: i },
    });
  expect((await verifyAudit(db)).ok).toBe(true);
});

describe("the hub's audit chain", () => {
  it('detects an edited row', async () => {
    await ctx.db.db.updateTable('audit_events').set({ details: '{"n":33}' }).where('seq', '=', 3).execute();
    expect((await verifyAudit(ctx.db)).broken).toEqual({
      seq: 3,
      reason: 'entry 3: content does not match its hash',
    });
  });

  it('detects a deleted row', async () => {
    await ctx.db.db.deleteFrom('audit_events').where('seq', '=', 4).execute();
    expect((await verifyAudit(ctx.db)).broken?.seq).toBe(5);
  });

  it('detects two rows swapped', async () => {
    // swap everything but the sequence numbers: the chain order changes
    const rows = await ctx.db.db.selectFrom('audit_events').selectAll().where('seq', 'in', [2, 3]).execute();
    const [a, b] = [rows.find((r) => Number(r.seq) === 2)!, rows.find((r) => Number(r.seq) === 3)!];
    await sql`delete from audit_events where seq in (2, 3)`.execute(ctx.db.db);
    await ctx.db.db
      .insertInto('audit_events')
      .values([
        { ...b, seq: 2 },
        { ...a, seq: 3 },
      ])
      .execute();
    const v = await verifyAudit(ctx.db);
    expect(v.ok).toBe(false);
    expect(v.broken?.seq).toBe(2);
  });

  it('signs checkpoints of its head with the stored hub key', async () => {
    const c = await currentCheckpoint(ctx);
    const head = await verifyAudit(ctx.db);
    expect(c.seq).toBe(6);
    expect(c.headHash).toBe(head.headHash);
    expect(verifyMessage(c.hubPublicKey, checkpointSigningString(c), c.signature)).toBe(true);
    expect(verifyMessage(c.hubPublicKey, checkpointSigningString({ ...c, seq: 5 }), c.signature)).toBe(false);
    // one key per database, kept across restarts
    expect((await hubSigningKey(ctx.db, ctx.nowIso())).publicKey).toBe(c.hubPublicKey);
    const stored = await ctx.db.db
      .selectFrom('hub_secrets')
      .select('value')
      .where('name', '=', 'hub-ed25519')
      .executeTakeFirstOrThrow();
    // sealed with the master key: the private key is not in the database in clear
    expect(isSealed(stored.value)).toBe(true);
    expect(stored.value).not.toContain((await hubSigningKey(ctx.db, ctx.nowIso())).privateKey);
    expect(JSON.parse(unseal(masterKeyOf(ctx.db), 'hub-ed25519', stored.value)).publicKey).toBe(
      c.hubPublicKey,
    );
  });
});
