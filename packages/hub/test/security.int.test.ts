/** The security suite against PostgreSQL (always in CI, where FEDHUB_TEST_DATABASE_URL is set). */
import { postgresReachable } from '@fedhub/db';
import { POSTGRES_TEST_URL, postgresBackend, postgresWanted } from '@fedhub/testkit/hub-harness';
import { describe, expect, it } from 'vitest';
import { defineSecuritySuite } from './security-suite.js';

if (await postgresWanted()) defineSecuritySuite(postgresBackend);
else
  describe('security suite on PostgreSQL', () => {
    it(`is not run: no server at ${POSTGRES_TEST_URL} and FEDHUB_TEST_DATABASE_URL unset`, async () => {
      expect(await postgresReachable(POSTGRES_TEST_URL)).toBe(false);
    });
  });
