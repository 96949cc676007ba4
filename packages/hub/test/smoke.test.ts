import { afterAll, beforeAll, expect, it } from 'vitest';
import { scriptedNode, sqliteBackend, startTestHub } from './harness.js';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
});
afterAll(async () => hub?.dispose());

it('smoke', async () => {
  const org = await hub.handle.db
    .insertInto('organisations')
    .values({
      id: '11111111-1111-4111-8111-111111111111',
      name: 'Hub',
      country: null,
      created_at: new Date().toISOString(),
    })
    .execute();
  void org;
  const admin = await hub.user('admin', '11111111-1111-4111-8111-111111111111', ['hub-admin']);
  const o = await hub.call('POST', '/api/organisations', {
    token: admin.token,
    body: { name: 'Hospital A' },
  });
  expect(o.status).toBe(201);
  const c = await hub.call('POST', '/api/collaborations', {
    token: admin.token,
    body: { name: 'C1', organisationIds: [o.body.id] },
  });
  expect(c.status).toBe(201);
  const node = await scriptedNode(hub, admin.token, c.body.id, o.body.id, 'Node A');
  const s = await hub.call('POST', '/api/studies', {
    token: admin.token,
    body: { collaborationId: c.body.id, title: 'Study one', purpose: 'testing' },
  });
  expect(s.status).toBe(201);
  const t = await hub.call('POST', '/api/tasks', {
    token: admin.token,
    body: { studyId: s.body.id, algorithm: 'ping', params: {} },
  });
  expect(t.status).toBe(201);
  const run = await node.claim();
  expect(run).not.toBeNull();
  const r = await node.post(run!, node.result(run!, { node: 'Node A' }));
  expect(r.body).toMatchObject({ accepted: true, duplicate: false });
  const d = await hub.call('GET', `/api/tasks/${t.body.id}`, { token: admin.token });
  expect(d.body.status).toBe('completed');
  const api = await hub.call('GET', '/openapi.json');
  expect(api.status).toBe(200);
  expect(Object.keys(api.body.paths).length).toBeGreaterThan(10);
  const v = await hub.call('GET', '/api/audit/verify', { token: admin.token });
  expect(v.body.ok).toBe(true);
});
