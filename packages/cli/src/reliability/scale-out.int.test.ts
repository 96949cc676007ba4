/**
 * Scale-out: two hub processes on one PostgreSQL database, every request (nodes' and the researcher's)
 * sent to either at random, with no stickiness. Every run is claimed once per attempt (the audit log holds
 * one run.claimed per run and attempt), each task counts each node once, a long-poll on one process sees
 * results posted through the other, no deadlock appears in either log, and the audit chain verifies.
 *
 * Cross-process wake-ups are by polling the database every pollIntervalMs (not LISTEN/NOTIFY).
 * FEDHUB_SCALEOUT_TASKS scales it (10,000 in `npm run bench -- reliability`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchDatabase } from '@fedhub/db';
import type { Study } from '@fedhub/protocol';
import { HubClient, HubRequestError, NodeApiClient } from '@fedhub/sdk';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loginWhenUp,
  postgresWanted,
  scratchPostgres,
  scriptedNode,
  startHubProcess,
} from './fault-harness.js';

const TASKS = Number(process.env.FEDHUB_SCALEOUT_TASKS ?? 300);
const NODES = 20;
const STUDY_SIZE = 5;
const wanted = await postgresWanted();
const work = mkdtempSync(join(tmpdir(), 'fedhub-scale-out-'));
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

/** A fetch that sends each request to one of `origins` at random (a load balancer without stickiness). */
function spreading(origins: string[], counts: number[]): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const i = Math.floor(Math.random() * origins.length);
    counts[i]!++;
    const target = new URL(origins[i]!);
    url.host = target.host;
    return fetch(url, init);
  };
}

