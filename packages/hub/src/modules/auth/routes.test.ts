import { migrateToLatest, openDatabase } from '@fedhub/db';
import { expect, it } from 'vitest';
import { buildHub } from '../../build-hub.js';
import { loadHubConfig } from '../../config.js';

it('rate-limits sign-in attempts per client address', async () => {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const app = buildHub({ config: loadHubConfig({}, { logLevel: 'silent', loginRateLimitPerMinute: 2 }), db });
  const login = () =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'nothing' },
    });
  expect((await login()).statusCode).toBe(401);
  expect((await login()).statusCode).toBe(401);
  const limited = await login();
  expect(limited.statusCode).toBe(429);
  expect(limited.json().code).toBe('FH_ERR_RATE_LIMITED');
  // other routes are not limited
  expect((await app.inject('/health')).statusCode).toBe(200);
  await app.close();
  await db.close();
});
