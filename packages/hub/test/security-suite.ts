/**
 * Security round two (issue 15), hub side, written once and run against each backend (SQLite in
 * `security.test.ts`, PostgreSQL in `security.int.test.ts`): poison tasks (attempt limit, fair scheduling),
 * study ownership, and revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, scriptedNode, startTestHub } from './harness.js';
import type { Hub } from './suite-state.js';
import { seedWorld, type World } from './world.js';

const LEASE = 10_000;

export function defineSecuritySuite(backend: Backend): void {
  describe(`security round two on ${backend.name}`, () => {
    let hub: Hub;
    let w: World;
    beforeAll(async () => {
      hub = await startTestHub(backend, { accessTokenTtlSec: 86_400, leaseMs: LEASE, maxRunAttempts: 3 });
      w = await seedWorld(hub);
    });
    afterAll(async () => hub?.dispose());

    const post = async (url: string, body: unknown, token: string, expected = 201) => {
      const r = await hub.call('POST', url, { token, body });
      expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(expected);
      return r.body;
    };

    it('poison tasks: a run that loses its lease maxRunAttempts times fails for good, and another study is served in between', async () => {
      const collab = await post(
        '/api/collaborations',
        { name: 'Poison', organisationIds: [w.orgA.id] },
        w.admin.token,
      );
      const node = await scriptedNode(hub, w.admin.token, collab.id, w.orgA.id, 'Node P');
      const study = (title: string) =>
        post(
          '/api/studies',
          { collaborationId: collab.id, title, purpose: 'poison test', minNodes: 1 },
          w.researcherA.token,
        );
      const poisonStudy = await study('Poison study');
      const otherStudy = await study('Other study');
      const task = (studyId: string) =>
        post('/api/tasks', { studyId, algorithm: 'ping', params: {} }, w.researcherA.token);
      // the poison study queues first and more
      const poison = await task(poisonStudy.id);
      hub.clock.advance(1000);
      const poison2 = await task(poisonStudy.id);
      hub.clock.advance(1000);
      const normal = await task(otherStudy.id);

      const first = (await node.claim())!;
      expect(first.taskId).toBe(poison.id);
      hub.clock.advance(LEASE + 1); // the node "hangs" on it
      // round-robin: the study not served yet goes first, although the poison study's runs are older
      const second = (await node.claim())!;
      expect(second.taskId).toBe(normal.id);
      expect((await node.post(second, node.result(second, { ok: true }))).status).toBe(200);
      expect(
        (await hub.call('GET', `/api/tasks/${normal.id}`, { token: w.researcherA.token })).body.status,
      ).toBe('completed');
      // attempts 2 and 3 of the poison run are lost as well: then it fails, and so does its task
      for (const attempt of [2, 3]) {
        const again = (await node.claim())!;
        expect(again).toMatchObject({ runId: first.runId, attempt });
        hub.clock.advance(LEASE + 1);
      }
      const next = (await node.claim())!;
      expect(next.taskId).toBe(poison2.id);
      const failed = await hub.call('GET', `/api/tasks/${poison.id}`, { token: w.researcherA.token });
      expect(failed.body.status).toBe('failed');
      expect(failed.body.runs[0]).toMatchObject({ status: 'failed', attempt: 3 });
      expect(failed.body.runs[0].error.code).toBe('FH_ERR_RUN_ATTEMPTS');
      expect(JSON.stringify(failed.body.error)).toContain('FH_ERR_RUN_ATTEMPTS');
      const audit = await hub.call('GET', '/api/audit?limit=1000', { token: w.admin.token });
      expect(JSON.stringify(audit.body)).toContain('run.failed');
    });

    it('ownership: only the owning organisation changes its study; stop by it or the hub-admin; cancel by submitter, owner or hub-admin', async () => {
      const collab = await post(
        '/api/collaborations',
        { name: 'Shared', organisationIds: [w.orgA.id, w.orgB.id] },
        w.admin.token,
      );
      await scriptedNode(hub, w.admin.token, collab.id, w.orgA.id, 'Node S');
      const colleague = await hub.user('researcher-a2', w.orgA.id, ['researcher']);
      const st = await post(
        '/api/studies',
        { collaborationId: collab.id, title: 'Owned by A', purpose: 'ownership test', minNodes: 1 },
        w.researcherA.token,
      );
      expect(st.owner).toEqual({ organisationId: w.orgA.id, userId: w.researcherA.id });
      const patch = (token: string, body: unknown) =>
        hub.call('PATCH', `/api/studies/${st.id}`, { token, body });
      for (const token of [w.researcherB.token, w.admin.token]) {
        const r = await patch(token, { title: 'Taken over', minNodes: 1 });
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(r.body.code).toBe('FH_ERR_FORBIDDEN');
      }
      const stopByB = await hub.call('POST', `/api/studies/${st.id}/stop`, {
        token: w.researcherB.token,
        body: { reason: 'not mine' },
      });
      expect(stopByB.status).toBe(403);
      expect((await patch(colleague.token, { title: 'Renamed by a colleague' })).status).toBe(200);

      // tasks: B may submit in the shared study and cancel its own; A (owner) cancels B's; B not A's
      const task = async (token: string) =>
        post('/api/tasks', { studyId: st.id, algorithm: 'ping', params: {} }, token);
      const cancel = (id: string, token: string) => hub.call('POST', `/api/tasks/${id}/cancel`, { token });
      const ofA = await task(w.researcherA.token);
      const ofB = await task(w.researcherB.token);
      const ofB2 = await task(w.researcherB.token);
      const denied = await cancel(ofA.id, w.researcherB.token);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('FH_ERR_FORBIDDEN');
      expect((await cancel(ofB.id, w.researcherB.token)).status).toBe(200);
      expect((await cancel(ofB2.id, colleague.token)).status).toBe(200);
      expect((await cancel(ofA.id, w.admin.token)).status).toBe(200);

      const stopped = await hub.call('POST', `/api/studies/${st.id}/stop`, {
        token: w.admin.token,
        body: { reason: 'hub-admin stops' },
      });
      expect(stopped.status).toBe(200);
      expect(stopped.body.status).toBe('stopped');
    });
  });
}
