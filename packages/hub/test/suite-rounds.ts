import type { RunAssignment } from '@fedhub/protocol';
import { scriptedNode } from '@fedhub/testkit/hub-harness';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SuiteState } from './suite-state.js';

/** Registers these tests; `s` is filled by the suite's beforeAll. */
export function roundTests(s: SuiteState): void {
  describe('aggregation rounds', () => {
    let r1: Awaited<ReturnType<typeof scriptedNode>>;
    let r2: Awaited<ReturnType<typeof scriptedNode>>;
    let studyId: string;
    beforeAll(async () => {
      const collab = await s.hub.call('POST', '/api/collaborations', {
        token: s.w.admin.token,
        body: { name: 'Rounds', organisationIds: [s.w.orgA.id] },
      });
      r1 = await scriptedNode(s.hub, s.w.admin.token, collab.body.id, s.w.orgA.id, 'R1');
      r2 = await scriptedNode(s.hub, s.w.admin.token, collab.body.id, s.w.orgA.id, 'R2');
      const study = await s.hub.call('POST', '/api/studies', {
        token: s.w.researcherA.token,
        body: {
          collaborationId: collab.body.id,
          title: 'Rounds study',
          purpose: 'multi-round aggregation',
          minNodes: 1,
        },
      });
      studyId = study.body.id;
    });
    const submit = async (params: unknown) => {
      const t = await s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId, algorithm: 'sum-rounds', params },
      });
      expect(t.status, JSON.stringify(t.body)).toBe(201);
      return t.body.id as string;
    };

    it('lists tasks without their results; withResults gives them, to those who may see the study only', async () => {
      const done = await submit({ rounds: 1 });
      for (const n of [r1, r2]) {
        const a = (await n.claim()) as RunAssignment;
        expect(a.taskId).toBe(done);
        expect((await n.post(a, n.result(a, { value: 7 }))).status).toBe(200);
      }
      const running = await submit({ rounds: 1 });
      const get = (url: string, token = s.w.researcherA.token) => s.hub.call('GET', url, { token });
      const entry = (list: Array<Record<string, unknown>>, id: string) => list.find((t) => t.id === id)!;
      for (const url of [`/api/tasks?studyId=${studyId}`, '/api/tasks', '/api/tasks?mine=true']) {
        const list = await get(url);
        expect(list.status, url).toBe(200);
        for (const t of list.body) expect(t, url).not.toHaveProperty('result');
        expect(entry(list.body, done), url).toMatchObject({ status: 'completed', hasResult: true });
        expect(entry(list.body, running), url).toMatchObject({ status: 'running', hasResult: false });
      }
      const withResults = await get(
        `/api/tasks?studyId=${studyId}&algorithm=sum-rounds,ping&withResults=true`,
      );
      expect(withResults.status).toBe(200);
      expect(entry(withResults.body, done)).toMatchObject({
        hasResult: true,
        result: { total: 14, rounds: 1 },
      });
      expect(entry(withResults.body, running)).toMatchObject({ hasResult: false, result: null });
      // the algorithm filter narrows the list (with or without results)
      expect((await get(`/api/tasks?studyId=${studyId}&algorithm=ping&withResults=true`)).body).toEqual([]);
      expect((await get(`/api/tasks?studyId=${studyId}&algorithm=ping`)).body).toEqual([]);
      // the same access as the list: another collaboration's researcher gets a 404 for the study and none of
      // its tasks across studies, results or not
      const other = await get(`/api/tasks?studyId=${studyId}&withResults=true`, s.w.researcherB.token);
      expect(other.status).toBe(404);
      expect(JSON.stringify(other.body)).not.toContain('total');
      const across = await get('/api/tasks?withResults=true', s.w.researcherB.token);
      expect(across.status).toBe(200);
      expect(across.body.map((t: { id: string }) => t.id)).not.toContain(done);
      expect(across.body.map((t: { id: string }) => t.id)).toContain(s.w.taskB.id);
      // a malformed filter is a 400 that names the parameter
      const bad = await get(`/api/tasks?studyId=${studyId}&algorithm=glm;drop`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('algorithm');
      // the OpenAPI document describes the list entries and the flag
      const doc = (await s.hub.call('GET', '/openapi.json')).body;
      expect(doc.components.schemas.TaskListEntry.properties.hasResult).toBeDefined();
      const params = doc.paths['/api/tasks'].get.parameters.map((p: { name: string }) => p.name);
      expect(params).toEqual(expect.arrayContaining(['studyId', 'mine', 'algorithm', 'withResults']));
      // finish the running task: the next tests expect idle nodes
      for (const n of [r1, r2]) {
        const a = (await n.claim()) as RunAssignment;
        expect(a.taskId).toBe(running);
        expect((await n.post(a, n.result(a, { value: 1 }))).status).toBe(200);
      }
    });

    it('runs three rounds, carrying input and state, and finishes once', async () => {
      const taskId = await submit({ rounds: 3 });
      let expected = 0;
      for (let round = 1; round <= 3; round++) {
        const a = (await r1.claim()) as RunAssignment;
        const b = (await r2.claim()) as RunAssignment;
        expect(a).toMatchObject({ taskId, round, input: { round } });
        expect(b).toMatchObject({ taskId, round, input: { round } });
        expect(a.peers.map((p) => p.nodeId).sort()).toEqual([r1.id, r2.id].sort());
        expect((await r1.post(a, r1.result(a, { value: round * 10 }))).status).toBe(200);
        const before = await s.hub.call('GET', `/api/tasks/${taskId}/wait?since=0&timeoutMs=0`, {
          token: s.w.researcherA.token,
        });
        expect(before.body.round).toBe(round);
        const waiting = s.hub.call(
          'GET',
          `/api/tasks/${taskId}/wait?since=${before.body.revision}&timeoutMs=5000`,
          { token: s.w.researcherA.token },
        );
        expect((await r2.post(b, r2.result(b, { value: round }))).status).toBe(200);
        const woke = await waiting;
        expect(woke.body.revision).toBeGreaterThan(before.body.revision);
        expected += round * 11;
      }
      const done = await s.hub.call('GET', `/api/tasks/${taskId}`, { token: s.w.researcherA.token });
      expect(done.body).toMatchObject({
        status: 'completed',
        round: 3,
        result: { total: expected, rounds: 3 },
      });
      expect(done.body.runs).toHaveLength(6);
      expect(expected).toBe(66);
      expect(await r1.claim()).toBeNull();
      const finished = await s.hub.handle.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'task.finished')
        .where('object', '=', `task:${taskId}`)
        .execute();
      expect(finished).toHaveLength(1);
    });

    it('fails the task with FH_ERR_NODE_REFUSED naming the refusing node', async () => {
      const taskId = await submit({ rounds: 2 });
      const a = (await r1.claim())!;
      const b = (await r2.claim())!;
      await r1.post(a, r1.result(a, { value: 1 }));
      expect((await r2.post(b, r2.result(b, null, undefined, 'refused'))).status).toBe(200);
      const t = await s.hub.call('GET', `/api/tasks/${taskId}`, { token: s.w.researcherA.token });
      expect(t.body.status).toBe('failed');
      expect(t.body.error.code).toBe('FH_ERR_NODE_REFUSED');
      expect(t.body.error.message).toContain('R2 (FH_ERR_SMALL_CELL');
      expect(t.body.error.details.nodes).toEqual([
        {
          nodeId: r2.id,
          nodeName: 'R2',
          code: 'FH_ERR_SMALL_CELL',
          message: 'a cell holds 3 records (< 5)',
        },
      ]);
      expect(t.body.round).toBe(1);
    });

    it('fails the task with the error the aggregation throws', async () => {
      const taskId = await submit({ rounds: 3, failAt: 2 });
      for (let round = 1; round <= 2; round++) {
        const a = (await r1.claim())!;
        const b = (await r2.claim())!;
        await r1.post(a, r1.result(a, { value: 1 }));
        await r2.post(b, r2.result(b, { value: 1 }));
      }
      const t = await s.hub.call('GET', `/api/tasks/${taskId}`, { token: s.w.researcherA.token });
      expect(t.body).toMatchObject({
        status: 'failed',
        round: 2,
        error: { code: 'FH_ERR_ALGORITHM_FAILED', message: 'fails at round 2' },
      });
    });

    it('refuses invalid parameters with their field paths, and unknown algorithms', async () => {
      const bad = await s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId, algorithm: 'sum-rounds', params: { rounds: 'three', extra: 1 } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('FH_ERR_BAD_PARAMS');
      expect(bad.body.details.fields.map((f: { path: string }) => f.path).sort()).toEqual([
        'params',
        'params.rounds',
      ]);
      const unknown = await s.hub.call('POST', '/api/tasks', {
        token: s.w.researcherA.token,
        body: { studyId, algorithm: 'no-such', params: {} },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.body.code).toBe('FH_ERR_UNKNOWN_ALGORITHM');
      const algos = await s.hub.call('GET', '/api/algorithms', { token: s.w.researcherA.token });
      expect(algos.body.map((a: { name: string }) => a.name)).toEqual(['ping', 'summary', 'sum-rounds']);
    });
  });
}
