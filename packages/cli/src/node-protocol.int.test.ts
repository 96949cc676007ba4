/**
 * The node protocol against a real hub process on loopback, driven by a scripted node: lease expiry and
 * re-claim, a stale attempt refused, a tampered signature refused, a duplicate result stored once; and a
 * real node process killed mid-task and restarted, whose contribution then counts exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys, sha256Hex, signMessage } from '@fedhub/crypto';
import { initHub, loadHubConfig } from '@fedhub/hub';
import { canonicalJson, type RunAssignment, resultSigningString } from '@fedhub/protocol';
import { HubClient, HubRequestError, NodeApiClient } from '@fedhub/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, startFedhubProcess, stopProcess } from './child-process.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-protocol-'));
const LEASE_MS = 1500;
let hub: Started;
let admin: HubClient;
let hubUrl: string;

beforeAll(async () => {
  const dataDir = join(work, 'hub');
  const config = loadHubConfig({}, { dataDir });
  const creds = await initHub(config, { username: 'admin', organisation: 'Hub', oneTimePassword: false });
  hub = await startFedhubProcess(
    ['hub', 'start', '--json', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'],
    join(work, 'hub.log'),
    60_000,
    {
      ...process.env,
      FEDHUB_LEASE_MS: String(LEASE_MS),
    },
  );
  hubUrl = String(hub.ready.url);
  admin = await HubClient.login(hubUrl, creds.username, creds.password);
}, 120_000);

afterAll(async () => {
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

/** A node driven step by step from the test. */
async function scriptedNode(collaborationId: string, organisationId: string, name: string) {
  const created = await admin.createNode({ collaborationId, organisationId, name });
  const keys = generateNodeKeys();
  const api = new NodeApiClient({ baseUrl: hubUrl });
  const enrolled = await api.enrol({
    enrolmentToken: created.enrolmentToken,
    publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
    version: 'test',
  });
  api.setToken(enrolled.nodeToken);
  await api.heartbeat({ version: 'test', clock: new Date().toISOString(), datasets: [] });
  const result = (run: RunAssignment, payload: unknown, signWith = keys.ed25519.privateKey) => {
    const digest = sha256Hex(canonicalJson(payload));
    const signature = signMessage(
      signWith,
      resultSigningString({
        taskId: run.taskId,
        runId: run.runId,
        round: run.round,
        attempt: run.attempt,
        outcome: 'completed',
        digest,
      }),
    );
    return {
      attempt: run.attempt,
      round: run.round,
      outcome: 'completed' as const,
      payload: payload as never,
      error: null,
      digest,
      signature,
    };
  };
  return { api, keys, result, id: enrolled.nodeId };
}

function codeOf(err: unknown): string | undefined {
  return err instanceof HubRequestError ? `${err.status} ${err.code}` : String(err);
}

