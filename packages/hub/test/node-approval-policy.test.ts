/**
 * A node reports its approval policy in its heartbeat and the hub lists it with the node (issue 20: the
 * inbox shows the node's approval mode); a node that does not report keeps what it reported last.
 */

import { sqliteBackend, startTestHub, type TestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, type World } from './world.js';

let hub: TestHub & { dispose(): Promise<void> };
let w: World;
beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
  w = await seedWorld(hub);
});
afterAll(async () => {
  await hub?.dispose();
});

const beat = (approvals?: unknown) =>
  w.nodeA.call('POST', '/api/node/heartbeat', {
    version: '0.1.0',
    clock: new Date(hub.clock.now()).toISOString(),
    datasets: [],
    ...(approvals ? { approvals } : {}),
  });
const policy = {
  defaultMode: 'automatic',
  acceptHubDecisions: true,
  automaticAlgorithms: ['summary', 'glm@1.3.0'],
  maxVariables: 12,
  enrolledAdminKeys: 2,
};

describe("a node's approval policy", () => {
  it('is null until the node reports it, then listed as reported', async () => {
    const before = await hub.call('GET', `/api/nodes/${w.nodeA.id}`, { token: w.nodeAdminA.token });
    expect(before.body.approvals).toBeNull();
    expect((await beat(policy)).status).toBe(200);
    const after = await hub.call('GET', `/api/nodes/${w.nodeA.id}`, { token: w.nodeAdminA.token });
    expect(after.body.approvals).toEqual(policy);
    // a heartbeat without it (an older node) keeps the last report
    expect((await beat()).status).toBe(200);
    expect(
      (await hub.call('GET', `/api/nodes/${w.nodeA.id}`, { token: w.nodeAdminA.token })).body.approvals,
    ).toEqual(policy);
  });

  it('refuses a malformed report with the field named', async () => {
    const r = await beat({ ...policy, defaultMode: 'whatever' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('defaultMode');
  });
});
