import type { RunAssignment } from '@fedhub/protocol';
import { expect, it } from 'vitest';
import { LEASE_MS, type SuiteState } from './suite-state.js';

/**
 * Registers these tests; `s` is filled by the suite's beforeAll, on a hub of its own: each test makes the
 * tasks and audit entries it reads (see route-suite.ts).
 */
export function eventAndAuditTests(s: SuiteState): void {
  /** Completes every run queued for `node` (ping): the node's queue is then empty. */
  const drain = async (node: SuiteState['w']['nodeA'], name: string) => {
    for (let run = await node.claim(); run !== null; run = await node.claim())
      expect((await node.post(run, node.result(run, { node: name }))).status).toBe(200);
  };
  const ping = async () => {
    const task = await s.hub.call('POST', '/api/tasks', {
      token: s.w.researcherA.token,
      body: { studyId: s.w.studyA.id, algorithm: 'ping', params: {} },
    });
    expect(task.status, JSON.stringify(task.body)).toBeLessThan(300);
    return task.body as { id: string };
  };
  const claimOf = async (taskId: string): Promise<RunAssignment> => {
    const run = await s.w.nodeA.claim();
    expect(run?.taskId).toBe(taskId);
    return run!;
  };

  it('pushes task events over the WebSocket to subscribers who may see the task', async () => {
    // the seeded world's task, and any other, done before: the node's next run is this test's task
    await drain(s.w.nodeA, 'Node A');
    const ws = await s.hub.app.injectWS('/api/events', {
      headers: { authorization: `Bearer ${s.w.researcherA.token}` },
    });
    const received: Array<{ type: string; taskId: string }> = [];
    ws.on('message', (d: Buffer) => received.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ subscribe: { studyId: s.w.studyA.id } }));
    const wsB = await s.hub.app.injectWS(
      `/api/events?access_token=${encodeURIComponent(s.w.researcherB.token)}`,
    );
    const receivedB: unknown[] = [];
    wsB.on('message', (d: Buffer) => receivedB.push(JSON.parse(d.toString())));
    wsB.send(JSON.stringify({ subscribe: { studyId: s.w.studyA.id } }));
    await new Promise((r) => setTimeout(r, 100));
    const task = { body: await ping() };
    const run = await claimOf(task.body.id);
    await s.w.nodeA.post(run, s.w.nodeA.result(run, { node: 'Node A' }));
    for (let i = 0; i < 50 && !received.some((e) => e.type === 'task.finished'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(received.map((e) => e.type)).toEqual([
      'task.created',
      'round.started',
      'run.updated',
      'run.updated',
      'task.finished',
    ]);
    expect(received.every((e) => e.taskId === task.body.id)).toBe(true);
    expect(receivedB).toEqual([]);
    ws.terminate();
    wsB.terminate();
    const anonymous = await s.hub.app.inject({
      method: 'GET',
      url: '/api/events',
      headers: { connection: 'upgrade', upgrade: 'websocket' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('keeps an audit hash chain that verifies, and finds a tampered entry', async () => {
    // every kind of entry the chain must hold, made here
    const login = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'researcher-a', password: s.w.researcherA.password },
    });
    expect(login.status).toBe(200);
    await s.hub.call('POST', '/api/auth/login', { body: { username: 'researcher-a', password: 'not-it' } });
    await drain(s.w.nodeA, 'Node A');
    const requeued = await ping();
    const first = await claimOf(requeued.id);
    s.hub.clock.advance(LEASE_MS + 1);
    // the claim sweeps the expired lease (run.requeued) and takes the run again
    const again = await claimOf(requeued.id);
    expect(again.attempt).toBe(first.attempt + 1);
    const tampered = await s.w.nodeA.post(again, {
      ...s.w.nodeA.result(again, { node: 'Node A' }),
      payload: { node: 'Mallory' },
    });
    expect(tampered.body.code).toBe('FH_ERR_DIGEST'); // result.rejected
    expect((await s.w.nodeA.post(again, s.w.nodeA.result(again, { node: 'Node A' }))).status).toBe(200);
    const refused = await ping();
    const r = await claimOf(refused.id);
    expect((await s.w.nodeA.post(r, s.w.nodeA.result(r, null, undefined, 'refused'))).status).toBe(200);
    const cancelled = await ping();
    const c = await s.hub.call('POST', `/api/tasks/${cancelled.id}/cancel`, { token: s.w.researcherA.token });
    expect(c.body.status).toBe('cancelled');
    const v = await s.hub.call('GET', '/api/audit/verify', { token: s.w.auditorA.token });
    expect(v.body).toMatchObject({ ok: true, broken: null });
    const actions = new Set(
      (await s.hub.handle.db.selectFrom('audit_events').select('action').execute()).map((r) => r.action),
    );
    for (const a of [
      'login.succeeded',
      'login.failed',
      'user.created',
      'organisation.created',
      'collaboration.created',
      'node.created',
      'node.enrolled',
      'study.created',
      'task.submitted',
      'run.claimed',
      'run.requeued',
      'result.accepted',
      'result.refused',
      'result.rejected',
      'task.finished',
      'task.cancelled',
    ])
      expect(actions, a).toContain(a);
    expect(v.body.count).toBe(
      actions.size > 0
        ? (await s.hub.handle.db.selectFrom('audit_events').select('seq').execute()).length
        : 0,
    );
    const original = await s.hub.handle.db
      .selectFrom('audit_events')
      .select('details')
      .where('seq', '=', 5)
      .executeTakeFirstOrThrow();
    await s.hub.handle.db
      .updateTable('audit_events')
      .set({ details: '{"edited":true}' })
      .where('seq', '=', 5)
      .execute();
    const broken = await s.hub.call('GET', '/api/audit/verify', { token: s.w.admin.token });
    expect(broken.body).toMatchObject({ ok: false, count: 4, broken: { seq: 5 } });
    await s.hub.handle.db
      .updateTable('audit_events')
      .set({ details: original.details })
      .where('seq', '=', 5)
      .execute();
    expect((await s.hub.call('GET', '/api/audit/verify', { token: s.w.admin.token })).body.ok).toBe(true);
  });
}