describe.skipIf(!wanted)('two hub processes on one PostgreSQL database', () => {
  it(
    `spreads ${TASKS} tasks over both: each run claimed once per attempt, no deadlock`,
    async () => {
      const scratch: ScratchDatabase = await scratchPostgres();
      cleanups.push(() => scratch.drop());
      const env = {
        FEDHUB_LOG_LEVEL: 'info',
        FEDHUB_LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        FEDHUB_USER_RATE_LIMIT_PER_MINUTE: '1000000',
        FEDHUB_POLL_INTERVAL_MS: '100',
        FEDHUB_LEASE_MS: '30000',
      };
      const a = await startHubProcess({ work, name: 'hub-a', databaseUrl: scratch.url, env });
      cleanups.push(() => a.stop());
      const b = await startHubProcess({ work, name: 'hub-b', databaseUrl: scratch.url, env, skipInit: true });
      cleanups.push(() => b.stop());
      const counts = [0, 0];
      const spread = spreading([a.url, b.url], counts);
      const admin = await loginWhenUp(a.url, a.admin.username, a.admin.password);
      const org = await admin.createOrganisation({ name: 'Scale-out Hospital' });
      const collab = await admin.createCollaboration({ name: 'Scale-out', organisationIds: [org.id] });
      const nodes = [];
      for (let i = 0; i < NODES; i++) {
        const n = await scriptedNode(admin, a.url, collab.id, org.id, `Spread node ${i}`);
        nodes.push({ ...n, api: new NodeApiClient({ baseUrl: a.url, nodeToken: n.token, fetch: spread }) });
      }
      const researcher = new HubClient({
        baseUrl: a.url,
        token: (await admin.createApiToken('spread', 1)).token,
        fetch: spread,
      });
      const studies: Study[] = [];
      for (let i = 0; i < NODES / STUDY_SIZE; i++)
        studies.push(
          await admin.createStudy({
            collaborationId: collab.id,
            title: `Spread study ${i}`,
            purpose: 'scale-out',
            nodeIds: nodes.slice(i * STUDY_SIZE, (i + 1) * STUDY_SIZE).map((n) => n.id),
            minNodes: 1,
          }),
        );

      let stop = false;
      const loops = nodes.map(async (n) => {
        while (!stop) {
          try {
            const { run } = await n.api.claim(500);
            if (!run) continue;
            for (;;) {
              try {
                await n.api.postResult(run.runId, n.result(run, { node: n.name }));
                break;
              } catch (err) {
                if (err instanceof HubRequestError && err.status > 0 && err.status < 500) break;
                await sleep(100);
              }
            }
          } catch {
            await sleep(100);
          }
        }
      });

      // events across processes: a long-poll on hub B for a task whose results all go through hub A
      const tokenA = (await admin.createApiToken('wait', 1)).token;
      const ids: string[] = [];
      for (let i = 0; i < TASKS; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(10, TASKS - i) }, (_, j) =>
            researcher.createTask({
              studyId: studies[(i + j) % studies.length]!.id,
              algorithm: 'ping',
              params: {},
            }),
          ),
        );
        ids.push(...batch.map((t) => t.id));
      }
      for (let i = 0; i < 2400; i++) {
        const open = (await researcher.listTasks()).filter((t) => t.status !== 'completed');
        if (open.length === 0) break;
        await sleep(250);
      }
      stop = true;
      await Promise.all(loops);

      // cross-process wake-up: submitted and completed through A, waited for on B
      const probeStudy = await admin.createStudy({
        collaborationId: collab.id,
        title: 'Cross-process events',
        purpose: 'scale-out',
        nodeIds: [nodes[0]!.id],
        minNodes: 1,
      });
      const viaA = new HubClient({ baseUrl: a.url, token: tokenA });
      const task = await viaA.createTask({ studyId: probeStudy.id, algorithm: 'ping', params: {} });
      const before = (await (
        await fetch(`${b.url}/api/tasks/${task.id}/wait?since=0&timeoutMs=0`, {
          headers: { authorization: `Bearer ${tokenA}` },
        })
      ).json()) as { revision: number };
      const t0 = Date.now();
      const waiting = fetch(`${b.url}/api/tasks/${task.id}/wait?since=${before.revision}&timeoutMs=20000`, {
        headers: { authorization: `Bearer ${tokenA}` },
      }).then((r) => r.json() as Promise<{ status: string; revision: number }>);
      const onA = new NodeApiClient({ baseUrl: a.url, nodeToken: nodes[0]!.token });
      const run = (await onA.claim(5000)).run!;
      await onA.postResult(run.runId, nodes[0]!.result(run, { node: nodes[0]!.name }));
      let seen = await waiting;
      while (seen.status !== 'completed' && Date.now() - t0 < 20_000)
        seen = (await (
          await fetch(`${b.url}/api/tasks/${task.id}/wait?since=${seen.revision}&timeoutMs=20000`, {
            headers: { authorization: `Bearer ${tokenA}` },
          })
        ).json()) as { status: string; revision: number };
      expect(seen.status).toBe('completed');
      const crossMs = Date.now() - t0;

      const tasks = (await researcher.listTasks()).filter((t) => ids.includes(t.id));
      expect(tasks).toHaveLength(TASKS);
      expect(tasks.every((t) => t.status === 'completed')).toBe(true);
      const db = new pg.Client({ connectionString: scratch.url });
      await db.connect();
      try {
        const claims = await db.query(
          `select object, details from audit_events where action = 'run.claimed'`,
        );
        const perAttempt = new Map<string, number>();
        for (const r of claims.rows) {
          const d = typeof r.details === 'string' ? JSON.parse(r.details) : r.details;
          const k = `${r.object}#${d.attempt}`;
          perAttempt.set(k, (perAttempt.get(k) ?? 0) + 1);
        }
        expect([...perAttempt.values()].every((c) => c === 1)).toBe(true);
        const runs = await db.query(
          `select task_id, count(*) as n, count(distinct node_id) as d from runs group by task_id`,
        );
        for (const r of runs.rows) expect(Number(r.n)).toBe(Number(r.d));
        const completedRuns = runs.rows.reduce((s, r) => s + Number(r.n), 0);
        expect(completedRuns).toBe(TASKS * STUDY_SIZE + 1);
      } finally {
        await db.end();
      }
      expect((await admin.verifyAudit()).ok).toBe(true);
      for (const name of ['hub-a', 'hub-b']) {
        const log = readFileSync(join(work, `${name}.log`), 'utf8');
        expect(log).not.toMatch(/deadlock/i);
        expect(log).not.toContain('unhandled error');
      }
      expect(Math.min(...counts)).toBeGreaterThan(0.4 * (counts[0]! + counts[1]!));
      console.info(
        `scale-out: ${TASKS} tasks x ${STUDY_SIZE} runs over 2 hub processes on PostgreSQL (${counts[0]} / ${counts[1]} requests), ` +
          `each run claimed once per attempt, no deadlock; a long-poll on hub B saw a result posted through hub A after ${crossMs} ms`,
      );
    },
    Math.max(600_000, TASKS * 300),
  );
});

if (!wanted)
  describe('scale-out on PostgreSQL', () => {
    it('is not run: no PostgreSQL server', () => {
      expect(wanted).toBe(false);
    });
  });
