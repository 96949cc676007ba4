/**
 * A node that dies after posting its masked partial: with four node processes on a real hub process, one is
 * killed (SIGKILL) once its round-2 result is in. The hub drops it after the grace period, restarts the
 * round it owed among the other three with fresh masks, and the fit equals R's glm on the three remaining
 * nodes' pooled data (fixture made by packages/cli/fixtures/dropout/make-fixture.mjs). With a study minimum
 * of four nodes the same dropout fails the task with a clear error.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHub, loadHubConfig } from '@fedhub/hub';
import type { Json, TaskDetail } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, toCsv } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script beside its fixture, without types
import { dropoutCohort, FORMULA, KILLED } from '../fixtures/dropout/make-fixture.mjs';
import { type Started, startFedhubProcess, stopProcess } from './child-process.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-dropout-'));
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/dropout/glm-3-nodes.json', import.meta.url), 'utf8'),
) as { terms: string[]; estimate: number[]; stdError: number[]; n: number };
const NODES = 4;
let hub: Started;
let admin: HubClient;
let collaborationId: string;
const nodes: Array<Started | null> = [];
const yamls: string[] = [];
const nodeIds: string[] = [];

function startNode(i: number): Promise<Started> {
  return startFedhubProcess(['node', 'start', '--json', '--config', yamls[i]!], join(work, `node${i}.log`));
}

beforeAll(async () => {
  const dataDir = join(work, 'hub');
  const creds = await initHub(loadHubConfig({}, { dataDir }), {
    username: 'admin',
    organisation: 'Hub',
    oneTimePassword: false,
  });
  hub = await startFedhubProcess(
    ['hub', 'start', '--json', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'],
    join(work, 'hub.log'),
    60_000,
    {
      ...process.env,
      FEDHUB_LEASE_MS: '1000',
      FEDHUB_DROPOUT_GRACE_MS: '2500',
      FEDHUB_LEASE_SWEEP_INTERVAL_MS: '200',
    },
  );
  const url = String(hub.ready.url);
  admin = await HubClient.login(url, creds.username, creds.password);
  const orgs = [];
  for (let i = 0; i < NODES; i++)
    orgs.push(await admin.createOrganisation({ name: `Dropout Hospital ${i}` }));
  const collab = await admin.createCollaboration({
    name: 'Dropout',
    organisationIds: orgs.map((o) => o.id),
  });
  collaborationId = collab.id;
  for (let i = 0; i < NODES; i++) {
    const created = await admin.createNode({
      collaborationId,
      organisationId: orgs[i]!.id,
      name: `node-${i}`,
    });
    nodeIds.push(created.node.id);
    const csv = join(work, `node${i}.csv`);
    writeFileSync(csv, toCsv(dropoutCohort(i)));
    const yaml = join(work, `node${i}.yaml`);
    // YAML is a superset of JSON
    writeFileSync(
      yaml,
      JSON.stringify({
        hub: { url, enrolmentToken: created.enrolmentToken },
        dataDir: join(work, `node${i}`),
        claimWaitMs: 1000,
        heartbeatIntervalMs: 500,
        policy: { minNodes: 1, minOrganisations: 1 }, // not a test of the node's floors
        datasets: [{ name: 'cohort', file: csv, dictionary: { columns: COHORT_DICTIONARY } }],
      }),
    );
    yamls.push(yaml);
  }
  nodes.push(...(await Promise.all(yamls.map((_, i) => startNode(i)))));
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => (n ? stopProcess(n.child) : undefined)));
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

let studies = 0;

/** Submits a glm and SIGKILLs node KILLED as soon as its round-2 result is stored; returns the finished task. */
async function glmWithDropout(
  minNodes: number,
  algorithm = 'glm',
  params: Json = { dataset: 'cohort', formula: FORMULA, family: 'binomial' },
): Promise<TaskDetail> {
  const study = await admin.createStudy({
    collaborationId,
    // study titles are unique in a collaboration
    title: `Dropout ${++studies}, ${algorithm}, minimum ${minNodes}`,
    purpose: 'A node dies mid-task',
    minNodes,
  });
  const task = await admin.createTask({
    studyId: study.id,
    algorithm,
    params,
  });
  const killedId = nodeIds[KILLED]!;
  for (let i = 0; i < 3000; i++) {
    const t = await admin.getTask(task.id);
    if (t.runs.some((r) => r.nodeId === killedId && r.round === 2 && r.status === 'completed')) break;
    if (t.status !== 'running')
      throw new Error(`task ended (${t.status}) before node ${KILLED} posted round 2`);
    await new Promise((r) => setTimeout(r, 10));
  }
  nodes[KILLED]!.child.kill('SIGKILL');
  await new Promise((r) => nodes[KILLED]!.child.once('exit', r));
  nodes[KILLED] = null;
  return admin.waitForTask(task.id, { timeoutMs: 40_000 });
}

