/**
 * Security round two (issue 15), hub side, written once and run against each backend (SQLite in
 * `security.test.ts`, PostgreSQL in `security.int.test.ts`): poison tasks (attempt limit, fair scheduling),
 * study ownership, and revocation.
 */
import { generateNodeKeys } from '@fedhub/crypto';
import { type Backend, scriptedNode, startTestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

    it('revocation: disable, roles, password reset, API tokens, node revoke and re-key, organisation removal; all audited', async () => {
      const leaver = await hub.user('leaver', w.orgA.id, ['researcher']);
      const me = (token: string) => hub.call('GET', '/api/me', { token });
      const apiToken = await post('/api/tokens', { name: 'script', expiresInDays: 30 }, leaver.token);
      expect((await me(apiToken.token)).status).toBe(200);
      // only the hub-admin; not on oneself
      const byResearcher = await hub.call('POST', `/api/users/${leaver.id}/disable`, {
        token: w.researcherA.token,
        body: { reason: 'not allowed' },
      });
      expect(byResearcher.status).toBe(403);
      const self = await hub.call('POST', `/api/users/${w.admin.id}/disable`, {
        token: w.admin.token,
        body: { reason: 'oops' },
      });
      expect(self.status).toBe(409);
      await post(`/api/users/${leaver.id}/disable`, { reason: 'left the hospital' }, w.admin.token, 200);
      for (const token of [leaver.token, apiToken.token]) {
        const r = await me(token);
        expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(401);
        expect(['FH_ERR_ACCOUNT_DISABLED', 'FH_ERR_TOKEN_INVALID']).toContain(r.body.code);
      }
      const login = await hub.call('POST', '/api/auth/login', {
        body: { username: 'leaver', password: leaver.password },
      });
      expect(login.body.code).toBe('FH_ERR_ACCOUNT_DISABLED');
      await post(`/api/users/${leaver.id}/enable`, { reason: 'came back' }, w.admin.token, 200);
      expect((await me(leaver.token)).status).toBe(200);
      // the revoked API token stays revoked
      expect((await me(apiToken.token)).status).toBe(401);

      const roles = await hub.call('PATCH', `/api/users/${leaver.id}/roles`, {
        token: w.admin.token,
        body: { roles: ['auditor'], reason: 'moved to the DPO office' },
      });
      expect(roles.body.roles).toEqual(['auditor']);
      const second = await post('/api/tokens', { name: 'second', expiresInDays: 30 }, leaver.token);
      const listed = await hub.call('GET', `/api/users/${leaver.id}/api-tokens`, { token: w.admin.token });
      expect(listed.body.map((t: { name: string; revoked: boolean }) => [t.name, t.revoked])).toEqual([
        ['script', true],
        ['second', false],
      ]);
      const revoked = await post(
        `/api/users/${leaver.id}/api-tokens/revoke`,
        { reason: 'token leaked in a notebook' },
        w.admin.token,
        200,
      );
      expect(revoked.revoked).toBe(1);
      expect((await me(second.token)).status).toBe(401);
      await post(
        `/api/users/${leaver.id}/password-reset`,
        { password: 'a brand new long password', reason: 'forgotten' },
        w.admin.token,
        200,
      );
      const oldPassword = await hub.call('POST', '/api/auth/login', {
        body: { username: 'leaver', password: leaver.password },
      });
      expect(oldPassword.status).toBe(401);
      const deleted = await hub.call('DELETE', `/api/users/${leaver.id}`, {
        token: w.admin.token,
        body: { reason: 'erasure request' },
      });
      expect(deleted.body).toMatchObject({ username: `deleted-${leaver.id}`, roles: [] });

      // nodes: revoke (token void, open run fails), re-key (new enrolment with fresh keys)
      const collab = await post(
        '/api/collaborations',
        { name: 'Revocation', organisationIds: [w.orgA.id, w.orgB.id] },
        w.admin.token,
      );
      const nodeA = await scriptedNode(hub, w.admin.token, collab.id, w.orgA.id, 'Node RA');
      const nodeB = await scriptedNode(hub, w.admin.token, collab.id, w.orgB.id, 'Node RB');
      const st = await post(
        '/api/studies',
        {
          collaborationId: collab.id,
          title: 'Revocation study',
          purpose: 'revocation test',
          minNodes: 1,
          nodeIds: [nodeA.id],
        },
        w.researcherA.token,
      );
      const task = await post(
        '/api/tasks',
        { studyId: st.id, algorithm: 'ping', params: {} },
        w.researcherA.token,
      );
      expect((await nodeA.claim())?.taskId).toBe(task.id);
      const byOtherNodeAdmin = await hub.call('POST', `/api/nodes/${nodeA.id}/revoke`, {
        token: (await hub.user('node-admin-b', w.orgB.id, ['node-admin'])).token,
        body: { reason: 'not mine' },
      });
      expect(byOtherNodeAdmin.status).toBe(403);
      const rev = await post(
        `/api/nodes/${nodeA.id}/revoke`,
        { reason: 'server stolen' },
        w.nodeAdminA.token,
        200,
      );
      expect(rev.failedRuns).toBe(1);
      expect((await nodeA.call('POST', '/api/node/claim', { waitMs: 0 })).status).toBe(401);
      const t = await hub.call('GET', `/api/tasks/${task.id}`, { token: w.researcherA.token });
      expect(t.body.status).toBe('failed');
      const rekey = await post(`/api/nodes/${nodeA.id}/rekey`, { reason: 'new server' }, w.admin.token, 200);
      const keys = generateNodeKeys();
      const enrolled = await hub.call('POST', '/api/node/enrol', {
        body: {
          enrolmentToken: rekey.enrolmentToken,
          publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
          version: 'test',
        },
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
      const claimAgain = await hub.call('POST', '/api/node/claim', {
        token: enrolled.body.nodeToken,
        body: { waitMs: 0 },
      });
      expect(claimAgain.status).toBe(200);
      expect((await nodeA.call('POST', '/api/node/claim', { waitMs: 0 })).status).toBe(401);

      // an organisation leaves the collaboration: its node there is revoked
      const removed = await hub.call(
        'DELETE',
        `/api/collaborations/${collab.id}/organisations/${w.orgB.id}`,
        {
          token: w.admin.token,
          body: { reason: 'left the consortium' },
        },
      );
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      expect(removed.body.organisationIds).toEqual([w.orgA.id]);
      expect((await nodeB.call('POST', '/api/node/claim', { waitMs: 0 })).status).toBe(401);

      const audit = JSON.stringify(
        (await hub.call('GET', '/api/audit?limit=1000', { token: w.admin.token })).body,
      );
      for (const a of [
        'user.disabled',
        'user.enabled',
        'user.roles-changed',
        'api-token.revoked',
        'user.password-reset',
        'user.deleted',
        'node.revoked',
        'node.rekeyed',
        'collaboration.organisation-removed',
      ])
        expect(audit, a).toContain(a);
    });
  });
}
