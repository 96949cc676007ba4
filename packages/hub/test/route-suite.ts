/**
 * The route test suite, written once and run against each backend (in-memory SQLite in `routes.test.ts`,
 * PostgreSQL in `routes.int.test.ts`).
 */
import { generateNodeKeys } from '@fedhub/crypto';
import { type Backend, startTestHub } from '@fedhub/testkit/hub-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTests } from './suite-access.js';
import { approvalTests } from './suite-approvals.js';
import { authTests } from './suite-auth.js';
import { eventAndAuditTests } from './suite-events-audit.js';
import { nodeProtocolTests } from './suite-node-protocol.js';
import { roundTests } from './suite-rounds.js';
import { scopingTests } from './suite-scoping.js';
import { sessionTests } from './suite-sessions.js';
import { type Hub, LEASE_MS, type SuiteState } from './suite-state.js';
import { studyTests } from './suite-studies.js';
import { seedWorld, type World } from './world.js';

const SUITES: ReadonlyArray<[string, (s: SuiteState) => void]> = [
  ['auth', authTests],
  ['session', sessionTests],
  ['access', accessTests],
  ['node protocol', nodeProtocolTests],
  ['round', roundTests],
  ['study', studyTests],
  ['approval', approvalTests],
  ['scoping', scopingTests],
  ['event and audit', eventAndAuditTests],
];

/** A hub of the suite's settings with its own seeded world. */
async function freshWorld(backend: Backend): Promise<SuiteState> {
  const hub = await startTestHub(backend, {
    accessTokenTtlSec: 86_400,
    leaseMs: LEASE_MS,
    checkDictionaries: true,
    socketRecheckMs: 100,
    maxSocketsPerUser: 3,
  });
  return { hub, w: await seedWorld(hub) };
}

export function defineRouteSuite(backend: Backend): void {
  describe(`hub routes on ${backend.name}`, () => {
    const s = {} as SuiteState;
    beforeAll(async () => {
      Object.assign(s, await freshWorld(backend));
    });
    afterAll(async () => s.hub?.dispose());

    it('serves an OpenAPI 3.1 document and a health check', async () => {
      const doc = await s.hub.call('GET', '/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      expect(doc.body.paths['/api/tasks/{id}/wait']?.get).toBeDefined();
      expect(doc.body.components.schemas.TaskDetail).toBeDefined();
      expect(await s.hub.call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
      const docs = await s.hub.app.inject({ method: 'GET', url: '/docs/' });
      expect(docs.statusCode).toBe(200);
    });
  });

  // each suite on its own hub and seeded world: none reads data another suite made, so each passes
  // alone (`-t "audit routes"`) and in any order
  for (const [name, register] of SUITES)
    describe(`${name} routes on ${backend.name}`, () => {
      const s = {} as SuiteState;
      beforeAll(async () => {
        Object.assign(s, await freshWorld(backend));
      });
      afterAll(async () => s.hub?.dispose());
      register(s);
    });

  describe(`token and enrolment expiry on ${backend.name}`, () => {
    let hub: Hub;
    let w: World;
    beforeAll(async () => {
      hub = await startTestHub(backend, { accessTokenTtlSec: 900 });
      w = await seedWorld(hub);
    });
    afterAll(async () => hub?.dispose());

    it('expires access tokens after their lifetime; a refresh token renews them', async () => {
      const pair = await hub.call('POST', '/api/auth/login', {
        body: { username: 'researcher-a', password: w.researcherA.password },
      });
      expect(pair.body.expiresIn).toBe(900);
      hub.clock.advance(901_000);
      const expired = await hub.call('GET', '/api/me', { token: pair.body.accessToken });
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('FH_ERR_TOKEN_EXPIRED');
      const renewed = await hub.call('POST', '/api/auth/refresh', {
        body: { refreshToken: pair.body.refreshToken },
      });
      expect((await hub.call('GET', '/api/me', { token: renewed.body.accessToken })).status).toBe(200);
    });

    it('refuses an enrolment token older than 7 days', async () => {
      const again = await hub.call('POST', '/api/auth/login', {
        body: { username: 'admin', password: w.admin.password },
      });
      const created = await hub.call('POST', '/api/nodes', {
        token: again.body.accessToken,
        body: { collaborationId: w.collabA.id, organisationId: w.orgA.id, name: 'Late node' },
      });
      hub.clock.advance(7 * 86_400_000 + 1000);
      const keys = generateNodeKeys();
      const late = await hub.call('POST', '/api/node/enrol', {
        body: {
          enrolmentToken: created.body.enrolmentToken,
          publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
          version: '1',
        },
      });
      expect(late.status).toBe(401);
      expect(late.body.code).toBe('FH_ERR_ENROLMENT');
    });
  });
}