describe('a node dropping out of a secure-aggregated glm', () => {
  it('starts the task again without it and equals R on the three remaining nodes', async () => {
    const done = await glmWithDropout(3);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const killedId = nodeIds[KILLED]!;
    expect(done.nodeIds).toHaveLength(3);
    expect(done.nodeIds).not.toContain(killedId);
    const dropped = done.runs.find((r) => r.nodeId === killedId && r.status === 'cancelled');
    expect(dropped?.error?.code).toBe('FH_ERR_UNAVAILABLE');
    expect(dropped?.error?.message).toMatch(/dropped out in round \d+: no contact since/);
    // the abandoned attempt's round is cancelled for everyone; the task began again in the next round,
    // from its first step (the levels round), with the three others only
    const restarted = dropped!.round + 1;
    expect(done.runs.filter((r) => r.round === dropped!.round).every((r) => r.status === 'cancelled')).toBe(
      true,
    );
    const again = done.runs.filter((r) => r.round === restarted);
    expect(again.map((r) => r.nodeId).sort()).toEqual(nodeIds.filter((id) => id !== killedId).sort());
    expect(again.every((r) => r.status === 'completed')).toBe(true);
    expect(done.runs.filter((r) => r.round > restarted).every((r) => r.nodeId !== killedId)).toBe(true);
    const result = done.result as {
      n: number;
      nodes: string[];
      coefficients: Array<{ term: string; estimate: number; stdError: number }>;
    };
    expect(result.n).toBe(fixture.n);
    expect(result.nodes).toEqual(['node-0', 'node-1', 'node-2']);
    expect(result.coefficients.map((c) => c.term)).toEqual(fixture.terms);
    result.coefficients.forEach((c, j) => {
      expect(Math.abs(c.estimate - fixture.estimate[j]!) / Math.abs(fixture.estimate[j]!)).toBeLessThan(1e-6);
      expect(Math.abs(c.stdError - fixture.stdError[j]!) / fixture.stdError[j]!).toBeLessThan(1e-6);
    });
  }, 60_000);

  it('gives a Cox model with the counts and likelihoods of the three remaining nodes only (R coxph)', async () => {
    nodes[KILLED] = await startNode(KILLED);
    const cox = JSON.parse(
      readFileSync(new URL('../fixtures/dropout/cox-3-nodes.json', import.meta.url), 'utf8'),
    ) as {
      formula: string;
      n: number;
      events: number;
      terms: string[];
      estimate: number[];
      stdError: number[];
      loglik: number[];
    };
    const done = await glmWithDropout(3, 'coxph', {
      dataset: 'cohort',
      formula: cox.formula,
      ties: 'efron',
      timeResolution: 1,
    });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.nodeIds).not.toContain(nodeIds[KILLED]!);
    const r = done.result as {
      n: number;
      events: number;
      loglik: number[];
      coefficients: Array<{ term: string; estimate: number; stdError: number }>;
    };
    // n, events and the null log-likelihood come from the restarted attempt: without the dropped node
    expect(r.n).toBe(cox.n);
    expect(r.events).toBe(cox.events);
    expect(Math.abs(r.loglik[0]! - cox.loglik[0]!) / Math.abs(cox.loglik[0]!)).toBeLessThan(1e-9);
    expect(r.coefficients.map((c) => c.term)).toEqual(cox.terms);
    r.coefficients.forEach((c, j) => {
      expect(Math.abs(c.estimate - cox.estimate[j]!) / Math.abs(cox.estimate[j]!)).toBeLessThan(1e-6);
      expect(Math.abs(c.stdError - cox.stdError[j]!) / cox.stdError[j]!).toBeLessThan(1e-6);
    });
  }, 60_000);

  it('fails the task clearly when fewer nodes than the study minimum remain', async () => {
    nodes[KILLED] = await startNode(KILLED);
    const done = await glmWithDropout(4);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('FH_ERR_TOO_FEW_NODES');
    expect(done.error?.message).toMatch(
      /node-3 dropped out in round \d+; 3 node\(s\) remain and the study needs at least 4/,
    );
  }, 60_000);
});
