/**
 * PostgreSQL lost under load: a hub process reaches its database through a loopback proxy that the test
 * cuts for a few seconds (the shared PostgreSQL server itself keeps running for other tests). During the
 * outage every API call answers 503 with Retry-After (never 500), /health says "unavailable"; no task is
 * half-written; afterwards the same hub process serves again and every task completes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchDatabase } from '@fedhub/db';
import { startTcpProxy, type TcpProxy } from '@fedhub/testkit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type HubProcess,
  loginWhenUp,
  POSTGRES_TEST_URL,
  postgresWanted,
  scratchPostgres,
  scriptedNode,
} from './fault-harness.js';

const OUTAGE_MS = 4000;
const wanted = await postgresWanted();
const work = mkdtempSync(join(tmpdir(), 'fedhub-pg-outage-'));
let scratch: ScratchDatabase | undefined;
let proxy: TcpProxy | undefined;
let hub: HubProcess | undefined;

afterAll(async () => {
  await hub?.stop();
  await proxy?.close();
  await scratch?.drop();
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!wanted)('PostgreSQL outage under load (proxy cut between hub and database)', () => {
  it('answers 503 during the outage, writes no partial task, and recovers without a restart', async () => {
    scratch = await scratchPostgres();
    const real = new URL(scratch.url);
    proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const proxied = new URL(scratch.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const { startHubProcess } = await import('./fault-harness.js');
    const started = await startHubProcess({
      work,
      name: 'hub',
      databaseUrl: proxied.toString(),
      initDatabaseUrl: scratch.url,
      env: { FEDHUB_LEASE_MS: '3000', FEDHUB_LOG_LEVEL: 'info' },
    });
    hub = started;
    const pid = hub.child.pid;
    const admin = await loginWhenUp(hub.url, started.admin.username, started.admin.password);
    const org = await admin.createOrganisation({ name: 'Outage Hospital' });
    const collab = await admin.createCollaboration({ name: 'Outage', organisationIds: [org.id] });
    const node = await scriptedNode(admin, hub.url, collab.id, org.id, 'Outage node');
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Outage',
      purpose: 'PG cut',
      minNodes: 1,
    });
    const token = (await admin.createApiToken('load', 1)).token;

    type Phase = 'before' | 'outage' | 'after';
    let phase: Phase = 'before';
    const statuses: Record<Phase, number[]> = { before: [], outage: [], after: [] };
    const health: Record<Phase, Array<{ status: number; body: string; ms: number }>> = {
      before: [],
      outage: [],
      after: [],
    };
    const retryAfter: string[] = [];
    const created = new Set<string>();
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const p = phase;
        const res = await fetch(`${hub!.url}/api/tasks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ studyId: study.id, algorithm: 'ping', params: {} }),
          signal: AbortSignal.timeout(20_000),
        });
        const body = (await res.json()) as { id?: string; code?: string };
        statuses[p].push(res.status);
        if (process.env.FEDHUB_DEBUG_FAULTS && res.status === 422) console.info(JSON.stringify(body));
        if (res.status === 201 && body.id) created.add(body.id);
        if (res.status === 503) retryAfter.push(res.headers.get('retry-after') ?? '');
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const probe = (async () => {
      while (!stop) {
        const p = phase;
        const t0 = performance.now();
        const res = await fetch(`${hub!.url}/health`, { signal: AbortSignal.timeout(20_000) });
        health[p].push({ status: res.status, body: await res.text(), ms: performance.now() - t0 });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // the node keeps claiming and posting through the outage, as a real node would (it retries on 503)
    const nodeLoop = (async () => {
      while (!stop) {
        try {
          const claim = await node.api.claim(500);
          if (claim.run)
            await node.api.postResult(claim.run.runId, node.result(claim.run, { node: node.name }));
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();

    await new Promise((r) => setTimeout(r, 1500));
    phase = 'outage';
    proxy.cut();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    // requests that started just before the cut may still end as 201: only judge those sent during it
    proxy.restore();
    phase = 'after';
    // recovery: health back within 10 s, by the same process
    const t0 = Date.now();
    while (Date.now() - t0 < 10_000 && health.after.filter((h) => h.status === 200).length < 3)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all([load, probe, nodeLoop]);

    if (process.env.FEDHUB_DEBUG_FAULTS) console.info(JSON.stringify({ statuses, health }));
    expect(hub.child.pid).toBe(pid);
    expect(hub.child.exitCode).toBeNull();
    expect(statuses.before.length).toBeGreaterThan(5);
    // the request in flight at the cut was sent before it but may reach the database after it
    expect(statuses.before.slice(0, -1).every((s) => s === 201)).toBe(true);
    expect([201, 503]).toContain(statuses.before.at(-1));
    // during the outage: 503 (the first request may have been committed before the cut), never 500
    expect(statuses.outage.filter((s) => s === 503).length).toBeGreaterThan(10);
    expect(statuses.outage.every((s) => s === 503 || s === 201)).toBe(true);
    expect(retryAfter.every((v) => Number(v) > 0)).toBe(true);
    expect(health.outage.some((h) => h.status === 503 && h.body.includes('unavailable'))).toBe(true);
    expect(health.outage.every((h) => h.status === 503 || h.status === 200)).toBe(true);
    // a probe or two in flight at the cut may still have read the database; after them, only 503
    expect(health.outage.slice(2).every((h) => h.status === 503)).toBe(true);
    // after: served again without a restart
    expect(statuses.after.filter((s) => s === 201).length).toBeGreaterThan(5);
    expect(statuses.after.slice(-5).every((s) => s === 201)).toBe(true);
    expect(health.after.slice(-3).every((h) => h.status === 200)).toBe(true);

    // every task drains after the outage, on the same hub
    const direct = new pg.Client({ connectionString: scratch.url });
    await direct.connect();
    try {
      for (let i = 0; i < 100; i++) {
        const r = await direct.query(
          `select count(*) as n from tasks where status not in ('completed', 'failed', 'cancelled')`,
        );
        if (Number(r.rows[0].n) === 0) break;
        const claim = await node.api.claim(200).catch(() => ({ run: null }));
        if (claim.run)
          await node.api.postResult(claim.run.runId, node.result(claim.run, { node: node.name }));
      }
      const tasks = await direct.query(`select id, status from tasks`);
      // no partial rows: each stored task has its run, its submission audit event, and is complete
      const runs = await direct.query(
        `select task_id, count(*) as n, max(status) as s from runs group by task_id`,
      );
      const byTask = new Map(runs.rows.map((r) => [r.task_id as string, r]));
      const submitted = await direct.query(`select object from audit_events where action = 'task.submitted'`);
      const submittedIds = new Set(submitted.rows.map((r) => String(r.object).replace(/^task:/, '')));
      for (const t of tasks.rows) {
        expect(byTask.get(t.id)?.n, `runs of task ${t.id}`).toBe('1');
        expect(submittedIds.has(t.id), `audit of task ${t.id}`).toBe(true);
        expect(t.status).toBe('completed');
      }
      // every task the hub acknowledged is there
      for (const id of created) expect(tasks.rows.some((t) => t.id === id)).toBe(true);
    } finally {
      await direct.end();
    }
    expect((await admin.verifyAudit()).ok).toBe(true);
    const log = readFileSync(join(work, 'hub.log'), 'utf8');
    expect(log).not.toContain('unhandled error');
    // the figures, for docs/reliability.md
    console.info(
      `postgres outage ${OUTAGE_MS} ms: ${statuses.outage.length} calls during it (${statuses.outage.filter((s) => s === 503).length} x 503), ` +
        `${created.size} tasks acknowledged, all completed; /health max ${Math.round(
          Math.max(
            ...Object.values(health)
              .flat()
              .map((h) => h.ms),
          ),
        )} ms`,
    );
  }, 90_000);
});

if (!wanted)
  describe('PostgreSQL outage', () => {
    it(`is not run: no PostgreSQL at ${POSTGRES_TEST_URL} and FEDHUB_TEST_DATABASE_URL unset`, () => {
      expect(wanted).toBe(false);
    });
  });
