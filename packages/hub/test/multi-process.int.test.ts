import { postgresReachable } from '@fedhub/db';
import { POSTGRES_TEST_URL, postgresWanted } from '@fedhub/testkit/hub-harness';
import { describe, expect, it } from 'vitest';
import { defineMultiProcessSuite } from './multi-process-suite.js';

if (await postgresWanted()) defineMultiProcessSuite('postgres');
else
  describe('two hub processes on PostgreSQL', () => {
    it(`is not run: no server at ${POSTGRES_TEST_URL} and FEDHUB_TEST_DATABASE_URL unset`, async () => {
      expect(await postgresReachable(POSTGRES_TEST_URL)).toBe(false);
    });
  });
