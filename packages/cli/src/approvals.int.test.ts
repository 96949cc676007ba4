/**
 * Approvals at the nodes and the hub's audit checkpoints, with a real hub and two real node processes on
 * loopback: node A decides manually, node B automatically. A run waits at A as pending-approval (without a
 * lease, so it is never re-queued as if A had died, and B is not held up) until A's administrator approves
 * it at the node or through the hub; a denial or a stop refuses with its reason; a new build of an approved
 * version reopens approval; only a node-admin of A's organisation may decide for A through the hub. Last, a
 * hub database restored from an earlier copy is detected against the checkpoints node A kept.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateAdminKeyPem, signAdminStatement } from '@fedhub/crypto';
import { initHub, loadHubConfig } from '@fedhub/hub';
import { ApprovalStore, NodeAuditLog } from '@fedhub/node';
import type { TaskDetail } from '@fedhub/protocol';
import { HubClient, type HubRequestError } from '@fedhub/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN, type Started, startFedhubProcess, stopProcess } from './child-process.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'fedhub-approvals-'));
const hubDir = join(work, 'hub');
const LEASE_MS = 1500;
let hubArgs: string[];
const hubEnv = { ...process.env, FEDHUB_LEASE_MS: String(LEASE_MS), FEDHUB_POLL_INTERVAL_MS: '200' };
let hub: Started;
let admin: HubClient;
let auditEnv: NodeJS.ProcessEnv;
const nodes: Started[] = [];
let ids: { a: string; b: string; orgA: string; orgB: string; collab: string };
const yamlA = join(work, 'node-a.yaml');
const dataA = join(work, 'node-a');
const dataB = join(work, 'node-b');

/** A password that passes the hub's policy: long, not a common one, and without the user name. */
const passwordOf = (username: string) =>
  `Quartz-Lantern-${[...username].map((c) => c.charCodeAt(0)).join('')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

async function fedhub(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout } = await run(process.execPath, [FEDHUB_BIN, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The hub's (and the node processes') copy: the test process loads the algorithms from source, not dist. */
const advertised = async (name: string) => (await admin.listAlgorithms()).find((a) => a.name === name)!;
const runAt = (t: TaskDetail, nodeId: string) => t.runs.find((r) => r.nodeId === nodeId)!;
const pendingAtA = (taskId: string) =>
  until(`task ${taskId} to wait at node A`, async () => {
    const t = await admin.getTask(taskId);
    return runAt(t, ids.a).status === 'pending-approval' ? t : undefined;
  });

async function study(title: string) {
  return admin.createStudy({ collaborationId: ids.collab, title, purpose: 'Approvals test', minNodes: 1 });
}

beforeAll(async () => {
  const port = await freePort();
  hubArgs = ['hub', 'start', '--json', '--data-dir', hubDir, '--port', String(port), '--host', '127.0.0.1'];
  const creds = await initHub(loadHubConfig({}, { dataDir: hubDir }), {
    username: 'admin',
    organisation: 'Hub',
    oneTimePassword: false,
  });
  hub = await startFedhubProcess(hubArgs, join(work, 'hub.log'), 60_000, hubEnv);
  const url = String(hub.ready.url);
  admin = await HubClient.login(url, creds.username, creds.password);
  const orgA = await admin.createOrganisation({ name: 'Hospital A' });
  const orgB = await admin.createOrganisation({ name: 'Hospital B' });
  const collab = await admin.createCollaboration({ name: 'Approvals', organisationIds: [orgA.id, orgB.id] });
  const a = await admin.createNode({ collaborationId: collab.id, organisationId: orgA.id, name: 'Node A' });
  const b = await admin.createNode({ collaborationId: collab.id, organisationId: orgB.id, name: 'Node B' });
  ids = { a: a.node.id, b: b.node.id, orgA: orgA.id, orgB: orgB.id, collab: collab.id };
  for (const [username, organisationId, roles] of [
    ['dora', orgA.id, ['node-admin']],
    ['rita', orgA.id, ['researcher']],
    ['bob', orgB.id, ['node-admin']],
  ] as const)
    await admin.createUser({
      username,
      password: passwordOf(username),
      organisationId,
      roles: [...roles],
    });
  auditEnv = {
    ...process.env,
    FEDHUB_HUB_URL: url,
    FEDHUB_TOKEN: (await admin.createApiToken('auditor', 1)).token,
  };
  const csv = join(work, 'values.csv');
  writeFileSync(csv, `x\n${Array.from({ length: 40 }, (_, i) => i + 1).join('\n')}\n`);
  const config = (token: string, dataDir: string, approvals: object) =>
    JSON.stringify({
      hub: { url, enrolmentToken: token },
      dataDir,
      claimWaitMs: 1000,
      heartbeatIntervalMs: 300,
      policy: { minNodes: 1, minOrganisations: 1 }, // not a test of the node's floors
      approvals,
      datasets: [{ name: 'values', file: csv, dictionary: { columns: [{ name: 'x', type: 'numeric' }] } }],
    });
  writeFileSync(yamlA, config(a.enrolmentToken, dataA, { defaultMode: 'manual' }));
  writeFileSync(join(work, 'node-b.yaml'), config(b.enrolmentToken, dataB, { defaultMode: 'automatic' }));
  for (const n of ['a', 'b'])
    nodes.push(
      await startFedhubProcess(
        ['node', 'start', '--json', '--config', join(work, `node-${n}.yaml`)],
        join(work, `node-${n}.log`),
      ),
    );
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await stopProcess(n.child);
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

describe('approvals at the nodes', () => {
  it('holds a run at a manual node, without a lease, until approved at the node; the automatic node runs it', async () => {
    const s = await study('Manual approval at the node');
    const task = await admin.createTask({
      studyId: s.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    await pendingAtA(task.id);
    // the automatic node is not held up by the manual one
    await until('node B to finish its run', async () =>
      runAt(await admin.getTask(task.id), ids.b).status === 'completed' ? true : undefined,
    );
    // what the node admin sees, at the hub (dashboard inbox and study page) and at the node
    const summary = await advertised('summary');
    const inbox = await admin.nodeApprovals(ids.a);
    expect(inbox.pending).toHaveLength(1);
    expect(inbox.pending[0]).toMatchObject({
      taskId: task.id,
      studyId: s.id,
      algorithm: 'summary',
      version: summary.version,
      digest: summary.digest,
      params: { dataset: 'values', columns: ['x'] },
      variables: ['x'],
      requester: { username: 'admin' },
    });
    expect((await admin.studyApprovals(s.id)).pending.map((p) => p.nodeName)).toEqual(['Node A']);
    const local = JSON.parse((await fedhub(['node', 'approvals', '--config', yamlA, '--json'])).stdout) as {
      pending: Array<{
        taskId: string;
        digest: string;
        variables: string[];
        requester: { username: string };
      }>;
    };
    expect(local.pending).toEqual([
      expect.objectContaining({
        taskId: task.id,
        digest: summary.digest,
        variables: ['x'],
        requester: expect.objectContaining({ username: 'admin' }),
      }),
    ]);
    // longer than a lease: a held run is not re-queued as if the node had died
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    const still = runAt(await admin.getTask(task.id), ids.a);
    expect(still).toMatchObject({ status: 'pending-approval', attempt: 1 });
    const ok = await fedhub(['node', 'approve', '--config', yamlA, '--study', s.id]);
    expect(ok.code, ok.stdout).toBe(0);
    const done = await admin.waitForTask(task.id, { timeoutMs: 15_000 });
    expect(done.status).toBe('completed');
    expect((done.result as { columns: Array<{ n: number }> }).columns[0]!.n).toBe(80);
    // the approval holds for the algorithm version, not for one task
    const again = await admin.createTask({
      studyId: s.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    expect((await admin.waitForTask(again.id, { timeoutMs: 15_000 })).status).toBe('completed');
  }, 60_000);

  it("accepts a decision through the hub only from a node-admin of the node's organisation", async () => {
    const s = await study('Approval through the hub');
    const task = await admin.createTask({ studyId: s.id, algorithm: 'ping', params: {} });
    await pendingAtA(task.id);
    const url = admin.baseUrl;
    const bob = await HubClient.login(url, 'bob', passwordOf('bob'));
    const rita = await HubClient.login(url, 'rita', passwordOf('rita'));
    for (const who of [bob, rita, admin])
      await expect(
        who.decideApproval(ids.a, { studyId: s.id, decision: 'approve', algorithm: 'ping' }),
      ).rejects.toMatchObject({
        status: 403,
        code: 'FH_ERR_FORBIDDEN',
      } satisfies Partial<HubRequestError>);
    const dora = await HubClient.login(url, 'dora', passwordOf('dora'));
    // a node-admin user the hub operator creates in the hospital's organisation cannot decide for it: the
    // node honours only decisions signed by an administrator key enrolled at the node (issue 15, item 6)
    await admin.createUser({
      username: 'mallory',
      password: passwordOf('mallory'),
      organisationId: ids.orgA,
      roles: ['node-admin'],
    });
    const mallory = await HubClient.login(url, 'mallory', passwordOf('mallory'));
    const ping = { studyId: s.id, decision: 'approve' as const, algorithm: 'ping' };
    const unsigned = await mallory.decideApproval(ids.a, ping);
    const ownKey = await mallory.decideApproval(ids.a, {
      ...ping,
      adminSignature: signAdminStatement(generateAdminKeyPem().privateKeyPem, 'mallory', ids.a, ping),
    });
    for (const x of [unsigned, ownKey]) {
      const acked = await until('the node to reject the decision', async () => {
        const y = (await dora.nodeApprovals(ids.a)).decisions.find((z) => z.id === x.id);
        return y?.ack ? y : undefined;
      });
      expect(acked.ack).toMatchObject({ applied: false, reason: expect.stringMatching(/administrator key/) });
    }
    expect(runAt(await admin.getTask(task.id), ids.a).status).toBe('pending-approval');
    // the hospital enrols dora's key at the node; dora signs her decision with it (CLI)
    const keyPrefix = join(work, 'dora');
    expect((await fedhub(['node', 'admins', 'keygen', '--out', keyPrefix])).code).toBe(0);
    const added = await fedhub([
      'node',
      'admins',
      'add',
      '--config',
      yamlA,
      '--name',
      'dora',
      '--public-key',
      `${keyPrefix}.pub`,
    ]);
    expect(added.code, added.stdout).toBe(0);
    const doraEnv = {
      ...process.env,
      FEDHUB_HUB_URL: url,
      FEDHUB_TOKEN: (await dora.createApiToken('approvals', 1)).token,
    };
    const signed = await fedhub(
      [
        'node',
        'admins',
        'decide',
        '--node',
        ids.a,
        '--study',
        s.id,
        '--decision',
        'approve',
        '--algorithm',
        'ping',
        '--key',
        `${keyPrefix}.key`,
        '--key-name',
        'dora',
        '--json',
      ],
      doraEnv,
    );
    expect(signed.code, signed.stdout).toBe(0);
    const d = JSON.parse(signed.stdout) as { id: string; digest: string };
    expect(d.digest).toBe((await advertised('ping')).digest);
    const done = await admin.waitForTask(task.id, { timeoutMs: 15_000 });
    expect(done.status).toBe('completed');
    const acked = await until('the node to acknowledge', async () => {
      const x = (await dora.nodeApprovals(ids.a)).decisions.find((y) => y.id === d.id);
      return x?.ack ? x : undefined;
    });
    expect(acked.ack).toMatchObject({ applied: true });
    // what an auditor gets for this study: record, tasks and runs, approvals, audit entries with their hashes
    const out = join(work, 'study-export.json');
    const exp = await fedhub(['audit', 'export', '--study', s.id, '--out', out], auditEnv);
    expect(exp.code, exp.stdout).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as {
      study: { id: string };
      tasks: TaskDetail[];
      approvals: { decisions: Array<{ id: string }> };
      audit: {
        verification: { ok: boolean };
        checkpoint: { seq: number; headHash: string; at: string; signature: string; hubPublicKey: string };
        entries: Array<{
          seq: number;
          at: string;
          actor: string;
          action: string;
          object: string | null;
          details: unknown;
          prevHash: string;
          hash: string;
        }>;
      };
    };
    expect(bundle.study.id).toBe(s.id);
    expect(bundle.tasks.map((t) => t.id)).toEqual([task.id]);
    expect(bundle.tasks[0]!.runs).toHaveLength(2);
    expect(new Set(bundle.approvals.decisions.map((x) => x.id))).toEqual(
      new Set([unsigned.id, ownKey.id, d.id]),
    );
    expect(bundle.audit.verification.ok).toBe(true);
    const { chainHash, verifyMessage } = await import('@fedhub/crypto');
    const { checkpointSigningString } = await import('@fedhub/protocol');
    const c = bundle.audit.checkpoint;
    expect(verifyMessage(c.hubPublicKey, checkpointSigningString(c), c.signature)).toBe(true);
    const actions = bundle.audit.entries.map((e) => e.action);
    for (const a of [
      'study.created',
      'task.submitted',
      'run.pending-approval',
      'approval.decided',
      'approval.acknowledged',
      'task.finished',
    ])
      expect(actions, a).toContain(a);
    for (const e of bundle.audit.entries)
      expect(
        chainHash(e.prevHash, {
          seq: e.seq,
          at: e.at,
          actor: e.actor,
          action: e.action,
          object: e.object,
          details: e.details,
        }),
      ).toBe(e.hash);
  }, 180_000);

  it('a widening of the study after approval holds its runs again at the node; a narrowing does not', async () => {
    const s = await study('Widening after approval');
    const submit = async () => {
      const t = await admin.createTask({
        studyId: s.id,
        algorithm: 'summary',
        params: { dataset: 'values', columns: ['x'] },
      });
      return t.id;
    };
    const first = await submit();
    await pendingAtA(first);
    const ok = await fedhub(['node', 'approve', '--config', yamlA, '--study', s.id]);
    expect(ok.code, ok.stdout).toBe(0);
    expect((await admin.waitForTask(first, { timeoutMs: 15_000 })).status).toBe('completed');
    // narrowing: an end date where there was none
    await admin.updateStudy(s.id, { endsAt: '2999-12-31' });
    expect((await admin.waitForTask(await submit(), { timeoutMs: 15_000 })).status).toBe('completed');
    // widening: per-node breakdowns allowed; the same approved algorithm waits again at node A
    await admin.updateStudy(s.id, { releasePerNodeBreakdown: true });
    const widened = await submit();
    await pendingAtA(widened);
    const local = JSON.parse((await fedhub(['node', 'approvals', '--config', yamlA, '--json'])).stdout) as {
      pending: Array<{ taskId: string }>;
    };
    expect(local.pending.map((p) => p.taskId)).toContain(widened);
    const again = await fedhub(['node', 'approve', '--config', yamlA, '--study', s.id]);
    expect(again.code, again.stdout).toBe(0);
    expect((await admin.waitForTask(widened, { timeoutMs: 15_000 })).status).toBe('completed');
  }, 180_000);

  it('refuses a denied version with the reason; a new build of an approved version waits again', async () => {
    const s = await study('Deny and new build');
    const summary = await advertised('summary');
    // an approval recorded at the node for the previous build of this version
    const store = new ApprovalStore(dataA);
    store.decideAlgorithm(
      { studyId: s.id, algorithm: 'summary', version: summary.version, digest: 'e'.repeat(64) },
      'approved',
      'test',
    );
    store.close();
    const task = await admin.createTask({
      studyId: s.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    const held = await pendingAtA(task.id);
    expect(held.status).toBe('running');
    const deny = await fedhub([
      'node',
      'deny',
      '--config',
      yamlA,
      '--study',
      s.id,
      '--algorithm',
      'summary',
      '--reason',
      'not in our protocol',
    ]);
    expect(deny.code, deny.stdout).toBe(0);
    const done = await admin.waitForTask(task.id, { timeoutMs: 15_000 });
    expect(done.status).toBe('failed');
    expect(runAt(done, ids.a).error).toMatchObject({
      code: 'FH_ERR_NOT_APPROVED',
      message: expect.stringContaining('not in our protocol'),
    });
  }, 60_000);

  it('refuses every run of a study stopped at the node at once, held or new', async () => {
    const s = await study('Stopped at the node');
    const t1 = await admin.createTask({ studyId: s.id, algorithm: 'ping', params: {} });
    const t2 = await admin.createTask({
      studyId: s.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    await pendingAtA(t1.id);
    await pendingAtA(t2.id);
    const stop = await fedhub([
      'node',
      'stop-study',
      '--config',
      yamlA,
      '--study',
      s.id,
      '--reason',
      'withdrawn by the DPO',
    ]);
    expect(stop.code, stop.stdout).toBe(0);
    const t3 = await admin.createTask({ studyId: s.id, algorithm: 'ping', params: {} });
    for (const t of [t1, t2, t3]) {
      const done = await admin.waitForTask(t.id, { timeoutMs: 15_000 });
      expect(runAt(done, ids.a).error).toMatchObject({
        code: 'FH_ERR_STUDY_STOPPED',
        message: expect.stringContaining('withdrawn by the DPO'),
      });
      expect(runAt(done, ids.b).status).toBe('completed');
    }
    // every decision is in node A's own audit log; node B logged its automatic approvals
    const logA = new NodeAuditLog(dataA);
    const actionsA = logA.entries().map((e) => (e.entry as { action: string }).action);
    logA.close();
    for (const a of ['approval.pending', 'approval.decided', 'approval.refused'])
      expect(actionsA).toContain(a);
    const logB = new NodeAuditLog(dataB);
    expect(logB.entries().some((e) => (e.entry as { action: string }).action === 'approval.granted')).toBe(
      true,
    );
    logB.close();
  }, 60_000);
});

describe('security round two across processes', () => {
  it("refuses the issue's poison task (scoreResolution 2e-7); a normal task of another study completes", async () => {
    const poisonStudy = await admin.createStudy({
      collaborationId: ids.collab,
      title: 'Poison',
      purpose: 'Approvals test',
      minNodes: 1,
      nodeIds: [ids.b],
    });
    await expect(
      admin.createTask({
        studyId: poisonStudy.id,
        algorithm: 'validate',
        params: {
          dataset: 'values',
          outcome: 'x',
          model: { score: 'x' },
          scoreResolution: 2e-7,
        },
      }),
    ).rejects.toMatchObject({ status: 400, code: 'FH_ERR_BAD_PARAMS' } satisfies Partial<HubRequestError>);
    const other = await admin.createStudy({
      collaborationId: ids.collab,
      title: 'Other',
      purpose: 'Approvals test',
      minNodes: 1,
      nodeIds: [ids.b],
    });
    const normal = await admin.createTask({
      studyId: other.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    expect((await admin.waitForTask(normal.id, { timeoutMs: 15_000 })).status).toBe('completed');
  }, 60_000);

  it('revokes access from the CLI: a disabled user can no longer sign in', async () => {
    const u = await admin.createUser({
      username: 'leaver',
      password: passwordOf('leaver'),
      organisationId: ids.orgA,
      roles: ['researcher'],
    });
    const r = await fedhub(
      ['access', 'disable-user', u.id, '--reason', 'left the hospital', '--json'],
      auditEnv,
    );
    expect(r.code, r.stdout).toBe(0);
    await expect(HubClient.login(admin.baseUrl, 'leaver', passwordOf('leaver'))).rejects.toMatchObject({
      code: 'FH_ERR_ACCOUNT_DISABLED',
    });
  }, 60_000);
});

describe('hub audit checkpoints at the nodes', () => {
  it("detects a hub database restored from an earlier copy against node A's checkpoints", async () => {
    const verify = async () => {
      const r = await fedhub(['audit', 'verify', '--checkpoints', dataA, '--json'], auditEnv);
      return {
        code: r.code,
        out: JSON.parse(r.stdout) as {
          ok: boolean;
          chainOk: boolean;
          checkpoints: { count: number; problems: string[] };
        },
      };
    };
    // a backup now (the hub stopped for a consistent copy), then more activity the nodes checkpoint
    await stopProcess(hub.child);
    const backup = join(work, 'hub-backup.sqlite');
    copyFileSync(join(hubDir, 'hub.sqlite'), backup);
    hub = await startFedhubProcess(hubArgs, join(work, 'hub.log'), 60_000, hubEnv);
    const s = await study('After the backup');
    const t = await admin.createTask({ studyId: s.id, algorithm: 'ping', params: {} });
    await pendingAtA(t.id);
    const head = await admin.auditCheckpoint();
    // node A keeps checkpoints on its heartbeat; wait for one past the backup
    const before = await until('node A to keep a recent checkpoint', async () => {
      const v = await verify();
      return v.out.checkpoints.count > 0 && v.out.ok ? v : undefined;
    });
    expect(before.code).toBe(0);
    await until('a checkpoint of the current head', async () => {
      const { CheckpointStore } = await import('@fedhub/node');
      const cs = new CheckpointStore(dataA);
      const seen = cs.list().some((c) => c.seq >= head.seq);
      cs.close();
      return seen ? true : undefined;
    });
    // restore the earlier copy: on its own, the restored chain still verifies
    await stopProcess(hub.child);
    for (const f of ['hub.sqlite-wal', 'hub.sqlite-shm'])
      if (existsSync(join(hubDir, f))) rmSync(join(hubDir, f));
    copyFileSync(backup, join(hubDir, 'hub.sqlite'));
    hub = await startFedhubProcess(hubArgs, join(work, 'hub.log'), 60_000, hubEnv);
    const after = await verify();
    expect(after.out.chainOk).toBe(true);
    expect(after.out.ok).toBe(false);
    expect(after.code).toBe(2);
    expect(after.out.checkpoints.problems.join('\n')).toContain('ROLLED BACK');
    // the same from a file the node exported for an auditor
    const file = join(work, 'checkpoints.json');
    expect((await fedhub(['audit', 'checkpoints', '--node-config', yamlA, '--out', file])).code).toBe(0);
    const fromFile = await fedhub(['audit', 'verify', '--checkpoints', file], auditEnv);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stdout).toContain('ROLLED BACK');
    // the node notices by itself on its next heartbeat, and says so in its own log
    await until('node A to log the rollback', async () => {
      const log = new NodeAuditLog(dataA);
      const seen = log
        .entries()
        .some((e) => (e.entry as { action: string }).action === 'hub.checkpoint-problem');
      log.close();
      return seen ? true : undefined;
    });
  }, 90_000);
});
