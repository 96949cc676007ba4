/**
 * The node agent against a real hub on loopback (in this process): a run from claim to posted result, a
 * run held for the node's administrator stamped with the node's injected clock, a clock the hub refuses,
 * and the resources' one close.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHub, loadHubConfig, type RunningHub, startHub } from '@fedhub/hub';
import { FedhubError } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, type FedhubNode, type NodeClock, openNodeResources } from './agent.js';
import { parseNodeConfig } from './config.js';
import { ApprovalStore } from './governance/approval-store.js';
import { NodeAuditLog } from './governance/node-audit-log.js';

const quiet = pino({ level: 'silent' });
const work = mkdtempSync(join(tmpdir(), 'fedhub-agent-'));
const cohort = join(work, 'cohort.csv');
let hub: RunningHub;
let admin: HubClient;
let collaborationId: string;
let organisationId: string;
const started: FedhubNode[] = [];

beforeAll(async () => {
  writeFileSync(cohort, toCsv(generateCohort(DEMO_CENTRES[0]!, 120, 5)));
  const config = loadHubConfig(
    {},
    { dataDir: join(work, 'hub'), port: 0, host: '127.0.0.1', logLevel: 'silent' },
  );
  const creds = await initHub(config, { username: 'admin', organisation: 'Hub', oneTimePassword: false });
  hub = await startHub(config, { log: quiet });
  admin = await HubClient.login(hub.url, creds.username, creds.password);
  organisationId = (await admin.createOrganisation({ name: 'Hospital A' })).id;
  collaborationId = (
    await admin.createCollaboration({ name: 'Agent tests', organisationIds: [organisationId] })
  ).id;
});

afterAll(async () => {
  await Promise.allSettled(started.map((n) => n.stop()));
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A node of its own (data folder, enrolment) with `extra` config and `clock`. */
async function newNode(name: string, extra: Record<string, unknown> = {}, clock?: NodeClock) {
  const created = await admin.createNode({ collaborationId, organisationId, name });
  const dataDir = join(work, name);
  const config = parseNodeConfig(
    {
      hub: { url: hub.url, enrolmentToken: created.enrolmentToken },
      dataDir,
      datasets: [{ name: 'cohort', file: cohort, dictionary: { columns: COHORT_DICTIONARY } }],
      // one node: a test of the agent, not of the floors
      policy: { minNodes: 1, minOrganisations: 1 },
      claimWaitMs: 500,
      heartbeatIntervalMs: 300,
      compute: { threads: 0 },
      log: { level: 'silent' },
      ...extra,
    },
    work,
  );
  const node = createNode({ config, log: quiet, ...(clock ? { clock } : {}) });
  started.push(node);
  return { node, nodeId: created.node.id, dataDir, config };
}

async function studyFor(nodeId: string, title: string) {
  return admin.createStudy({ collaborationId, title, purpose: 'agent test', minNodes: 1, nodeIds: [nodeId] });
}

describe('the node agent', () => {
  it('claims a run, executes it and posts its signed result; the node audits the run', async () => {
    const { node, nodeId, dataDir } = await newNode('Node run');
    await node.start();
    expect(node.nodeId).toBe(nodeId);
    const study = await studyFor(nodeId, 'Run study');
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] },
    });
    const done = await admin.waitForTask(task.id, { timeoutMs: 30_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect((done.result as { columns: Array<{ n: number }> }).columns[0]!.n).toBe(120);
    await node.stop();
    const audit = new NodeAuditLog(dataDir);
    try {
      const actions = audit.entries().map((e) => (e.entry as { action: string }).action);
      expect(actions).toContain('run.started');
      expect(actions).toContain('approval.granted');
    } finally {
      audit.close();
    }
  });

  it('holds a run for a manual approval, stamped with its injected clock', async () => {
    const offsetMs = 90_000; // within the hub's 5 minutes of allowed skew
    const clock: NodeClock = { now: () => Date.now() + offsetMs };
    const { node, nodeId, dataDir } = await newNode(
      'Node manual',
      { approvals: { defaultMode: 'manual' } },
      clock,
    );
    await node.start();
    const study = await studyFor(nodeId, 'Manual study');
    const before = Date.now();
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] },
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const runs = (await admin.getTask(task.id)).runs;
      if (runs.some((r) => r.status === 'pending-approval')) break;
      if (Date.now() > deadline) throw new Error(`run not held: ${runs.map((r) => r.status).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await node.stop();
    const approvals = new ApprovalStore(dataDir);
    const audit = new NodeAuditLog(dataDir);
    try {
      const held = approvals.pending();
      expect(held).toHaveLength(1);
      const since = Date.parse(held[0]!.since);
      expect(since).toBeGreaterThanOrEqual(before + offsetMs);
      expect(since).toBeLessThanOrEqual(Date.now() + offsetMs);
      // the node's audit entry of the held run carries the same clock
      const pending = audit
        .entries()
        .map((e) => e.entry as { action: string; at: string })
        .find((e) => e.action === 'approval.pending');
      expect(Date.parse(pending!.at)).toBeGreaterThanOrEqual(before + offsetMs);
    } finally {
      approvals.close();
      audit.close();
    }
  });

  it('stops at start when the hub refuses its clock, and ends its work loop', async () => {
    const clock: NodeClock = { now: () => Date.now() + 60 * 60_000 };
    const { node } = await newNode('Node skewed', {}, clock);
    const err = await node.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FedhubError);
    expect((err as FedhubError).code).toBe('FH_ERR_CLOCK_SKEW');
    expect((err as FedhubError).message).toContain('ahead of');
    await node.stop();
    await expect(node.done).resolves.toBeUndefined();
  });

  it('stop() before start() ends at once', async () => {
    const { node } = await newNode('Node idle');
    await node.stop();
    await expect(node.done).resolves.toBeUndefined();
  });

  it('opens the datasets and every store together and closes them with one close()', async () => {
    const { config } = await newNode('Node resources', {
      privacy: {
        differential: [
          { dataset: 'cohort', mechanism: 'laplace', budget: { epsilon: 1 }, perRelease: { epsilon: 1 } },
        ],
      },
    });
    const r = await openNodeResources(config);
    expect(r.datasets.dictionaries().map((d) => d.name)).toEqual(['cohort']);
    expect(r.privacy).toBeDefined();
    expect(r.approvals.pending()).toEqual([]);
    r.close();
    r.close(); // a second close does nothing
    expect(() => r.approvals.pending()).toThrow(/not open/);
    expect(() => r.audit.entries()).toThrow(/not open/);
    expect(() => r.privacy!.budget.spent('cohort')).toThrow(/not open/);
  });
});
