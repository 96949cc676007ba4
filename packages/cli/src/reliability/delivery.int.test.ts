/**
 * Delivery faults between a node and the hub, through loopback proxies: every result post delivered twice
 * (at once and again a second later) with every request delayed; and a 30 s network partition during
 * which a claimed lease expires (the late result is refused, the new attempt stands) and after which a real
 * node process reconnects by itself and finishes work submitted meanwhile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubRequestError, NodeApiClient } from '@fedhub/sdk';
import { startReplayProxy, startTcpProxy } from '@fedhub/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { startFedhubProcess, stopProcess } from '../child-process.js';
import { type HubProcess, loginWhenUp, scriptedNode, startHubProcess } from './fault-harness.js';

const PARTITION_MS = Number(process.env.FEDHUB_FAULT_PARTITION_MS ?? 30_000);
const LEASE_MS = 2000;
const work = mkdtempSync(join(tmpdir(), 'fedhub-delivery-'));
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let hub: HubProcess & { admin: { username: string; password: string } };

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

async function answered<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof HubRequestError && err.status === 0) || i >= 5) throw err;
      await sleep(200);
    }
  }
}

async function world(name: string) {
  hub ??= await startHubProcess({
    work,
    name: 'hub',
    env: {
      FEDHUB_LEASE_MS: String(LEASE_MS),
      FEDHUB_LEASE_SWEEP_INTERVAL_MS: '200',
      // this test is about leases and reconnection; dropping a silent node is dropout.int.test.ts's subject
      // (with the default grace, a 5-minute partition drops both nodes and fails the task, as it should)
      FEDHUB_DROPOUT_GRACE_MS: String(PARTITION_MS + 120_000),
      FEDHUB_LOG_LEVEL: 'warn',
    },
  });
  if (cleanups.length === 0) cleanups.push(() => hub.stop());
  const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
  const org = await admin.createOrganisation({ name: `${name} Hospital` });
  const collab = await admin.createCollaboration({ name, organisationIds: [org.id] });
  const study = async (minNodes: number) =>
    admin.createStudy({ collaborationId: collab.id, title: name, purpose: 'delivery faults', minNodes });
  return { admin, org, collab, study };
}

function nodeYaml(file: string, hubUrl: string, enrolmentToken: string, dataDir: string): string {
  writeFileSync(
    file,
    [
      `hub: { url: "${hubUrl}", enrolmentToken: "${enrolmentToken}" }`,
      `dataDir: "${dataDir}"`,
      'claimWaitMs: 1000',
      'heartbeatIntervalMs: 1000',
      'log: { level: info }',
      'policy: { minNodes: 1, minOrganisations: 1 }', // not a test of the node's floors
      'datasets: []',
    ].join('\n'),
  );
  return file;
}

describe('delivery faults between node and hub', () => {
  it('stores one result per run when every result post arrives twice, late and delayed', async () => {
    const w = await world('Replay');
    const proxy = await startReplayProxy(hub.url, {
      replay: (method, path) => method === 'POST' && /\/api\/node\/runs\/[^/]+\/result$/.test(path),
      replayDelayMs: 0,
      delayMs: 30,
    });
    const late = await startReplayProxy(hub.url, {
      replay: (method, path) => method === 'POST' && path.endsWith('/result'),
      replayDelayMs: 1000,
    });
    cleanups.push(
      () => proxy.close(),
      () => late.close(),
    );
    const nodes = [];
    for (const [i, p] of [proxy, late].entries()) {
      const created = await w.admin.createNode({
        collaborationId: w.collab.id,
        organisationId: w.org.id,
        name: `Replayed ${i}`,
      });
      const yaml = nodeYaml(
        join(work, `replay-${i}.yaml`),
        p.url,
        created.enrolmentToken,
        join(work, `replay-${i}`),
      );
      const n = await startFedhubProcess(
        ['node', 'start', '--json', '--config', yaml],
        join(work, `replay-${i}.log`),
      );
      cleanups.push(() => stopProcess(n.child));
      nodes.push(n);
    }
    const study = await w.study(2);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push((await w.admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} })).id);
    for (const id of ids) {
      const done = await w.admin.waitForTask(id, { timeoutMs: 30_000 });
      expect(done.status).toBe('completed');
      expect(done.runs).toHaveLength(2);
      expect([...(done.result as { nodes: string[] }).nodes].sort()).toEqual(['Replayed 0', 'Replayed 1']);
    }
    await proxy.settle();
    await late.settle();
    const replayed = [...proxy.replayed, ...late.replayed];
    expect(replayed.length).toBe(20);
    for (const r of replayed) {
      const first = JSON.parse(r.first.body);
      const second = JSON.parse(r.second!.body);
      expect(r.first.status).toBe(200);
      expect(first).toMatchObject({ accepted: true, duplicate: false });
      // the copy gets the same answer, marked as a duplicate, and changes nothing
      expect(r.second!.status).toBe(200);
      expect(second).toEqual({ ...first, duplicate: true });
    }
    const audit = await w.admin.listAudit({ action: 'result.accepted' });
    const runIds = new Set<string>();
    for (const id of ids) for (const run of (await w.admin.getTask(id)).runs) runIds.add(`run:${run.id}`);
    const accepted = audit.filter((e) => e.object !== null && runIds.has(e.object));
    expect(accepted).toHaveLength(20);
    for (const n of nodes) await stopProcess(n.child);
  }, 90_000);

  it(
    `survives a ${PARTITION_MS / 1000} s partition: the late result is refused, a real node reconnects`,
    async () => {
      const w = await world('Partition');
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(hub.url).port) });
      cleanups.push(() => proxy.close());
      const proxied = `http://127.0.0.1:${proxy.port}`;
      // a scripted node behind the proxy holding a claimed run when the partition starts
      const scripted = await scriptedNode(w.admin, proxied, w.collab.id, w.org.id, 'Partitioned scripted');
      const created = await w.admin.createNode({
        collaborationId: w.collab.id,
        organisationId: w.org.id,
        name: 'Partitioned agent',
      });
      const yaml = nodeYaml(
        join(work, 'partition.yaml'),
        proxied,
        created.enrolmentToken,
        join(work, 'partition'),
      );
      const agent = await startFedhubProcess(
        ['node', 'start', '--json', '--config', yaml],
        join(work, 'partition.log'),
      );
      cleanups.push(() => stopProcess(agent.child));
      const study = await w.study(2);
      const first = await w.admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });
      const held = (await scripted.api.claim(5000)).run!;
      expect(held.taskId).toBe(first.id);
      // wait until the agent has posted its part: only the scripted node's run is left open
      for (let i = 0; i < 200; i++) {
        const t = await w.admin.getTask(first.id);
        if (t.runs.find((r) => r.nodeName === 'Partitioned agent')?.status === 'completed') break;
        await sleep(50);
      }

      proxy.partition();
      const t0 = Date.now();
      // submitted during the partition: neither node can see it yet
      const second = await w.admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });
      // the scripted node's heartbeat and post fail while partitioned (bounded by a client timeout)
      const during = new NodeApiClient({ baseUrl: proxied, nodeToken: scripted.token });
      await expect(
        Promise.race([
          during.runHeartbeat(held.runId, held.attempt),
          sleep(3000).then(() => {
            throw new Error('no answer');
          }),
        ]),
      ).rejects.toThrow();
      // the lease expires on the hub's clock and the run goes back to the queue
      for (let i = 0; i < 100; i++) {
        const t = await w.admin.getTask(first.id);
        if (t.runs.some((r) => r.nodeId === scripted.id && r.status === 'queued')) break;
        await sleep(100);
      }
      expect((await w.admin.getTask(first.id)).runs.find((r) => r.nodeId === scripted.id)?.status).toBe(
        'queued',
      );
      await sleep(Math.max(0, PARTITION_MS - (Date.now() - t0)));
      proxy.restore();

      // late result of the lost attempt: refused; the new attempt stands. Connections held through the
      // partition are reset when it ends; like the agent, retry a post that got no answer at all.
      await expect(
        answered(() => scripted.api.postResult(held.runId, scripted.result(held, { node: scripted.name }))),
      ).rejects.toSatisfy((e) => e instanceof HubRequestError && e.code === 'FH_ERR_STALE_ATTEMPT');
      const again = (await answered(() => scripted.api.claim(5000))).run!;
      expect(again.runId).toBe(held.runId);
      expect(again.attempt).toBe(held.attempt + 1);
      await scripted.api.postResult(again.runId, scripted.result(again, { node: scripted.name }));
      const done1 = await w.admin.waitForTask(first.id, { timeoutMs: 20_000 });
      expect(done1.status).toBe('completed');
      // the real agent reconnects with backoff on its own and finishes the task submitted meanwhile
      const restoredAt = Date.now();
      for (;;) {
        const t = await w.admin.getTask(second.id);
        if (t.runs.find((r) => r.nodeName === 'Partitioned agent')?.status === 'completed') break;
        if (Date.now() - restoredAt > 45_000) throw new Error('the agent did not come back within 45 s');
        const run = (await scripted.api.claim(200)).run;
        if (run) await scripted.api.postResult(run.runId, scripted.result(run, { node: scripted.name }));
        await sleep(200);
      }
      const done2 = await w.admin.waitForTask(second.id, { timeoutMs: 20_000 });
      expect(done2.status).toBe('completed');
      expect(agent.child.exitCode).toBeNull();
      console.info(
        `partition ${PARTITION_MS} ms: stale post refused, re-claimed as attempt ${again.attempt}; agent back ${Date.now() - restoredAt} ms after the partition ended`,
      );
    },
    150_000 + PARTITION_MS,
  );
});
