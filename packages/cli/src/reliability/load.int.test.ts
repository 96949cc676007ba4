/**
 * Load on a real hub process: 200 simulated nodes (signing like real ones, all in this process) long-poll
 * for work while 1,000 tasks are submitted over studies of 5 nodes each, and a task fans out to all 200
 * nodes; every task completes, and the hub's latency (p50/p99, seen by clients) and resident memory are
 * reported. Then flooding: one user over their per-user budget and one address over the per-IP budget get
 * 429 with Retry-After while another user is served and /health answers in under 200 ms throughout.
 *
 * FEDHUB_LOAD_TASKS and FEDHUB_LOAD_SOAK_MS scale it up (`npm run bench -- reliability`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Study } from '@fedhub/protocol';
import { HubClient, HubRequestError } from '@fedhub/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { loginWhenUp, quantile, scriptedNode, startHubProcess } from './fault-harness.js';

const NODES = Number(process.env.FEDHUB_LOAD_NODES ?? 200);
const TASKS = Number(process.env.FEDHUB_LOAD_TASKS ?? 1000);
const STUDY_SIZE = 5;
const SOAK_MS = Number(process.env.FEDHUB_LOAD_SOAK_MS ?? 0);
const work = mkdtempSync(join(tmpdir(), 'fedhub-load-'));
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

/** Resident memory of a process, MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

describe('load on one hub process', () => {
  it(
    `${NODES} nodes, ${TASKS} tasks: all complete; latency and memory reported`,
    async () => {
      const hub = await startHubProcess({
        work,
        name: 'hub',
        env: {
          FEDHUB_LOG_LEVEL: 'warn',
          // every simulated node enrols from 127.0.0.1, and one researcher submits everything
          FEDHUB_LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
          FEDHUB_USER_RATE_LIMIT_PER_MINUTE: '1000000',
          FEDHUB_LEASE_MS: '30000',
        },
      });
      cleanups.push(() => hub.stop());
      const pid = hub.child.pid!;
      const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
      const org = await admin.createOrganisation({ name: 'Load Hospital' });
      const collab = await admin.createCollaboration({ name: 'Load', organisationIds: [org.id] });
      const nodes: Awaited<ReturnType<typeof scriptedNode>>[] = [];
      for (let i = 0; i < NODES; i += 20)
        nodes.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(20, NODES - i) }, (_, j) =>
              scriptedNode(admin, hub.url, collab.id, org.id, `Load node ${i + j}`),
            ),
          )),
        );
      const researcher = new HubClient({
        baseUrl: hub.url,
        token: (await admin.createApiToken('load', 1)).token,
      });
      const studies: Study[] = [];
      for (let i = 0; i < NODES / STUDY_SIZE; i++)
        studies.push(
          await admin.createStudy({
            collaborationId: collab.id,
            title: `Load study ${i}`,
            purpose: 'load',
            nodeIds: nodes.slice(i * STUDY_SIZE, (i + 1) * STUDY_SIZE).map((n) => n.id),
            minNodes: 1,
          }),
        );
      const everyone = await admin.createStudy({
        collaborationId: collab.id,
        title: 'Fan-out to every node',
        purpose: 'load',
        minNodes: 1,
      });

      const latency: Record<string, number[]> = { claim: [], result: [], submit: [], health: [] };
      const timed = async <T>(kind: string, fn: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        const r = await fn();
        latency[kind]!.push(performance.now() - t0);
        return r;
      };
      let stop = false;
      let errors = 0;
      const errorKinds = new Map<string, number>();
      let posted = 0;
      // each simulated node behaves as the agent does: a call that times out or fails with 5xx is retried
      // (the result post with the same body: the hub answers a repeat as a duplicate)
      const retrying = async <T>(fn: () => Promise<T>): Promise<T> => {
        for (;;) {
          try {
            return await fn();
          } catch (err) {
            const m = (err as Error).message.slice(0, 120);
            errorKinds.set(m, (errorKinds.get(m) ?? 0) + 1);
            if (!(err instanceof HubRequestError) || (err.status > 0 && err.status < 500) || stop) throw err;
            await sleep(200);
          }
        }
      };
      const loops = nodes.map(async (n) => {
        while (!stop) {
          try {
            const t0 = performance.now();
            const { run } = await retrying(() => n.api.claim(1000));
            if (!run) continue;
            latency.claim!.push(performance.now() - t0);
            await timed('result', () =>
              retrying(() => n.api.postResult(run.runId, n.result(run, { node: n.name }))),
            );
            posted++;
          } catch {
            errors++;
            await sleep(100);
          }
        }
      });
      const probe = (async () => {
        while (!stop) {
          await timed('health', () => fetch(`${hub.url}/health`).then((r) => r.text()));
          await sleep(100);
        }
      })();
      const rss0 = rssMiB(pid);

      // fan-out: one task to all nodes, from submission to the last of its runs posted
      const fanT0 = performance.now();
      const fan = await researcher.createTask({ studyId: everyone.id, algorithm: 'ping', params: {} });
      const fanDone = await researcher.waitForTask(fan.id, { timeoutMs: 120_000 });
      const fanOutMs = performance.now() - fanT0;
      expect(fanDone.status).toBe('completed');
      expect((fanDone.result as { nodes: string[] }).nodes).toHaveLength(NODES);

      // 1,000 tasks, submitted 10 at a time
      const t0 = performance.now();
      const ids: string[] = [];
      for (let i = 0; i < TASKS; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(10, TASKS - i) }, (_, j) =>
            timed('submit', () =>
              researcher.createTask({
                studyId: studies[(i + j) % studies.length]!.id,
                algorithm: 'ping',
                params: {},
              }),
            ),
          ),
        );
        ids.push(...batch.map((t) => t.id));
      }
      const rssMid = rssMiB(pid);
      for (let i = 0; i < 2400; i++) {
        const open = (await researcher.listTasks()).filter((t) => t.status !== 'completed');
        if (open.length === 0) break;
        await sleep(250);
      }
      const allMs = performance.now() - t0;
      const soakSamples: number[] = [];
      if (SOAK_MS > 0) {
        // keep a steady stream of tasks going and watch the hub's memory
        const end = Date.now() + SOAK_MS;
        let k = 0;
        while (Date.now() < end) {
          await researcher.createTask({
            studyId: studies[k++ % studies.length]!.id,
            algorithm: 'ping',
            params: {},
          });
          if (k % 100 === 0) soakSamples.push(rssMiB(pid));
          await sleep(20);
        }
      }
      stop = true;
      await Promise.all([...loops, probe]);
      const rss1 = rssMiB(pid);

      const tasks = await researcher.listTasks();
      const mine = new Set(ids);
      const done = tasks.filter((t) => mine.has(t.id));
      expect(done).toHaveLength(TASKS);
      expect(done.every((t) => t.status === 'completed')).toBe(true);
      // the only refusals a node may get are for attempts whose lease expired while the hub was saturated
      expect(errors, JSON.stringify([...errorKinds])).toBe(
        [...errorKinds].filter(([m]) => /lease/.test(m)).reduce((a, [, c]) => a + c, 0),
      );
      // each task counted each of its nodes exactly once
      const sample = done.filter((_, i) => i % 10 === 0);
      for (const t of sample) {
        const nodesOf = ((await researcher.getTask(t.id)).result as { nodes: string[] }).nodes;
        expect(new Set(nodesOf).size).toBe(STUDY_SIZE);
        expect(nodesOf).toHaveLength(STUDY_SIZE);
      }
      const fmt = (k: string) =>
        `${k} p50 ${quantile(latency[k]!, 0.5).toFixed(1)} ms, p99 ${quantile(latency[k]!, 0.99).toFixed(1)} ms (n=${latency[k]!.length})`;
      console.info(
        `load: ${NODES} nodes, ${TASKS} tasks x ${STUDY_SIZE} runs all completed in ${(allMs / 1000).toFixed(1)} s ` +
          `(${posted} results); fan-out of one task to ${NODES} nodes ${fanOutMs.toFixed(0)} ms; ` +
          `${fmt('submit')}; ${fmt('claim')}; ${fmt('result')}; ${fmt('health')}; ` +
          `client-side retries ${JSON.stringify(Object.fromEntries(errorKinds))}; hub RSS ${rss0.toFixed(0)} -> ${rssMid.toFixed(0)} -> ${rss1.toFixed(0)} MiB` +
          (soakSamples.length
            ? `; soak ${SOAK_MS / 1000} s RSS samples ${soakSamples.map((x) => x.toFixed(0)).join(',')}`
            : ''),
      );
      expect(rss1).toBeLessThan(rss0 + 400);
    },
    600_000 + SOAK_MS,
  );
});

describe('flooding', () => {
  it('answers 429 with Retry-After per user and per address; others and /health stay served', async () => {
    const hub = await startHubProcess({
      work,
      name: 'flood-hub',
      env: {
        FEDHUB_LOG_LEVEL: 'warn',
        FEDHUB_USER_RATE_LIMIT_PER_MINUTE: '120',
        FEDHUB_LOGIN_RATE_LIMIT_PER_MINUTE: '30',
      },
    });
    cleanups.push(() => hub.stop());
    const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
    const org = await admin.createOrganisation({ name: 'Flood Hospital' });
    await admin.createUser({
      username: 'flooder',
      password: 'quartz harbour lantern 91',
      organisationId: org.id,
      roles: ['researcher'],
    });
    await admin.createUser({
      username: 'bystander',
      password: 'copper meadow violin 27',
      organisationId: org.id,
      roles: ['researcher'],
    });
    const flooder = new HubClient({ baseUrl: hub.url });
    const flooderAccess = (await flooder.login('flooder', 'quartz harbour lantern 91')).accessToken;
    const bystanderAccess = (
      await new HubClient({ baseUrl: hub.url }).login('bystander', 'copper meadow violin 27')
    ).accessToken;
    const flooderToken = (await flooder.createApiToken('flood', 1)).token;
    const health: number[] = [];
    const healthStatuses: number[] = [];
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const r = await fetch(`${hub.url}/health`).catch(() => undefined);
        await r?.text();
        healthStatuses.push(r?.status ?? 0);
        health.push(performance.now() - t0);
        await sleep(50);
      }
    })();
    const get = (url: string, token?: string) =>
      fetch(`${hub.url}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    // one user, two tokens (access and API): one budget
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    for (let i = 0; i < 300; i += 20) {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, j) => get('/api/me', j % 2 ? flooderToken : flooderAccess)),
      );
      for (const r of rs) {
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter.push(r.headers.get('retry-after') ?? '');
          expect(((await r.json()) as { code: string }).code).toBe('FH_ERR_RATE_LIMITED');
        } else await r.text();
      }
    }
    const limited = statuses.filter((s) => s === 429).length;
    // the budget is 120 a minute, one of which went on creating the API token
    expect(statuses.filter((s) => s === 200).length).toBe(119);
    expect(limited).toBe(181);
    expect(retryAfter.every((v) => Number(v) > 0)).toBe(true);
    // the bystander is not affected
    expect((await get('/api/me', bystanderAccess)).status).toBe(200);
    // an address without a valid token: forged tokens share one per-IP budget
    const anon = await Promise.all(Array.from({ length: 150 }, (_, i) => get('/api/me', `fha.forged${i}.x`)));
    expect(anon.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(anon.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    // and the login budget per address
    const logins = [];
    for (let i = 0; i < 40; i++)
      logins.push(
        await fetch(`${hub.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `nobody-${i}`, password: 'wrong password here' }),
        }),
      );
    const loginLimited = logins.filter((r) => r.status === 429);
    expect(loginLimited.length).toBeGreaterThan(0);
    expect(loginLimited.every((r) => Number(r.headers.get('retry-after')) > 0)).toBe(true);
    stop = true;
    await probe;
    expect(healthStatuses.every((s) => s === 200)).toBe(true);
    expect(Math.max(...health)).toBeLessThan(200);
    console.info(
      `flooding: ${statuses.length} calls by one user -> ${limited} x 429; ${anon.length} forged-token calls -> ` +
        `${anon.filter((r) => r.status === 429).length} x 429; ${logins.length} logins -> ${loginLimited.length} x 429; ` +
        `/health max ${Math.max(...health).toFixed(1)} ms over ${health.length} probes`,
    );
  }, 120_000);
});
