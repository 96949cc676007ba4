/** The model registry routes on PostgreSQL (as routes.int.test.ts: always in CI, locally when a server answers). */
import { postgresReachable } from '@fedhub/db';
import { POSTGRES_TEST_URL, postgresBackend, postgresWanted } from '@fedhub/testkit/hub-harness';
import { describe, expect, it } from 'vitest';
import { modelRegistryTests } from './suite-models.js';

if (await postgresWanted()) modelRegistryTests(postgresBackend);
else
  describe('model registry on PostgreSQL', () => {
    it(`is not run: no server at ${POSTGRES_TEST_URL} and FEDHUB_TEST_DATABASE_URL unset`, async () => {
      expect(await postgresReachable(POSTGRES_TEST_URL)).toBe(false);
    });
  });
