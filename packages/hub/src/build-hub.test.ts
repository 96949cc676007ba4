import { randomUUID } from 'node:crypto';
import { generateNodeKeys } from '@fedhub/crypto';
import { migrateToLatest, openDatabase } from '@fedhub/db';
import pino from 'pino';
import { expect, it } from 'vitest';
import { buildHub, createHubContext } from './build-hub.js';
import { loadHubConfig } from './config.js';
import { createUser } from './modules/users/service.js';

it('logs each request with its id, method, path and status, never passwords, tokens or payloads', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (l: string) => lines.push(l) });
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const config = loadHubConfig({}, { logLevel: 'trace' });
  const app = buildHub({ config, db, log });
  await app.ready();
  const org = randomUUID();
  await db.db
    .insertInto('organisations')
    .values({ id: org, name: 'Hub', country: null, created_at: new Date().toISOString() })
    .execute();
  const password = 'a-password-nobody-should-log';
  await createUser(createHubContext({ config, db }), null, {
    username: 'admin',
    password,
    organisationId: org,
    roles: ['hub-admin'],
  });
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'admin', password },
  });
  const { accessToken, refreshToken } = login.json() as { accessToken: string; refreshToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };
  const o = (
    await app.inject({ method: 'POST', url: '/api/organisations', headers: auth, payload: { name: 'A' } })
  ).json();
  const c = (
    await app.inject({
      method: 'POST',
      url: '/api/collaborations',
      headers: auth,
      payload: { name: 'C', organisationIds: [o.id] },
    })
  ).json();
  const n = (
    await app.inject({
      method: 'POST',
      url: '/api/nodes',
      headers: auth,
      payload: { collaborationId: c.id, organisationId: o.id, name: 'N' },
    })
  ).json();
  const keys = generateNodeKeys();
  const e = (
    await app.inject({
      method: 'POST',
      url: '/api/node/enrol',
      payload: {
        enrolmentToken: n.enrolmentToken,
        publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
        version: 't',
      },
    })
  ).json();
  await app.inject({
    method: 'POST',
    url: '/api/node/claim',
    headers: { authorization: `Bearer ${e.nodeToken}` },
    payload: { waitMs: 0 },
  });
  await app.inject({ method: 'GET', url: `/api/me?access_token=${accessToken}` });
  await app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });
  await app.close();
  await db.close();

  const text = lines.join('');
  for (const secret of [
    password,
    accessToken,
    refreshToken,
    n.enrolmentToken,
    e.nodeToken,
    keys.ed25519.publicKey,
  ])
    expect(text).not.toContain(secret);
  const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
  expect(requests.length).toBeGreaterThanOrEqual(8);
  expect(requests[0]).toMatchObject({
    reqId: expect.any(String),
    method: 'POST',
    path: '/api/auth/login',
    status: 200,
  });
  expect(requests.some((r) => r.path === '/api/me')).toBe(true);
});
