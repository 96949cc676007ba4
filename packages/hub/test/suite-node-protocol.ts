/** The node protocol: enrolment, heartbeats, dictionaries, claims and leases, signed results. */
import { generateNodeKeys } from '@fedhub/crypto';
import { expect, it } from 'vitest';
import { LEASE_MS, type SuiteState } from './suite-state.js';

/** Registers these tests; `s` is filled by the suite's beforeAll. */
export function nodeProtocolTests(s: SuiteState): void {
  it('enrols a node once, with keys of the right kinds, and keeps node and user tokens apart', async () => {
    const created = await s.hub.call('POST', '/api/nodes', {
      token: s.w.admin.token,
      body: { collaborationId: s.w.collabA.id, organisationId: s.w.orgA.id, name: 'Node A3' },
    });
    const keys = generateNodeKeys();
    const swapped = await s.hub.call('POST', '/api/node/enrol', {
      body: {
        enrolmentToken: created.body.enrolmentToken,
        publicKeys: { x25519: keys.ed25519.publicKey, ed25519: keys.x25519.publicKey },
        version: '1',
      },
    });
    expect(swapped.status).toBe(400);
    expect(swapped.body.details.fields.map((f: { path: string }) => f.path)).toEqual([
      'body.publicKeys.x25519',
      'body.publicKeys.ed25519',
    ]);
    const body = {
      enrolmentToken: created.body.enrolmentToken,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: '1',
    };
    const ok = await s.hub.call('POST', '/api/node/enrol', { body });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      nodeId: created.body.node.id,
      nodeName: 'Node A3',
      collaborationId: s.w.collabA.id,
    });
    expect(ok.body.nodeToken).toMatch(/^fhn_/);
    const again = await s.hub.call('POST', '/api/node/enrol', { body });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('FH_ERR_ENROLMENT');
    expect((await s.hub.call('GET', '/api/me', { token: ok.body.nodeToken })).status).toBe(401);
    expect(
      (await s.hub.call('POST', '/api/node/claim', { token: s.w.admin.token, body: { waitMs: 0 } })).status,
    ).toBe(401);
    const node = await s.hub.call('GET', `/api/nodes/${created.body.node.id}`, {
      token: s.w.researcherA.token,
    });
    expect(node.body.publicKeys).toEqual({
      x25519: keys.x25519.publicKey,
      ed25519: keys.ed25519.publicKey,
    });
  });

  it('refuses heartbeats from a skewed clock and records datasets and liveness', async () => {
    const skewed = await s.w.nodeA.call('POST', '/api/node/heartbeat', {
      version: '2.0',
      clock: new Date(s.hub.clock.now() + 6 * 60_000).toISOString(),
      datasets: [],
    });
    expect(skewed.status).toBe(409);
    expect(skewed.body.code).toBe('FH_ERR_CLOCK_SKEW');
    const dictionary = { name: 'cohort', columns: [{ name: 'age', type: 'numeric' }] };
    const ok = await s.w.nodeA.call('POST', '/api/node/heartbeat', {
      version: '2.0',
      clock: new Date(s.hub.clock.now() + 60_000).toISOString(),
      datasets: [dictionary],
    });
    expect(ok.body).toEqual({ serverTime: new Date(s.hub.clock.now()).toISOString(), leaseMs: LEASE_MS });
    const node = await s.hub.call('GET', `/api/nodes/${s.w.nodeA.id}`, { token: s.w.researcherA.token });
    expect(node.body).toMatchObject({ status: 'online', version: '2.0', datasets: [dictionary] });
    s.hub.clock.advance(61_000);
    expect(
      (await s.hub.call('GET', `/api/nodes/${s.w.nodeA.id}`, { token: s.w.researcherA.token })).body.status,
    ).toBe('offline');
  });

  it('refuses a task naming a dataset or column missing from the dictionaries its nodes published', async () => {
    const submit = (params: unknown) =>
      s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId: s.w.studyA.id, algorithm: 'summary', params },
      });
    const column = await submit({ dataset: 'cohort', columns: ['age', 'weight'] });
    expect(column.status).toBe(422);
    expect(column.body.code).toBe('FH_ERR_UNKNOWN_COLUMN');
    expect(column.body.message).toBe('dataset "cohort" has no column "weight" at Node A');
    const dataset = await submit({ dataset: 'cohrot', columns: ['age'] });
    expect(dataset.status).toBe(422);
    expect(dataset.body).toMatchObject({
      code: 'FH_ERR_UNKNOWN_DATASET',
      details: { dataset: 'cohrot', nodes: ['Node A'] },
    });
    const ok = await submit({ dataset: 'cohort', columns: ['age'] });
    expect(ok.status).toBe(201);
    expect(
      (await s.hub.call('POST', `/api/tasks/${ok.body.id}/cancel`, { token: s.w.researcherA.token })).body
        .status,
    ).toBe('cancelled');
  });

  it('re-queues an expired lease, refuses the stale attempt, a forged signature and a tampered payload, stores a duplicate once', async () => {
    const first = (await s.w.nodeA.claim())!;
    expect(first).toMatchObject({
      taskId: s.w.taskA.id,
      attempt: 1,
      round: 1,
      algorithm: 'ping',
      leaseMs: LEASE_MS,
    });
    // each peer with its organisation from the hub's records (the nodes check their floors with it)
    expect(first.peers).toEqual([
      { nodeId: s.w.nodeA.id, x25519: s.w.nodeA.keys.x25519.publicKey, organisationId: s.w.orgA.id },
    ]);
    expect(await s.w.nodeA.claim()).toBeNull();
    s.hub.clock.advance(LEASE_MS + 1);
    // any claim sweeps expired leases first (here Node B's, which takes its own task's run): once the run
    // is back in the queue, the late result of attempt 1 is stale even before anyone re-claims it
    expect((await s.w.nodeB.claim())?.taskId).toBe(s.w.taskB.id);
    const late = await s.w.nodeA.post(first, s.w.nodeA.result(first, { node: 'Node A' }));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('FH_ERR_STALE_ATTEMPT');
    const second = (await s.w.nodeA.claim())!;
    expect(second).toMatchObject({ runId: first.runId, attempt: 2 });
    const staleBeat = await s.w.nodeA.call('POST', `/api/node/runs/${first.runId}/heartbeat`, { attempt: 1 });
    expect(staleBeat.status).toBe(409);
    expect(staleBeat.body.code).toBe('FH_ERR_STALE_ATTEMPT');
    const stale = await s.w.nodeA.post(first, s.w.nodeA.result(first, { node: 'Node A' }));
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('FH_ERR_STALE_ATTEMPT');
    const forged = await s.w.nodeA.post(
      second,
      s.w.nodeA.result(second, { node: 'Node A' }, generateNodeKeys().ed25519.privateKey),
    );
    expect(forged.status).toBe(422);
    expect(forged.body.code).toBe('FH_ERR_SIGNATURE');
    const tampered = await s.w.nodeA.post(second, {
      ...s.w.nodeA.result(second, { node: 'Node A' }),
      payload: { node: 'Mallory' },
    });
    expect(tampered.status).toBe(422);
    expect(tampered.body.code).toBe('FH_ERR_DIGEST');
    const good = s.w.nodeA.result(second, { node: 'Node A' });
    const a = await s.w.nodeA.post(second, good);
    const b = await s.w.nodeA.post(second, good);
    expect(a).toEqual({
      status: 200,
      body: { accepted: true, duplicate: false, runId: second.runId, attempt: 2 },
    });
    expect(b).toEqual({
      status: 200,
      body: { accepted: true, duplicate: true, runId: second.runId, attempt: 2 },
    });
    const task = await s.hub.call('GET', `/api/tasks/${s.w.taskA.id}`, { token: s.w.researcherA.token });
    expect(task.body).toMatchObject({
      status: 'completed',
      result: { algorithm: 'ping', nodes: ['Node A'] },
    });
    expect(task.body.runs).toHaveLength(1);
    expect(task.body.runs[0]).toMatchObject({ attempt: 2, status: 'completed' });
    const accepted = await s.hub.handle.db
      .selectFrom('audit_events')
      .select('seq')
      .where('action', '=', 'result.accepted')
      .where('object', '=', `run:${second.runId}`)
      .execute();
    expect(accepted).toHaveLength(1);
    const rejected = await s.hub.handle.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'result.rejected')
      .execute();
    expect(rejected.map((r) => JSON.parse(r.details).reason).sort()).toEqual([
      'FH_ERR_DIGEST',
      'FH_ERR_SIGNATURE',
    ]);
    // another node may not touch this node's run
    expect(
      (await s.w.nodeB.call('POST', `/api/node/runs/${second.runId}/heartbeat`, { attempt: 2 })).status,
    ).toBe(404);
    expect((await s.w.nodeB.post(second, s.w.nodeB.result(second, { node: 'Node B' }))).status).toBe(404);
  });

  it('extends a lease with heartbeats and tells the node when its task was cancelled', async () => {
    const task = await s.hub.call('POST', '/api/tasks', {
      token: s.w.researcherA.token,
      body: { studyId: s.w.studyA.id, algorithm: 'ping', params: {} },
    });
    const run = (await s.w.nodeA.claim())!;
    expect(run.taskId).toBe(task.body.id);
    s.hub.clock.advance(LEASE_MS / 2);
    const beat = await s.w.nodeA.call('POST', `/api/node/runs/${run.runId}/heartbeat`, { attempt: 1 });
    expect(beat.body).toEqual({
      leaseExpiresAt: new Date(s.hub.clock.now() + LEASE_MS).toISOString(),
      cancelled: false,
    });
    s.hub.clock.advance(LEASE_MS * 0.75);
    expect(await s.w.nodeA.claim()).toBeNull(); // sweeps, but the lease still holds
    expect(
      (await s.hub.call('GET', `/api/tasks/${task.body.id}`, { token: s.w.researcherA.token })).body.runs[0]
        .status,
    ).toBe('claimed');
    const cancelled = await s.hub.call('POST', `/api/tasks/${task.body.id}/cancel`, {
      token: s.w.researcherA.token,
    });
    expect(cancelled.body.status).toBe('cancelled');
    const after = await s.w.nodeA.call('POST', `/api/node/runs/${run.runId}/heartbeat`, { attempt: 1 });
    expect(after.body.cancelled).toBe(true);
    expect((await s.w.nodeA.post(run, s.w.nodeA.result(run, { node: 'Node A' }))).status).toBe(409);
    expect(
      (await s.hub.call('POST', `/api/tasks/${task.body.id}/cancel`, { token: s.w.researcherA.token })).body
        .code,
    ).toBe('FH_ERR_CONFLICT');
  });
}
