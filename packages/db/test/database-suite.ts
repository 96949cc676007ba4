/** Storage behaviour both backends must share, written once and run on SQLite and PostgreSQL. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countOf,
  type DbHandle,
  forUpdateSkipLocked,
  fromBool,
  fromJson,
  MIGRATIONS,
  migrateToLatest,
  toBool,
  toJson,
  withTransaction,
} from '../src/index.js';

export interface DbBackend {
  name: string;
  open(): Promise<{ handle: DbHandle; dispose(): Promise<void> }>;
}

const now = '2026-06-01T12:00:00.000Z';

async function seedRuns(h: DbHandle, count: number): Promise<{ nodeId: string; runIds: string[] }> {
  const org = randomUUID();
  const collab = randomUUID();
  const user = randomUUID();
  const node = randomUUID();
  const study = randomUUID();
  const task = randomUUID();
  await h.db
    .insertInto('organisations')
    .values({ id: org, name: `Org ${org}`, country: null, created_at: now })
    .execute();
  await h.db
    .insertInto('collaborations')
    .values({ id: collab, name: `C ${collab}`, description: null, created_at: now })
    .execute();
  await h.db
    .insertInto('users')
    .values({
      id: user,
      username: `u-${user}`,
      display_name: null,
      organisation_id: org,
      password_hash: 'x',
      roles: toJson(['researcher']),
      failed_logins: 0,
      locked_until: null,
      created_at: now,
      token_version: 0,
      password_change_required: 0,
    })
    .execute();
  await h.db
    .insertInto('nodes')
    .values({
      id: node,
      name: 'N',
      organisation_id: org,
      collaboration_id: collab,
      enrolment_token_hash: randomUUID(),
      enrolment_expires_at: now,
      enrolment_used: toBool(false),
      node_token_hash: null,
      x25519_public_key: null,
      ed25519_public_key: null,
      version: null,
      datasets: toJson([]),
      last_seen_at: null,
      created_at: now,
    })
    .execute();
  await h.db
    .insertInto('studies')
    .values({
      id: study,
      collaboration_id: collab,
      title: 'S',
      purpose: 'P',
      created_by: user,
      created_at: now,
      status: 'active',
      stopped_at: null,
      updated_at: now,
      min_nodes: 1,
      starts_at: null,
      ends_at: null,
      release_per_node_breakdown: 0,
      governance: '{}',
    })
    .execute();
  await h.db
    .insertInto('tasks')
    .values({
      id: task,
      study_id: study,
      collaboration_id: collab,
      algorithm: 'ping',
      version: '1',
      digest: 'd',
      params: toJson({}),
      node_ids: toJson([node]),
      status: 'running',
      round: 1,
      first_round: 1,
      aggregator_state: null,
      result: null,
      error: null,
      revision: 1,
      title: null,
      created_by: user,
      created_at: now,
      finished_at: null,
    })
    .execute();
  const runIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    runIds.push(id);
    await h.db
      .insertInto('runs')
      .values({
        id,
        task_id: task,
        node_id: node,
        round: i + 1,
        attempt: 0,
        status: 'queued',
        lease_expires_at: null,
        input: toJson({ i }),
        payload: null,
        digest: null,
        signature: null,
        error: null,
        created_at: `2026-06-01T12:00:0${i}.000Z`,
        started_at: null,
        finished_at: null,
      })
      .execute();
  }
  return { nodeId: node, runIds };
}

/** Claims one queued run of the node the way the hub does; returns its id or null. */
async function claimOne(h: DbHandle, nodeId: string): Promise<string | null> {
  return withTransaction(h, async (trx) => {
    const row = await forUpdateSkipLocked(
      h.dialect,
      trx
        .selectFrom('runs')
        .select('id')
        .where('node_id', '=', nodeId)
        .where('status', '=', 'queued')
        .orderBy('created_at')
        .limit(1),
    ).executeTakeFirst();
    if (!row) return null;
    // hold the lock a moment so that competing claims really overlap
    if (h.dialect === 'postgres') await sql`select pg_sleep(0.05)`.execute(trx);
    const res = await trx
      .updateTable('runs')
      .set({ status: 'claimed' })
      .where('id', '=', row.id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1 ? row.id : null;
  });
}

export function defineDatabaseSuite(backend: DbBackend): void {
  describe(`database on ${backend.name}`, () => {
    let h: DbHandle;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ handle: h, dispose } = await backend.open());
    });
    afterAll(async () => dispose?.());

    it('applies the migrations once, and again is a no-op', async () => {
      expect(await migrateToLatest(h.db as never)).toEqual(Object.keys(MIGRATIONS));
      expect(await migrateToLatest(h.db as never)).toEqual([]);
    });

    it('round-trips JSON, booleans and ISO timestamps, and counts as numbers', async () => {
      const { runIds } = await seedRuns(h, 3);
      const row = await h.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runIds[1]!)
        .executeTakeFirstOrThrow();
      expect(fromJson(row.input)).toEqual({ i: 1 });
      expect(row.created_at).toBe('2026-06-01T12:00:01.000Z');
      const n = await h.db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('id', 'in', runIds)
        .executeTakeFirstOrThrow();
      expect(countOf(n.n)).toBe(3);
      const node = await h.db.selectFrom('nodes').select('enrolment_used').executeTakeFirstOrThrow();
      expect(fromBool(node.enrolment_used)).toBe(false);
      expect(fromJson(null)).toBeNull();
    });

    it('rolls a failed transaction back', async () => {
      const id = randomUUID();
      await expect(
        withTransaction(h, async (trx) => {
          await trx.insertInto('hub_secrets').values({ name: id, value: 'v', created_at: now }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(
        await h.db.selectFrom('hub_secrets').select('name').where('name', '=', id).executeTakeFirst(),
      ).toBeUndefined();
    });

    it('runs a PostgreSQL transaction again after a deadlock, and never retries other errors', async () => {
      let runs = 0;
      const deadlockOnce = () =>
        withTransaction(h, async (trx) => {
          runs++;
          await trx
            .insertInto('hub_secrets')
            .values({ name: `retry-${runs}`, value: 'v', created_at: now })
            .execute();
          if (runs === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          return runs;
        });
      if (h.dialect === 'postgres') {
        expect(await deadlockOnce()).toBe(2);
        // the first run was rolled back
        const names = (
          await h.db.selectFrom('hub_secrets').select('name').where('name', 'like', 'retry-%').execute()
        ).map((r) => r.name);
        expect(names).toEqual(['retry-2']);
      } else {
        await expect(deadlockOnce()).rejects.toThrow('deadlock detected');
        expect(runs).toBe(1);
      }
      let other = 0;
      await expect(
        withTransaction(h, async () => {
          other++;
          throw Object.assign(new Error('unique violation'), { code: '23505' });
        }),
      ).rejects.toThrow('unique violation');
      expect(other).toBe(1);
    });

    it('hands each queued run to exactly one of many concurrent claimers', async () => {
      const { nodeId, runIds } = await seedRuns(h, 4);
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimOne(h, nodeId)));
      const got = claims.filter((c): c is string => c !== null);
      expect(new Set(got).size).toBe(got.length);
      // SKIP LOCKED may make a claimer come back empty while others hold rows; draining takes the rest
      for (let c = await claimOne(h, nodeId); c !== null; c = await claimOne(h, nodeId)) got.push(c);
      expect(got.sort()).toEqual([...runIds].sort());
    });

    it('enforces one run per (task, node, round) and foreign keys', async () => {
      const { runIds } = await seedRuns(h, 1);
      const run = await h.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runIds[0]!)
        .executeTakeFirstOrThrow();
      await expect(
        h.db
          .insertInto('runs')
          .values({ ...run, id: randomUUID() })
          .execute(),
      ).rejects.toThrow();
      await expect(
        h.db
          .insertInto('runs')
          .values({ ...run, id: randomUUID(), round: 9, node_id: randomUUID() })
          .execute(),
      ).rejects.toThrow();
    });
  });
}
