/**
 * Node clocks and graceful shutdown, with real processes:
 * - a node whose clock is 20 s off works (leases run on the hub's clock); one 15 min off stops at start
 *   with a clear FH_ERR_CLOCK_SKEW error instead of working with a wrong clock;
 * - SIGTERM to the hub answers the requests in flight (a waiting claim returns "no work"), and exits
 *   within 30 s; SIGTERM to a node that holds a run finishes and posts it, leaves nothing claimed, and
 *   exits within 30 s.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NodeApiClient } from '@fedhub/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN, type Started, startFedhubProcess, stopProcess } from '../child-process.js';
import { loginWhenUp, scriptedNode, startHubProcess } from './fault-harness.js';

const execFileP = promisify(execFile);
const SKEW_PRELOAD = fileURLToPath(new URL('../../../testkit/dist/faults/skew-clock.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fedhub-clock-'));
const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

function exitOf(child: Started['child']): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

async function setUp(name: string) {
  const hub = await startHubProcess({
    work,
    name,
    env: { FEDHUB_LEASE_MS: '3000', FEDHUB_LEASE_SWEEP_INTERVAL_MS: '200', FEDHUB_LOG_LEVEL: 'info' },
  });
  cleanups.push(() => hub.stop());
  const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
  const org = await admin.createOrganisation({ name: `${name} Hospital` });
  const collab = await admin.createCollaboration({ name, organisationIds: [org.id] });
  const csv = join(work, `${name}.csv`);
  writeFileSync(csv, `x\n${Array.from({ length: 200_000 }, (_, i) => i % 97).join('\n')}\n`);
  const node = async (nodeName: string, env: Record<string, string> = {}) => {
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: nodeName,
    });
    const yaml = join(work, `${nodeName}.yaml`);
    writeFileSync(
      yaml,
      [
        `hub: { url: "${hub.url}", enrolmentToken: "${created.enrolmentToken}" }`,
        `dataDir: "${join(work, nodeName)}"`,
        'claimWaitMs: 5000',
        'heartbeatIntervalMs: 1000',
        'policy: { minNodes: 1, minOrganisations: 1 }', // not a test of the node's floors
        'datasets:',
        `  - { name: values, file: "${csv}", dictionary: { columns: [{ name: x, type: numeric }] } }`,
      ].join('\n'),
    );
    const log = join(work, `${nodeName}.log`);
    return {
      log,
      yaml,
      id: created.node.id,
      start: () =>
        startFedhubProcess(['node', 'start', '--json', '--config', yaml], log, 60_000, {
          ...process.env,
          ...env,
        }),
    };
  };
  const study = (minNodes: number) =>
    admin.createStudy({ collaborationId: collab.id, title: name, purpose: 'clocks and shutdown', minNodes });
  return { hub, admin, org, collab, node, study };
}

const skewed = (ms: number) => ({
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${SKEW_PRELOAD}`.trim(),
  FEDHUB_TEST_CLOCK_SKEW_MS: String(ms),
});

describe('node clock skew', () => {
  it('works 20 s off, and fails closed with a clear error 15 min off', async () => {
    const w = await setUp('Skew');
    const ahead = await w.node('Ahead 20 s', skewed(20_000));
    const behind = await w.node('Behind 20 s', skewed(-20_000));
    const a = await ahead.start();
    const b = await behind.start();
    cleanups.push(
      () => stopProcess(a.child),
      () => stopProcess(b.child),
    );
    const study = await w.study(2);
    const task = await w.admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    const done = await w.admin.waitForTask(task.id, { timeoutMs: 30_000 });
    expect(done.status).toBe('completed');
    expect((done.result as { columns: Array<{ n: number }> }).columns[0]!.n).toBe(400_000);

    for (const [label, ms] of [
      ['Ahead 15 min', 15 * 60_000],
      ['Behind 15 min', -15 * 60_000],
    ] as const) {
      const far = await w.node(label, skewed(ms));
      // the node refuses to start: a non-zero exit, its coded error on stdout (--json) and in its log
      const out = await execFileP(
        process.execPath,
        [FEDHUB_BIN, 'node', 'start', '--json', '--config', far.yaml],
        {
          env: { ...process.env, ...skewed(ms) },
          timeout: 60_000,
        },
      ).then(
        () => {
          throw new Error(`the node ${label} started`);
        },
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
      expect(out.code).toBe(1);
      const error = JSON.parse(out.stdout) as { error?: { code: string; message: string }; code?: string };
      expect(JSON.stringify(error)).toContain('FH_ERR_CLOCK_SKEW');
      const log = out.stderr;
      expect(log).toMatch(/clock/i);
      expect(log).toContain('NTP');
      // no stack trace for an expected, explained failure
      expect(log).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    }
  }, 120_000);
});

describe('graceful shutdown on SIGTERM', () => {
  it('a node holding a run finishes and posts it, releases nothing half-done, and exits in 30 s', async () => {
    const w = await setUp('Shutdown node');
    const n = await w.node('Stopping node');
    const proc = await n.start();
    cleanups.push(() => stopProcess(proc.child));
    const study = await w.study(1);
    const task = await w.admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    // wait until the node holds the run (a loaded machine may take seconds to claim it)
    let claimed = false;
    for (const deadline = Date.now() + 60_000; !claimed && Date.now() < deadline; ) {
      const t = await w.admin.getTask(task.id);
      claimed = t.runs.some((r) => r.status !== 'queued');
      if (!claimed) await sleep(5);
    }
    expect(claimed, 'the node claimed the run before SIGTERM').toBe(true);
    const t0 = Date.now();
    const exited = exitOf(proc.child);
    proc.child.kill('SIGTERM');
    const { code } = await exited;
    const ms = Date.now() - t0;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(30_000);
    const t = await w.admin.getTask(task.id);
    // the run in progress was finished and posted before the node exited: nothing left claimed
    expect(t.runs.map((r) => r.status)).toEqual(['completed']);
    expect(t.status).toBe('completed');
    // and a task submitted after the node stopped waits for it, unclaimed
    const later = await w.admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'values', columns: ['x'] },
    });
    await sleep(500);
    expect((await w.admin.getTask(later.id)).runs.map((r) => r.status)).toEqual(['queued']);
    console.info(`node SIGTERM with a run in progress: run posted, exit 0 after ${ms} ms`);
  }, 120_000);

  it('the hub answers requests in flight and exits in 30 s', async () => {
    const w = await setUp('Shutdown hub');
    const node = await scriptedNode(w.admin, w.hub.url, w.collab.id, w.org.id, 'Waiting node');
    const study = await w.study(1);
    const api = new NodeApiClient({ baseUrl: w.hub.url, nodeToken: node.token });
    // a claim long-poll (20 s) and a task long-poll in flight when the signal comes
    const claim = api.claim(20_000);
    const task = await w.admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });
    const run = (await claim).run!;
    const waitingClaim = api.claim(20_000);
    const waitingTask = fetch(`${w.hub.url}/api/tasks/${task.id}/wait?since=999999&timeoutMs=20000`, {
      headers: { authorization: `Bearer ${(await w.admin.createApiToken('wait', 1)).token}` },
    });
    await sleep(300);
    const t0 = Date.now();
    const exited = exitOf(w.hub.child);
    w.hub.child.kill('SIGTERM');
    // both are answered rather than cut
    expect((await waitingClaim).run).toBeNull();
    expect((await waitingTask).status).toBe(200);
    const { code } = await exited;
    const ms = Date.now() - t0;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(30_000);
    // the claimed run stays leased on the hub's clock; after a restart the node posts it normally
    await w.hub.restart();
    const res = await api.postResult(run.runId, node.result(run, { node: node.name }));
    expect(res.accepted).toBe(true);
    expect((await w.admin.waitForTask(task.id, { timeoutMs: 10_000 })).status).toBe('completed');
    console.info(`hub SIGTERM with two long-polls in flight: both answered, exit 0 after ${ms} ms`);
  }, 120_000);
});
