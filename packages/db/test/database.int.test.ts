/** The storage suite on PostgreSQL: always in CI (FEDHUB_TEST_DATABASE_URL), locally when a server answers. */
import { describe, expect, it } from 'vitest';
import { createScratchPostgresDatabase, openDatabase, postgresReachable } from '../src/index.js';
import { defineDatabaseSuite } from './database-suite.js';

const BASE_URL = process.env.FEDHUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const wanted = Boolean(process.env.FEDHUB_TEST_DATABASE_URL) || (await postgresReachable(BASE_URL));

if (wanted)
  defineDatabaseSuite({
    name: 'PostgreSQL',
    async open() {
      const scratch = await createScratchPostgresDatabase(BASE_URL);
      const handle = openDatabase({ url: scratch.url, poolSize: 8 });
      return {
        handle,
        async dispose() {
          await handle.close();
          await scratch.drop();
        },
      };
    },
  });
else
  describe('storage suite on PostgreSQL', () => {
    it(`is not run: no server at ${BASE_URL} and FEDHUB_TEST_DATABASE_URL unset`, async () => {
      expect(await postgresReachable(BASE_URL)).toBe(false);
    });
  });