describe('node protocol on a real hub process', () => {
  it('re-queues an expired lease, refuses the stale attempt and a forged signature, stores a duplicate once', async () => {
    const org = await admin.createOrganisation({ name: 'Protocol Hospital' });
    const collab = await admin.createCollaboration({ name: 'Protocol test', organisationIds: [org.id] });
    const node = await scriptedNode(collab.id, org.id, 'Scripted node');
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Protocol study',
      purpose: 'Testing the node protocol',
      minNodes: 1,
    });
    const task = await admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });

    const first = (await node.api.claim(2000)).run!;
    expect(first.attempt).toBe(1);
    expect(first.taskId).toBe(task.id);
    // no heartbeat: the lease expires on the hub's clock and the run is re-queued
    await new Promise((r) => setTimeout(r, LEASE_MS + 700));
    const second = (await node.api.claim(5000)).run!;
    expect(second.runId).toBe(first.runId);
    expect(second.attempt).toBe(2);

    await expect(
      node.api.postResult(first.runId, node.result(first, { node: 'Scripted node' })),
    ).rejects.toSatisfy((e) => codeOf(e) === '409 FH_ERR_STALE_ATTEMPT');
    const forged = node.result(second, { node: 'Scripted node' }, generateNodeKeys().ed25519.privateKey);
    await expect(node.api.postResult(second.runId, forged)).rejects.toSatisfy(
      (e) => codeOf(e) === '422 FH_ERR_SIGNATURE',
    );
    const tampered = {
      ...node.result(second, { node: 'Scripted node' }),
      payload: { node: 'someone else' } as never,
    };
    await expect(node.api.postResult(second.runId, tampered)).rejects.toSatisfy(
      (e) => codeOf(e) === '422 FH_ERR_DIGEST',
    );

    const good = node.result(second, { node: 'Scripted node' });
    const a = await node.api.postResult(second.runId, good);
    const b = await node.api.postResult(second.runId, good);
    expect(a).toMatchObject({ accepted: true, duplicate: false });
    expect(b).toMatchObject({ accepted: true, duplicate: true });
    const done = await admin.waitForTask(task.id, { timeoutMs: 10_000 });
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ algorithm: 'ping', nodes: ['Scripted node'] });
    expect(done.runs).toHaveLength(1);
    expect(done.runs[0]).toMatchObject({ attempt: 2, status: 'completed' });
  }, 60_000);

  it('keeps a lease alive with heartbeats and refuses heartbeats of a superseded attempt', async () => {
    const org = await admin.createOrganisation({ name: 'Heartbeat Hospital' });
    const collab = await admin.createCollaboration({ name: 'Heartbeat test', organisationIds: [org.id] });
    const node = await scriptedNode(collab.id, org.id, 'Heartbeat node');
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Heartbeat study',
      purpose: 'Testing leases',
      minNodes: 1,
    });
    const task = await admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });
    const run = (await node.api.claim(2000)).run!;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, LEASE_MS / 3));
      // the run's progress (cases done / total) rides on its heartbeats, and the task's runs show it
      await node.api.runHeartbeat(run.runId, run.attempt, { done: 10 * (i + 1), total: 40 });
    }
    expect((await admin.getTask(task.id)).runs[0]?.progress).toEqual({ done: 40, total: 40 });
    // still ours after more than one lease period
    const res = await node.api.postResult(run.runId, node.result(run, { node: 'Heartbeat node' }));
    expect(res.accepted).toBe(true);
    expect((await admin.waitForTask(task.id, { timeoutMs: 10_000 })).status).toBe('completed');
    await expect(node.api.runHeartbeat(run.runId, run.attempt + 1)).rejects.toSatisfy(
      (e) => codeOf(e)?.startsWith('409') === true,
    );
  }, 60_000);

  it('refuses a second enrolment with the same one-time token', async () => {
    const org = await admin.createOrganisation({ name: 'Enrol Hospital' });
    const collab = await admin.createCollaboration({ name: 'Enrol test', organisationIds: [org.id] });
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'Enrol node',
    });
    const keys = generateNodeKeys();
    const body = {
      enrolmentToken: created.enrolmentToken,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: 'test',
    };
    await new NodeApiClient({ baseUrl: hubUrl }).enrol(body);
    await expect(new NodeApiClient({ baseUrl: hubUrl }).enrol(body)).rejects.toSatisfy(
      (e) => codeOf(e) === '401 FH_ERR_ENROLMENT',
    );
  });

  it('counts a node killed mid-task exactly once after it restarts', async () => {
    const org = await admin.createOrganisation({ name: 'Restart Hospital' });
    const collab = await admin.createCollaboration({ name: 'Restart test', organisationIds: [org.id] });
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'Restart node',
    });
    const csv = join(work, 'restart.csv');
    writeFileSync(csv, `x\n${Array.from({ length: 50 }, (_, i) => i + 1).join('\n')}\n`);
    const yaml = join(work, 'restart-node.yaml');
    writeFileSync(
      yaml,
      [
        `hub: { url: "${hubUrl}", enrolmentToken: "${created.enrolmentToken}" }`,
        `dataDir: "${join(work, 'restart-node')}"`,
        'claimWaitMs: 1000',
        'policy: { minNodes: 1, minOrganisations: 1 }', // not a test of the node's floors
        'datasets:',
        `  - { name: values, file: "${csv}", dictionary: { columns: [{ name: x, type: numeric }] } }`,
      ].join('\n'),
    );
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Restart study',
      purpose: 'Kill a node mid-task',
      minNodes: 1,
    });
    let node = await startFedhubProcess(
      ['node', 'start', '--json', '--config', yaml],
      join(work, 'restart-node.log'),
    );
    // kill the node as soon as it has claimed the run, before it can post
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    for (let i = 0; i < 200; i++) {
      const t = await admin.getTask(task.id);
      if (t.runs.some((r) => r.status !== 'queued')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    node.child.kill('SIGKILL');
    node = await startFedhubProcess(
      ['node', 'start', '--json', '--config', yaml],
      join(work, 'restart-node.log'),
    );
    try {
      const done = await admin.waitForTask(task.id, { timeoutMs: 30_000 });
      expect(done.status).toBe('completed');
      const col = (done.result as { columns: Array<{ n: number; mean: number }> }).columns[0]!;
      expect(col.n).toBe(50);
      expect(col.mean).toBe(25.5);
    } finally {
      await stopProcess(node.child);
    }
  }, 90_000);

  it('finishes a multi-round task after the hub is killed mid-task and restarted on the same data', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dataDir = join(work, 'hub-killed');
    const creds = await initHub(loadHubConfig({}, { dataDir }), {
      username: 'admin',
      organisation: 'Hub',
      oneTimePassword: false,
    });
    const env = { ...process.env, FEDHUB_LEASE_MS: String(LEASE_MS) };
    const args = [
      'hub',
      'start',
      '--json',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ];
    let hub2 = await startFedhubProcess(args, join(work, 'hub-killed.log'), 60_000, env);
    const url = String(hub2.ready.url);
    const client = await HubClient.login(url, creds.username, creds.password);
    const org = await client.createOrganisation({ name: 'Killed-hub Hospital' });
    const collab = await client.createCollaboration({ name: 'Killed hub', organisationIds: [org.id] });
    const created = await client.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'Survivor node',
    });
    const { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } = await import('@fedhub/testkit');
    const csv = join(work, 'killed.csv');
    writeFileSync(csv, toCsv(generateCohort(DEMO_CENTRES[0]!, 300, 5)));
    const yaml = join(work, 'killed-node.yaml');
    writeFileSync(
      yaml,
      JSON.stringify({
        hub: { url, enrolmentToken: created.enrolmentToken },
        dataDir: join(work, 'killed-node'),
        claimWaitMs: 1000,
        policy: { minNodes: 1, minOrganisations: 1 }, // not a test of the node's floors
        datasets: [{ name: 'cohort', file: csv, dictionary: { columns: COHORT_DICTIONARY } }],
      }),
    );
    const node = await startFedhubProcess(
      ['node', 'start', '--json', '--config', yaml],
      join(work, 'killed-node.log'),
    );
    try {
      const study = await client.createStudy({
        collaborationId: collab.id,
        title: 'Killed hub study',
        purpose: 'Kill the hub mid-task',
        minNodes: 1,
      });
      const params = {
        dataset: 'cohort',
        formula: 'toxicity ~ dose_gy + age + sex + stage',
        family: 'binomial' as const,
      };
      const task = await client.createTask({ studyId: study.id, algorithm: 'glm', params });
      for (let i = 0; i < 400; i++) {
        if ((await client.getTask(task.id)).round >= 2) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      hub2.child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      hub2 = await startFedhubProcess(args, join(work, 'hub-killed.log'), 60_000, env);
      const done = await client.waitForTask(task.id, { timeoutMs: 60_000 });
      expect(done.status).toBe('completed');
      // the same fit without any interruption, directly on the same file
      const { DatasetStore, runLocalFederation } = await import('@fedhub/node');
      const { DisclosurePolicySchema } = await import('@fedhub/protocol');
      const store = await DatasetStore.open([
        { name: 'cohort', file: csv, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
      ]);
      const ref = await runLocalFederation('glm', params, [
        {
          id: 'x',
          name: 'x',
          datasets: store,
          keys: generateNodeKeys(),
          policy: DisclosurePolicySchema.parse({}),
          floors: { minNodes: 1, minOrganisations: 1 } /* the pooled reference fit */,
        },
      ]);
      store.close();
      const got = (done.result as { coefficients: Array<{ estimate: number }> }).coefficients.map(
        (c) => c.estimate,
      );
      const want = (ref.result as { coefficients: Array<{ estimate: number }> }).coefficients.map(
        (c) => c.estimate,
      );
      for (const [i, g] of got.entries())
        expect(Math.abs(g - want[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(want[i]!)));
    } finally {
      await stopProcess(node.child);
      await stopProcess(hub2.child);
    }
  }, 120_000);

  it('verifies the hub chain and a node chain from the CLI, and finds a tampered node entry', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const run = promisify(execFile);
    const { FEDHUB_BIN } = await import('./child-process.js');
    const token = (await admin.createApiToken('audit test', 1)).token;
    const env = { ...process.env, FEDHUB_HUB_URL: hubUrl, FEDHUB_TOKEN: token };
    const hubCheck = JSON.parse(
      (await run(process.execPath, [FEDHUB_BIN, 'audit', 'verify', '--json'], { env })).stdout,
    ) as { ok: boolean; count: number };
    expect(hubCheck.ok).toBe(true);
    expect(hubCheck.count).toBeGreaterThan(10);
    const submitted = JSON.parse(
      (
        await run(process.execPath, [FEDHUB_BIN, 'audit', 'list', '--action', 'task.submitted', '--json'], {
          env,
        })
      ).stdout,
    ) as unknown[];
    expect(submitted.length).toBeGreaterThanOrEqual(3);
    // the node that ran the restart test keeps its own chain: intact, then edited
    const yaml = join(work, 'restart-node.yaml');
    const ok = JSON.parse(
      (await run(process.execPath, [FEDHUB_BIN, 'audit', 'verify', '--node-config', yaml, '--json'])).stdout,
    ) as { ok: boolean; count: number };
    expect(ok).toMatchObject({ ok: true });
    expect(ok.count).toBeGreaterThanOrEqual(1);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(work, 'restart-node', 'node-audit.sqlite'));
    db.prepare(
      `UPDATE audit SET entry = replace(entry, '"action":"', '"action":"forged.') WHERE seq = (SELECT max(seq) FROM audit)`,
    ).run();
    db.close();
    await expect(
      run(process.execPath, [FEDHUB_BIN, 'audit', 'verify', '--node-config', yaml]),
    ).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('BROKEN') });
  }, 60_000);
});
