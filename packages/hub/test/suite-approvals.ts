import { verifyMessage } from '@fedhub/crypto';
import { approvalSigningString, checkpointSigningString, type RunAssignment } from '@fedhub/protocol';
import { scriptedNode } from '@fedhub/testkit/hub-harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEASE_MS, type SuiteState } from './suite-state.js';

/**
 * Approvals as the hub relays them: a run a node holds for approval keeps no lease (never re-queued as if
 * the node died), shows in the node's and the study's approval lists, goes back to the queue when the node
 * releases it, and is cancelled with its task; decisions only from a node-admin of the node's organisation,
 * signed with the hub key that also signs audit checkpoints.
 */
export function approvalTests(s: SuiteState): void {
  describe('approvals at the nodes, as the hub relays them', () => {
    let node: Awaited<ReturnType<typeof scriptedNode>>;
    let studyId: string;
    const submit = async () => {
      const r = await s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId, algorithm: 'ping', params: {} },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const hold = async (run: RunAssignment) =>
      node.call('POST', `/api/node/runs/${run.runId}/pending-approval`, {
        attempt: run.attempt,
        algorithm: run.algorithm,
        version: run.version,
        digest: run.digest,
        variables: [],
        reason: 'ping@1 is not approved for the study at this node',
      });
    const runStatus = async (taskId: string) =>
      (await s.hub.call('GET', `/api/tasks/${taskId}`, { token: s.w.researcherA.token })).body.runs[0];

    beforeAll(async () => {
      const collab = await s.hub.call('POST', '/api/collaborations', {
        token: s.w.admin.token,
        body: { name: 'Approvals', organisationIds: [s.w.orgA.id] },
      });
      node = await scriptedNode(s.hub, s.w.admin.token, collab.body.id, s.w.orgA.id, 'Approving node');
      const study = await s.hub.call('POST', '/api/studies', {
        token: s.w.researcherA.token,
        body: { collaborationId: collab.body.id, title: 'Approved study', purpose: 'approvals', minNodes: 1 },
      });
      studyId = study.body.id;
    });

    it('holds a run without a lease until the node releases it, then it is claimed again', async () => {
      const taskId = await submit();
      const run = (await node.claim())!;
      expect(run.requester).toMatchObject({ username: 'researcher-a' });
      expect(await hold(run)).toMatchObject({ status: 200, body: { ok: true } });
      // a superseded attempt cannot hold the run again
      expect((await hold({ ...run, attempt: run.attempt + 1 })).status).toBe(409);
      s.hub.clock.advance(LEASE_MS * 3);
      expect(await node.claim()).toBeNull();
      expect(await runStatus(taskId)).toMatchObject({
        status: 'pending-approval',
        attempt: 1,
        leaseExpiresAt: null,
      });

      const inbox = await s.hub.call('GET', `/api/nodes/${node.id}/approvals`, {
        token: s.w.nodeAdminA.token,
      });
      expect(inbox.status).toBe(200);
      expect(inbox.body.pending).toEqual([
        expect.objectContaining({
          runId: run.runId,
          taskId,
          studyTitle: 'Approved study',
          algorithm: 'ping',
          digest: run.digest,
          params: {},
          variables: [],
          requester: expect.objectContaining({ username: 'researcher-a' }),
        }),
      ]);
      const byStudy = await s.hub.call('GET', `/api/studies/${studyId}/approvals`, {
        token: s.w.researcherA.token,
      });
      expect(byStudy.body.pending.map((p: { nodeName: string }) => p.nodeName)).toEqual(['Approving node']);
      // another collaboration's user sees nothing of it
      const hidden = await s.hub.call('GET', `/api/nodes/${node.id}/approvals`, {
        token: s.w.researcherB.token,
      });
      expect(hidden.status).toBe(404);

      expect(
        await node.call('POST', `/api/node/runs/${run.runId}/release`, { attempt: run.attempt }),
      ).toMatchObject({ status: 200, body: { ok: true } });
      const again = (await node.claim())!;
      expect(again).toMatchObject({ runId: run.runId, attempt: 2 });
      expect((await node.post(again, node.result(again, { node: 'Approving node' }))).status).toBe(200);
      const done = await s.hub.call('GET', `/api/tasks/${taskId}`, { token: s.w.researcherA.token });
      expect(done.body.status).toBe('completed');
      expect(
        (await s.hub.call('GET', `/api/nodes/${node.id}/approvals`, { token: s.w.nodeAdminA.token })).body
          .pending,
      ).toEqual([]);
    });

    it('cancels a held run with its task', async () => {
      const taskId = await submit();
      const run = (await node.claim())!;
      await hold(run);
      const cancel = await s.hub.call('POST', `/api/tasks/${taskId}/cancel`, {
        token: s.w.researcherA.token,
      });
      expect(cancel.status, JSON.stringify(cancel.body)).toBeLessThan(300);
      expect((await runStatus(taskId)).status).toBe('cancelled');
      const late = await node.call('POST', `/api/node/runs/${run.runId}/release`, { attempt: run.attempt });
      expect(late.body).toEqual({ ok: false });
    });

    it("relays decisions of a node-admin of the node's organisation only, signed by the hub key", async () => {
      const body = { studyId, decision: 'approve', algorithm: 'ping' };
      for (const token of [s.w.admin.token, s.w.researcherA.token])
        expect((await s.hub.call('POST', `/api/nodes/${node.id}/approvals`, { token, body })).status).toBe(
          403,
        );
      expect(
        (await s.hub.call('POST', `/api/nodes/${node.id}/approvals`, { token: s.w.researcherB.token, body }))
          .status,
      ).toBe(404);
      const unknown = await s.hub.call('POST', `/api/nodes/${node.id}/approvals`, {
        token: s.w.nodeAdminA.token,
        body: { ...body, algorithm: 'no-such-algorithm' },
      });
      expect(unknown.body.code).toBe('FH_ERR_UNKNOWN_ALGORITHM');
      const made = await s.hub.call('POST', `/api/nodes/${node.id}/approvals`, {
        token: s.w.nodeAdminA.token,
        body,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.body).toMatchObject({
        nodeId: node.id,
        decision: 'approve',
        algorithm: 'ping',
        decidedBy: { username: 'node-admin-a', organisationId: s.w.orgA.id, roles: ['node-admin'] },
        ack: null,
      });
      const checkpoint = await s.hub.call('GET', '/api/audit/checkpoint', { token: s.w.auditorA.token });
      const key = checkpoint.body.hubPublicKey as string;
      expect(verifyMessage(key, checkpointSigningString(checkpoint.body), checkpoint.body.signature)).toBe(
        true,
      );
      expect(verifyMessage(key, approvalSigningString(made.body), made.body.signature)).toBe(true);
      expect((await node.call('GET', '/api/node/checkpoint')).body.hubPublicKey).toBe(key);

      const relayed = await node.call('GET', '/api/node/approval-decisions');
      expect(relayed.body.map((d: { id: string }) => d.id)).toEqual([made.body.id]);
      expect(
        await node.call('POST', `/api/node/approval-decisions/${made.body.id}/ack`, { applied: true }),
      ).toMatchObject({ body: { ok: true } });
      expect((await node.call('GET', '/api/node/approval-decisions')).body).toEqual([]);
      const state = await s.hub.call('GET', `/api/nodes/${node.id}/approvals`, {
        token: s.w.nodeAdminA.token,
      });
      expect(state.body.decisions[0]).toMatchObject({
        id: made.body.id,
        ack: { applied: true, reason: null },
      });
    });
  });
}
