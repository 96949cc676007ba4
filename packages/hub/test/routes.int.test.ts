/**
 * The same route suite against PostgreSQL. In CI (FEDHUB_TEST_DATABASE_URL set) it always runs and an
 * unreachable server fails it; locally it runs when a server answers at the default URL.
 */
import { postgresReachable } from '@fedhub/db';
import { POSTGRES_TEST_URL, postgresBackend, postgresWanted } from '@fedhub/testkit/hub-harness';
import { describe, expect, it } from 'vitest';
import { defineRouteSuite } from './route-suite.js';

if (await postgresWanted()) defineRouteSuite(postgresBackend);
else
  describe('route suite on PostgreSQL', () => {
    it(`is not run: no server at ${POSTGRES_TEST_URL} and FEDHUB_TEST_DATABASE_URL unset`, async () => {
      expect(await postgresReachable(POSTGRES_TEST_URL)).toBe(false);
    });
  });
