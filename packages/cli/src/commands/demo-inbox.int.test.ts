/**
 * The demo's inbox walk, end to end with the demo's real processes: `fedhub demo` prints which node
 * administrator to sign in as and which key file to load; a new analysis waits at the hospital that
 * approves by hand; the administrator approves it with that file through the dashboard's own signing code
 * (api/admin-signing.ts, WebCrypto) and the SDK call the inbox makes; the node applies the decision and
 * the analysis completes. Before this, the demo enrolled no key and every inbox decision was rejected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApprovalDecision, CreateStudyRequest } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdminKey, setCurrentAdminKey, withAdminSignature } from '../../../web/src/api/admin-signing.js';
import { FEDHUB_BIN } from '../child-process.js';
import { DEMO_STUDY } from './demo.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-demo-inbox-'));
let demo: ChildProcess | undefined;
let out = '';

/** Starts `fedhub demo` (kept running) and resolves with its output once it has run its analyses. */
function startDemo(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEDHUB_BIN, 'demo', '--dir', join(work, 'demo'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    demo = child;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl+C to stop.')) resolve(out);
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`fedhub demo exited (${code}) before it was ready:\n${out}`)),
    );
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  await startDemo();
}, 240_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo!.once('exit', r));
    demo.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  rmSync(work, { recursive: true, force: true });
});

describe('fedhub demo: the node administrator decides in the inbox', () => {
  it('prints the manual hospital admin and its key file; a decision signed with it is applied', async () => {
    const hubUrl = /hub running at (\S+)/.exec(out)![1]!;
    const adminPassword = /\(password: (\S+?)\)$/m.exec(out)![1]!;
    // the last lines name each hospital's administrator; the one that approves by hand comes first
    const m = /^ {2}(.+) \(manual\): user (\S+), password (\S+), key file (.+)$/m.exec(out);
    expect(m, out.slice(-3000)).not.toBeNull();
    const [, nodeName, username, password, keyFile] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // a new study of the demo's collaboration: its first analysis waits at the manual hospital
    const admin = await HubClient.login(hubUrl, 'admin', adminPassword);
    const [collab] = await admin.listCollaborations();
    const study = await admin.createStudy({
      collaborationId: collab!.id,
      ...(structuredClone(DEMO_STUDY) as unknown as Omit<CreateStudyRequest, 'collaborationId'>),
      title: 'Inbox walk (test)',
    });
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] },
    });
    const nodeAdmin = await HubClient.login(hubUrl, username, password);
    const node = (await nodeAdmin.listNodes(collab!.id)).find((n) => n.name === nodeName)!;
    const held = await until('the run held at the manual node', async () =>
      (await nodeAdmin.nodeApprovals(node.id)).pending.find((p) => p.taskId === task.id),
    );

    // what the inbox does: the PEM file loaded in "Your administrator key", the decision signed and sent
    setCurrentAdminKey(await loadAdminKey(username, readFileSync(keyFile, 'utf8')));
    const body = {
      studyId: study.id,
      decision: 'approve' as const,
      algorithm: held.algorithm,
      version: held.version,
    };
    const decision = await nodeAdmin.decideApproval(node.id, await withAdminSignature(node.id, body));
    setCurrentAdminKey(null);
    expect(decision.adminSignature?.keyName).toBe(username);

    const ack = await until<NonNullable<ApprovalDecision['ack']>>(
      'the node to answer the decision',
      async () => {
        const d = (await nodeAdmin.nodeApprovals(node.id)).decisions.find((x) => x.id === decision.id);
        return d?.ack ?? undefined;
      },
    );
    expect(ack.reason).toBeNull();
    expect(ack.applied).toBe(true);
    const done = await until('the task to finish', async () => {
      const t = await admin.getTask(task.id);
      return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
    });
    expect(done.status).toBe('completed');
  }, 240_000);
});
