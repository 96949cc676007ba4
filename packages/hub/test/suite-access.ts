import { expect, it } from 'vitest';
import type { SuiteState } from './suite-state.js';

/** Registers these tests; `s` is filled by the suite's beforeAll. */
export function accessTests(s: SuiteState): void {
  it('enforces roles', async () => {
    const forbidden = async (token: string, method: 'GET' | 'POST', url: string, body?: unknown) => {
      const r = await s.hub.call(method, url, { token, body });
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body.code).toBe('FH_ERR_FORBIDDEN');
    };
    await forbidden(s.w.researcherA.token, 'POST', '/api/organisations', { name: 'Rogue' });
    await forbidden(s.w.researcherA.token, 'GET', '/api/users');
    await forbidden(s.w.researcherA.token, 'POST', '/api/users', {
      username: 'rogue',
      password: 'long-enough-password',
      organisationId: s.w.orgA.id,
      roles: ['hub-admin'],
    });
    await forbidden(s.w.researcherA.token, 'POST', '/api/collaborations', { name: 'Rogue collab' });
    await forbidden(s.w.researcherA.token, 'POST', `/api/collaborations/${s.w.collabA.id}/organisations`, {
      organisationId: s.w.orgB.id,
    });
    await forbidden(s.w.researcherA.token, 'POST', '/api/nodes', {
      collaborationId: s.w.collabA.id,
      organisationId: s.w.orgA.id,
      name: 'Rogue',
    });
    await forbidden(s.w.researcherA.token, 'GET', '/api/audit');
    await forbidden(s.w.nodeAdminA.token, 'POST', '/api/studies', {
      collaborationId: s.w.collabA.id,
      title: 'Not mine',
      purpose: 'nope',
    });
    await forbidden(s.w.nodeAdminA.token, 'POST', '/api/tasks', {
      studyId: s.w.studyA.id,
      algorithm: 'ping',
      params: {},
    });
    await forbidden(s.w.auditorA.token, 'POST', `/api/tasks/${s.w.taskA.id}/cancel`);
    // a node-admin may create nodes for their own organisation only
    const own = await s.hub.call('POST', '/api/nodes', {
      token: s.w.nodeAdminA.token,
      body: { collaborationId: s.w.collabA.id, organisationId: s.w.orgA.id, name: 'Node A2' },
    });
    expect(own.status).toBe(201);
    expect(own.body.enrolmentToken).toMatch(/^fhe_/);
    expect(Date.parse(own.body.enrolmentExpiresAt) - s.hub.clock.now()).toBe(7 * 86_400_000);
    await forbidden(s.w.nodeAdminA.token, 'POST', '/api/nodes', {
      collaborationId: s.w.collabA.id,
      organisationId: s.w.orgB.id,
      name: 'Node X',
    });
    expect((await s.hub.call('GET', '/api/audit', { token: s.w.auditorA.token })).status).toBe(200);
    expect(
      (await s.hub.call('GET', '/api/users', { token: s.w.admin.token })).body.length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('answers 404 on every route for objects of another collaboration (routes from the OpenAPI document)', async () => {
    const tokenB = await s.hub.call('POST', '/api/tokens', {
      token: s.w.researcherB.token,
      body: { name: 'b' },
    });
    const idOf: Record<string, string> = {
      collaborations: s.w.collabB.id,
      nodes: s.w.nodeB.id,
      studies: s.w.studyB.id,
      tasks: s.w.taskB.id,
      tokens: tokenB.body.id,
      users: s.w.researcherB.id,
    };
    const bodies: Record<string, unknown> = {
      'POST /api/collaborations/{id}/organisations': { organisationId: s.w.orgA.id },
      'POST /api/nodes': { collaborationId: s.w.collabB.id, organisationId: s.w.orgB.id, name: 'Sneaky' },
      'POST /api/studies': { collaborationId: s.w.collabB.id, title: 'Sneaky', purpose: 'sneaky' },
      'PATCH /api/studies/{id}': { title: 'Sneaky' },
      'POST /api/studies/{id}/stop': { reason: 'sneaky' },
      'POST /api/tasks': { studyId: s.w.studyB.id, algorithm: 'ping', params: {} },
      'POST /api/models': { name: 'sneaky', taskId: s.w.taskB.id, intendedUse: 'sneaky' },
      'POST /api/models/{name}/versions/{version}/validate': {
        studyId: s.w.studyB.id,
        dataset: 'cohort',
        outcome: 'toxicity',
      },
      'POST /api/models/{name}/versions/{version}/validations': { taskId: s.w.taskB.id },
      'POST /api/onnx-models/{name}/versions/{version}/validations': { taskId: s.w.taskB.id },
      'POST /api/nodes/{id}/approvals': { studyId: s.w.studyB.id, decision: 'approve' },
      'POST /api/nodes/{id}/revoke': { reason: 'sneaky' },
      'POST /api/nodes/{id}/rekey': { reason: 'sneaky' },
      'DELETE /api/collaborations/{id}/organisations/{organisationId}': { reason: 'sneaky' },
      'POST /api/users/{id}/disable': { reason: 'sneaky' },
      'POST /api/users/{id}/enable': { reason: 'sneaky' },
      'POST /api/users/{id}/sessions/revoke': { reason: 'sneaky' },
      'DELETE /api/users/{id}': { reason: 'sneaky' },
      'PATCH /api/users/{id}/roles': { roles: ['hub-admin'], reason: 'sneaky' },
      'POST /api/users/{id}/password-reset': { password: 'a sneaky long password', reason: 'sneaky' },
      'POST /api/users/{id}/api-tokens/revoke': { reason: 'sneaky' },
    };
    // a registered model of collaboration B (registry routes address models by name and version)
    await s.hub.handle.db
      .insertInto('model_versions')
      .values({
        id: crypto.randomUUID(),
        name: 'model-of-b',
        version: 1,
        kind: 'glm',
        study_id: s.w.studyB.id,
        collaboration_id: s.w.collabB.id,
        task_id: s.w.taskB.id,
        model: '{}',
        created_by: s.w.researcherB.id,
        created_at: new Date(s.hub.clock.now()).toISOString(),
      })
      .execute();
    const unscoped = new Set([
      'GET /api/me',
      'POST /api/me/password',
      'POST /api/auth/login',
      'POST /api/auth/refresh',
      'POST /api/auth/logout',
      'GET /api/tokens',
      'POST /api/tokens',
      'GET /api/organisations',
      'POST /api/organisations',
      'GET /api/users',
      'POST /api/users',
      'GET /api/collaborations',
      'POST /api/collaborations',
      'GET /api/algorithms',
      'GET /api/models',
      // ONNX models: the list is of the reader's collaborations; registering into another collaboration is
      // 404 (hub/test/onnx-models.test.ts "refuses a collaboration the researcher is not in")
      'GET /api/onnx-models',
      'POST /api/onnx-models',
      'GET /api/audit',
      'GET /api/audit/verify',
      'GET /api/audit/checkpoint',
    ]);
    const doc = (await s.hub.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    const tested: string[] = [];
    const skipped: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/') || path.startsWith('/api/node/')) continue;
      for (const [m, op] of Object.entries(ops)) {
        const method = m.toUpperCase();
        const key = `${method} ${path}`;
        const scopedQuery = (op.parameters ?? []).filter(
          (p) => p.in === 'query' && (p.name === 'collaborationId' || p.name === 'studyId'),
        );
        let url = path;
        if (path.includes('{id}')) {
          const id = idOf[path.split('/')[2]!];
          expect(id, `no object of another collaboration for ${key}`).toBeDefined();
          url = path.replace('{id}', id!).replace('{organisationId}', s.w.orgB.id);
          if (path.endsWith('/wait')) url += '?timeoutMs=0';
        } else if (path.includes('{name}')) {
          url = path.replace('{name}', 'model-of-b').replace('{version}', '1');
        } else if (scopedQuery.length > 0) {
          const p = scopedQuery[0]!.name;
          url = `${path}?${p}=${p === 'studyId' ? s.w.studyB.id : s.w.collabB.id}`;
        } else if (!(key in bodies)) {
          skipped.push(key);
          continue;
        }
        // user accounts belong to no collaboration: another user's account is the hub-admin's alone (403)
        const expected = path.startsWith('/api/users/{id}')
          ? { status: 403, code: 'FH_ERR_FORBIDDEN' }
          : { status: 404, code: 'FH_ERR_NOT_FOUND' };
        for (const who of [s.w.researcherA, s.w.nodeAdminA, s.w.auditorA]) {
          const r = await s.hub.call(method as 'GET', url, { token: who.token, body: bodies[key] });
          expect(r.status, `${key} as a member of A: ${JSON.stringify(r.body)}`).toBe(expected.status);
          expect(r.body.code).toBe(expected.code);
        }
        tested.push(key);
      }
    }
    expect(skipped.sort()).toEqual([...unscoped].sort());
    expect(tested.length).toBeGreaterThanOrEqual(14);
    // and the same object is visible to its own collaboration
    expect(
      (await s.hub.call('GET', `/api/tasks/${s.w.taskB.id}`, { token: s.w.researcherB.token })).status,
    ).toBe(200);
  });

  it('lists only objects of the collaborations a user belongs to', async () => {
    const ids = async (url: string) =>
      ((await s.hub.call('GET', url, { token: s.w.researcherA.token })).body as Array<{ id: string }>).map(
        (x) => x.id,
      );
    expect(await ids('/api/collaborations')).toEqual([s.w.collabA.id]);
    expect(await ids('/api/nodes')).not.toContain(s.w.nodeB.id);
    expect(await ids('/api/nodes')).toContain(s.w.nodeA.id);
    expect(await ids('/api/studies')).toEqual([s.w.studyA.id]);
    expect(await ids('/api/tasks')).not.toContain(s.w.taskB.id);
    expect(await ids('/api/tasks?withResults=true')).not.toContain(s.w.taskB.id);
    expect(await ids('/api/organisations')).toEqual([s.w.orgA.id]);
    const me = await s.hub.call('GET', '/api/me', { token: s.w.researcherA.token });
    expect(me.body).toMatchObject({
      username: 'researcher-a',
      roles: ['researcher'],
      collaborationIds: [s.w.collabA.id],
    });
  });
}
