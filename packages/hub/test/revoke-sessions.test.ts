/**
 * Signing a user out everywhere from the admin pages (issues 15 and 20): their access tokens stop working
 * at once, the account stays usable, only a hub-admin may, and the audit trail keeps who, whom and why.
 */

import { sqliteBackend, startTestHub, type TestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorld, type World } from './world.js';

let hub: TestHub & { dispose(): Promise<void> };
let w: World;
beforeAll(async () => {
  hub = await startTestHub(sqliteBackend);
  w = await seedWorld(hub);
});
afterAll(async () => {
  await hub?.dispose();
});

describe('revoke a user’s sessions', () => {
  it('ends every session of the user at once, keeps the account, and audits it', async () => {
    expect((await hub.call('GET', '/api/me', { token: w.researcherA.token })).status).toBe(200);
    const refused = await hub.call('POST', `/api/users/${w.researcherA.id}/sessions/revoke`, {
      token: w.auditorA.token,
      body: { reason: 'lost laptop' },
    });
    expect(refused.status).toBe(403);
    const r = await hub.call('POST', `/api/users/${w.researcherA.id}/sessions/revoke`, {
      token: w.admin.token,
      body: { reason: 'lost laptop' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ username: 'researcher-a', disabledAt: null });
    expect((await hub.call('GET', '/api/me', { token: w.researcherA.token })).status).toBe(401);
    // a fresh sign-in works again: the account was not disabled
    const again = await hub.user('researcher-a2', w.orgA.id, ['researcher']);
    expect((await hub.call('GET', '/api/me', { token: again.token })).status).toBe(200);
    const audit = await hub.call('GET', '/api/audit?action=user.sessions-revoked', { token: w.admin.token });
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({
      actor: `user:${w.admin.id}`,
      object: `user:${w.researcherA.id}`,
      objectName: 'researcher-a',
      details: { reason: 'lost laptop' },
    });
  });

  it('lists a disabled user as disabled', async () => {
    await hub.call('POST', `/api/users/${w.nodeAdminA.id}/disable`, {
      token: w.admin.token,
      body: { reason: 'left the hospital' },
    });
    const users = await hub.call('GET', '/api/users', { token: w.admin.token });
    const u = users.body.find((x: { id: string }) => x.id === w.nodeAdminA.id);
    expect(typeof u.disabledAt).toBe('string');
    expect(users.body.find((x: { id: string }) => x.id === w.auditorA.id).disabledAt).toBeNull();
  });
});
