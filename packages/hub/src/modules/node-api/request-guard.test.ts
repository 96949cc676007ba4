import { randomUUID } from 'node:crypto';
import { migrateToLatest, openDatabase } from '@fedhub/db';
import { expect, it } from 'vitest';
import { buildHub } from '../../build-hub.js';
import { loadHubConfig } from '../../config.js';

it('limits node routes per address before checking the token or reading the body', async () => {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const app = buildHub({
    config: loadHubConfig({}, { logLevel: 'silent', nodeRateLimitPerMinute: 3 }),
    db,
  });
  const post = (url: string, payload: string) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
  const url = `/api/node/runs/${randomUUID()}/result`;
  // the body is not even JSON: the token is checked first, so the answer is 401, not 400
  for (let i = 0; i < 3; i++) expect((await post(url, '{not json')).statusCode).toBe(401);
  const limited = await post('/api/node/heartbeat', '{}');
  expect(limited.statusCode).toBe(429);
  expect(limited.json().code).toBe('FH_ERR_RATE_LIMITED');
  // enrolment keeps its own budget
  expect((await post('/api/node/enrol', '{}')).statusCode).toBe(400);
  await app.close();
  await db.close();
});
