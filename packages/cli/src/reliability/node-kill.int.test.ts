/**
 * A real node process killed (SIGKILL) at random points 50 times and restarted, while summary tasks keep
 * arriving: every task completes, and the node's rows count exactly once in each result (n and mean equal
 * those of the file), however many attempts the run took.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Started, startFedhubProcess, stopProcess } from '../child-process.js';
import { loginWhenUp, startHubProcess } from './fault-harness.js';

const KILLS = Number(process.env.FEDHUB_FAULT_NODE_KILLS ?? 50);
const LEASE_MS = 1500;
const ROWS = 50;
const work = mkdtempSync(join(tmpdir(), 'fedhub-node-kill-'));
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

describe('node killed at random points and restarted', () => {
  it(`counts every contribution once over ${KILLS} kills`, async () => {
    const hub = await startHubProcess({
      work,
      name: 'hub',
      env: {
        FEDHUB_LEASE_MS: String(LEASE_MS),
        FEDHUB_LEASE_SWEEP_INTERVAL_MS: '200',
        // a run may be cut several times in 50 random kills: the attempt limit (a poison-task guard, tested
        // in approvals.int.test.ts and the lease sweeper's tests) is not this test's subject
        FEDHUB_MAX_RUN_ATTEMPTS: '100',
        FEDHUB_LOG_LEVEL: 'warn',
      },
    });
    cleanups.push(() => hub.stop());
    const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
    const org = await admin.createOrganisation({ name: 'Node-kill Hospital' });
    const collab = await admin.createCollaboration({ name: 'Node kill', organisationIds: [org.id] });
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'Killed',
    });
    const csv = join(work, 'values.csv');
    writeFileSync(csv, `x\n${Array.from({ length: ROWS }, (_, i) => i + 1).join('\n')}\n`);
    const yaml = join(work, 'node.yaml');
    writeFileSync(
      yaml,
      [
        `hub: { url: "${hub.url}", enrolmentToken: "${created.enrolmentToken}" }`,
        `dataDir: "${join(work, 'node')}"`,
        'claimWaitMs: 500',
        'log: { level: warn }',
        'policy: { minNodes: 1, minOrganisations: 1 }', // not a test of the node's floors
        'datasets:',
        `  - { name: values, file: "${csv}", dictionary: { columns: [{ name: x, type: numeric }] } }`,
      ].join('\n'),
    );
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Node kill',
      purpose: 'kill the node at random points',
      minNodes: 1,
    });
    const start = () =>
      startFedhubProcess(['node', 'start', '--json', '--config', yaml], join(work, 'node.log'));
    let node: Started = await start();
    cleanups.push(() => stopProcess(node.child));

    const tasks: string[] = [];
    const submit = async () => {
      const t = await admin.createTask({
        studyId: study.id,
        algorithm: 'summary',
        params: { dataset: 'values', columns: ['x'] },
      });
      tasks.push(t.id);
    };
    const open = async () => {
      const list = await admin.listTasks(study.id);
      return list.filter((t) => t.status === 'running').length; // a task is running from submission: there is no queued task status
    };
    for (let k = 0; k < KILLS; k++) {
      while ((await open()) < 2) await submit();
      // anywhere from "still loading its datasets" to "posting its result"
      await sleep(Math.random() * 700);
      const gone = new Promise((r) => node.child.once('exit', r));
      node.child.kill('SIGKILL');
      await gone;
      node = await start();
    }
    const t0 = Date.now();
    for (let i = 0; i < 400 && (await open()) > 0; i++) await sleep(50);
    const drainMs = Date.now() - t0;
    let retried = 0;
    for (const id of tasks) {
      const done = await admin.getTask(id);
      expect(done.status, `task ${id}`).toBe('completed');
      expect(done.runs).toHaveLength(1);
      if (done.runs[0]!.attempt > 1) retried++;
      const col = (done.result as { columns: Array<{ n: number; mean: number }> }).columns[0]!;
      expect(col.n).toBe(ROWS);
      expect(col.mean).toBe((ROWS + 1) / 2);
    }
    expect((await admin.verifyAudit()).ok).toBe(true);
    console.info(
      `node: ${KILLS} SIGKILLs, ${tasks.length} tasks all completed once (${retried} needed a second attempt), ` +
        `drained ${drainMs} ms after the last restart`,
    );
  }, 400_000);
});
