import { migrateToLatest, openDatabase } from '@fedhub/db';
import { expect, it } from 'vitest';
import { buildHub } from '../../build-hub.js';
import { loadHubConfig } from '../../config.js';

it('answers 200 while the database answers and 503 when it does not', async () => {
  const db = openDatabase({ inMemory: true });
  await migrateToLatest(db.db as never);
  const app = buildHub({ config: loadHubConfig({}, { logLevel: 'silent' }), db });
  await app.ready();
  expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
  await db.close();
  const down = await app.inject('/health');
  expect(down.statusCode).toBe(503);
  expect(down.json()).toEqual({ status: 'unavailable' });
  await app.close();
});
