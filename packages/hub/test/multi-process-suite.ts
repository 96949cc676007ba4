/**
 * Several hub processes on one database (what a load balancer in front of PostgreSQL gives): each hub
 * instance here has its own connection pool, event bus and waiters, and they share only the database.
 */

import {
  fakeClock,
  openShared,
  scriptedNode,
  sqliteBackend,
  startTestHub,
} from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, type World } from './world.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

export function defineMultiProcessSuite(kind: 'sqlite-file' | 'postgres'): void {
  describe(`two hub processes on one ${kind} database`, () => {
    let shared: Awaited<ReturnType<typeof openShared>>;
    let one: Hub;
    let two: Hub;
    let w: World;
    beforeAll(async () => {
      shared = await openShared(kind);
      const clock = fakeClock();
      one = await startTestHub(sqliteBackend, { pollIntervalMs: 100 }, { handle: shared.handles[0], clock });
      two = await startTestHub(sqliteBackend, { pollIntervalMs: 100 }, { handle: shared.handles[1], clock });
      w = await seedWorld(one);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await shared?.dispose();
    });

    it('accepts on one hub the tokens issued by the other (shared signing secret)', async () => {
      const me = await two.call('GET', '/api/me', { token: w.researcherA.token });
      expect(me.body.username).toBe('researcher-a');
    });

    it('wakes a claim waiting on one hub for a task submitted on the other, by polling the database', async () => {
      // drain the seeded task first
      const seeded = (await w.nodeA.claim())!;
      await w.nodeA.post(seeded, w.nodeA.result(seeded, { node: 'Node A' }));
      const t0 = Date.now();
      const waiting = two.call('POST', '/api/node/claim', { token: w.nodeA.token, body: { waitMs: 10_000 } });
      await new Promise((r) => setTimeout(r, 150));
      const task = await one.call('POST', '/api/tasks', {
        token: w.researcherA.token,
        body: { studyId: w.studyA.id, algorithm: 'ping', params: {} },
      });
      const claimed = await waiting;
      expect(claimed.body.run.taskId).toBe(task.body.id);
      expect(Date.now() - t0).toBeLessThan(3000);
      // a long-poll on hub one sees the result posted through hub two
      const before = await one.call('GET', `/api/tasks/${task.body.id}/wait?since=0&timeoutMs=0`, {
        token: w.researcherA.token,
      });
      const wait = one.call(
        'GET',
        `/api/tasks/${task.body.id}/wait?since=${before.body.revision}&timeoutMs=10000`,
        { token: w.researcherA.token },
      );
      const run = claimed.body.run;
      await two.call('POST', `/api/node/runs/${run.runId}/result`, {
        token: w.nodeA.token,
        body: w.nodeA.result(run, { node: 'Node A' }),
      });
      expect((await wait).body.status).toBe('completed');
    });

    it('aggregates a round once when its last results arrive at both hubs at the same time', async () => {
      const collab = await one.call('POST', '/api/collaborations', {
        token: w.admin.token,
        body: { name: 'Race', organisationIds: [w.orgA.id] },
      });
      const n1 = await scriptedNode(one, w.admin.token, collab.body.id, w.orgA.id, 'Race 1');
      const n2 = await scriptedNode(one, w.admin.token, collab.body.id, w.orgA.id, 'Race 2');
      const study = await one.call('POST', '/api/studies', {
        token: w.researcherA.token,
        body: { collaborationId: collab.body.id, title: 'Race study', purpose: 'concurrency', minNodes: 1 },
      });
      for (let i = 0; i < 3; i++) {
        const task = await one.call('POST', '/api/tasks', {
          token: w.researcherA.token,
          body: { studyId: study.body.id, algorithm: 'sum-rounds', params: { rounds: 2 } },
        });
        for (let round = 1; round <= 2; round++) {
          const [a, b] = await Promise.all([
            one.call('POST', '/api/node/claim', { token: n1.token, body: { waitMs: 0 } }),
            two.call('POST', '/api/node/claim', { token: n2.token, body: { waitMs: 0 } }),
          ]);
          const [ra, rb] = await Promise.all([
            one.call('POST', `/api/node/runs/${a.body.run.runId}/result`, {
              token: n1.token,
              body: n1.result(a.body.run, { value: 1 }),
            }),
            two.call('POST', `/api/node/runs/${b.body.run.runId}/result`, {
              token: n2.token,
              body: n2.result(b.body.run, { value: 2 }),
            }),
          ]);
          expect([ra.status, rb.status]).toEqual([200, 200]);
        }
        const done = await two.call('GET', `/api/tasks/${task.body.id}`, { token: w.researcherA.token });
        expect(done.body).toMatchObject({ status: 'completed', result: { total: 6, rounds: 2 } });
        expect(done.body.runs).toHaveLength(4);
        const finished = await shared.handles[0].db
          .selectFrom('audit_events')
          .select('seq')
          .where('action', '=', 'task.finished')
          .where('object', '=', `task:${task.body.id}`)
          .execute();
        expect(finished).toHaveLength(1);
      }
      expect((await one.call('GET', '/api/audit/verify', { token: w.admin.token })).body.ok).toBe(true);
    });
  });
}
