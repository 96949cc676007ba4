/**
 * A seeded world of two collaborations that must never see each other: A (Hospital A, hub org) and B
 * (Hospital B), each with an enrolled node, a study and a task; users of every role in A and a researcher in B.
 */
import { randomUUID } from 'node:crypto';
import { scriptedNode, type TestHub } from '@fedhub/testkit/hub-harness';
import { expect } from 'vitest';

export async function seedWorld(hub: TestHub) {
  const hubOrg = randomUUID();
  await hub.handle.db
    .insertInto('organisations')
    .values({
      id: hubOrg,
      name: 'Hub operator',
      country: null,
      created_at: new Date(hub.clock.now()).toISOString(),
    })
    .execute();
  const admin = await hub.user('admin', hubOrg, ['hub-admin']);
  const post = async (url: string, body: unknown, token = admin.token) => {
    const r = await hub.call('POST', url, { token, body });
    expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const orgA = await post('/api/organisations', { name: 'Hospital A', country: 'NL' });
  const orgB = await post('/api/organisations', { name: 'Hospital B' });
  const collabA = await post('/api/collaborations', { name: 'Collaboration A', organisationIds: [orgA.id] });
  const collabB = await post('/api/collaborations', { name: 'Collaboration B', organisationIds: [orgB.id] });
  const researcherA = await hub.user('researcher-a', orgA.id, ['researcher']);
  const researcherB = await hub.user('researcher-b', orgB.id, ['researcher']);
  const nodeAdminA = await hub.user('node-admin-a', orgA.id, ['node-admin']);
  const auditorA = await hub.user('auditor-a', orgA.id, ['auditor']);
  // one user through the API, so that route and its audit entry are exercised
  await post('/api/users', {
    username: 'clinician-a',
    password: 'a long enough password',
    organisationId: orgA.id,
    roles: ['researcher'],
    displayName: 'Dr A',
  });
  const nodeA = await scriptedNode(hub, admin.token, collabA.id, orgA.id, 'Node A');
  const nodeB = await scriptedNode(hub, admin.token, collabB.id, orgB.id, 'Node B');
  const studyA = await post(
    '/api/studies',
    { collaborationId: collabA.id, title: 'Study A', purpose: 'testing A', minNodes: 1 },
    researcherA.token,
  );
  const studyB = await post(
    '/api/studies',
    { collaborationId: collabB.id, title: 'Study B', purpose: 'testing B', minNodes: 1 },
    researcherB.token,
  );
  const taskA = await post(
    '/api/tasks',
    { studyId: studyA.id, algorithm: 'ping', params: {} },
    researcherA.token,
  );
  const taskB = await post(
    '/api/tasks',
    { studyId: studyB.id, algorithm: 'ping', params: {} },
    researcherB.token,
  );
  return {
    admin,
    orgA,
    orgB,
    collabA,
    collabB,
    researcherA,
    researcherB,
    nodeAdminA,
    auditorA,
    nodeA,
    nodeB,
    studyA,
    studyB,
    taskA,
    taskB,
  };
}
export type World = Awaited<ReturnType<typeof seedWorld>>;
