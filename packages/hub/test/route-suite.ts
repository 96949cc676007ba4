/**
 * The route test suite, written once and run against each backend (in-memory SQLite in `routes.test.ts`,
 * PostgreSQL in `routes.int.test.ts`).
 */
import { generateNodeKeys } from '@fedhub/crypto';
import type { RunAssignment } from '@fedhub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub, loadHubConfig } from '../src/index.js';
import { type Backend, scriptedNode, startTestHub, testAlgorithms } from './harness.js';
import { seedWorld, type World } from './world.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

const LEASE_MS = 30_000;

export function defineRouteSuite(backend: Backend): void {
  describe(`hub routes on ${backend.name}`, () => {
    let hub: Hub;
    let w: World;
    beforeAll(async () => {
      hub = await startTestHub(backend, {
        accessTokenTtlSec: 86_400,
        leaseMs: LEASE_MS,
        checkDictionaries: true,
      });
      w = await seedWorld(hub);
    });
    afterAll(async () => hub?.dispose());

    it('serves an OpenAPI 3.1 document and a health check', async () => {
      const doc = await hub.call('GET', '/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      expect(doc.body.paths['/api/tasks/{id}/wait']?.get).toBeDefined();
      expect(doc.body.components.schemas.TaskDetail).toBeDefined();
      expect(await hub.call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
      const docs = await hub.app.inject({ method: 'GET', url: '/docs/' });
      expect(docs.statusCode).toBe(200);
    });

    it('answers malformed requests with FH_ERR_VALIDATION naming the fields, never a stack', async () => {
      const bad = await hub.call('POST', '/api/organisations', {
        token: w.admin.token,
        body: { name: '', country: 'NLD' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('FH_ERR_VALIDATION');
      const paths = new Set(bad.body.details.fields.map((f: { path: string }) => f.path));
      expect([...paths].sort()).toEqual(['body.country', 'body.name']);
      const notJson = await hub.app.inject({
        method: 'POST',
        url: '/api/organisations',
        headers: { authorization: `Bearer ${w.admin.token}`, 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(notJson.statusCode).toBe(400);
      expect(JSON.parse(notJson.body)).toMatchObject({ code: 'FH_ERR_VALIDATION' });
      expect(notJson.body).not.toMatch(/at .*\.js/);
      const query = await hub.call('GET', '/api/tasks?studyId=not-a-uuid', { token: w.admin.token });
      expect(query.status).toBe(400);
      expect(query.body.details.fields[0].path).toBe('querystring.studyId');
      expect((await hub.call('GET', '/api/nowhere')).body.code).toBe('FH_ERR_NOT_FOUND');
      expect((await hub.call('GET', '/api/me')).body.code).toBe('FH_ERR_UNAUTHENTICATED');
      expect((await hub.call('GET', '/api/me', { token: 'fha.forged.token' })).body.code).toBe(
        'FH_ERR_TOKEN_INVALID',
      );
    });

    it('gives the same answer for an unknown user and a wrong password, and audits both', async () => {
      const unknown = await hub.call('POST', '/api/auth/login', {
        body: { username: 'nobody', password: 'whatever-it-is' },
      });
      const wrong = await hub.call('POST', '/api/auth/login', {
        body: { username: 'researcher-a', password: 'wrong-password' },
      });
      expect(unknown.status).toBe(401);
      expect(wrong).toEqual(unknown);
      expect(unknown.body).toEqual({
        code: 'FH_ERR_BAD_CREDENTIALS',
        message: 'Unknown user or wrong password',
      });
      const audit = await hub.call('GET', '/api/audit?action=login.failed', { token: w.auditorA.token });
      expect(audit.body.map((e: { details: { username: string } }) => e.details.username)).toEqual(
        expect.arrayContaining(['nobody', 'researcher-a']),
      );
      expect(JSON.stringify(audit.body)).not.toContain('wrong-password');
    });

    it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
      const first = await hub.call('POST', '/api/auth/login', {
        body: { username: 'researcher-a', password: w.researcherA.password },
      });
      const second = await hub.call('POST', '/api/auth/refresh', {
        body: { refreshToken: first.body.refreshToken },
      });
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
      expect((await hub.call('GET', '/api/me', { token: second.body.accessToken })).body.username).toBe(
        'researcher-a',
      );
      const reuse = await hub.call('POST', '/api/auth/refresh', {
        body: { refreshToken: first.body.refreshToken },
      });
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('FH_ERR_TOKEN_INVALID');
      // the legitimate holder of the newest token is signed out too
      const after = await hub.call('POST', '/api/auth/refresh', {
        body: { refreshToken: second.body.refreshToken },
      });
      expect(after.status).toBe(401);
      // sign-out revokes a fresh family
      const third = await hub.call('POST', '/api/auth/login', {
        body: { username: 'researcher-a', password: w.researcherA.password },
      });
      expect(
        (await hub.call('POST', '/api/auth/logout', { body: { refreshToken: third.body.refreshToken } }))
          .body,
      ).toEqual({ ok: true });
      expect(
        (await hub.call('POST', '/api/auth/refresh', { body: { refreshToken: third.body.refreshToken } }))
          .status,
      ).toBe(401);
    });

    it('locks an account after 10 consecutive failures for 15 minutes, surviving a restart', async () => {
      const victim = await hub.user('lock-me', w.orgA.id, ['researcher']);
      // concurrently, so that the failure counter must be incremented atomically
      const failures = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          hub.call('POST', '/api/auth/login', { body: { username: 'lock-me', password: `wrong-${i}` } }),
        ),
      );
      expect(failures.map((r) => r.body.code)).toEqual(Array(10).fill('FH_ERR_BAD_CREDENTIALS'));
      const locked = await hub.call('POST', '/api/auth/login', {
        body: { username: 'lock-me', password: victim.password },
      });
      expect(locked.status).toBe(423);
      expect(locked.body.code).toBe('FH_ERR_ACCOUNT_LOCKED');
      // a new hub process on the same database sees the lock
      const config = loadHubConfig({}, { logLevel: 'silent' });
      const other = buildHub({ config, db: hub.handle, clock: hub.clock, algorithms: testAlgorithms });
      const res = await other.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'lock-me', password: victim.password },
      });
      expect(res.statusCode).toBe(423);
      await other.close();
      hub.clock.advance(15 * 60_000 + 1000);
      const ok = await hub.call('POST', '/api/auth/login', {
        body: { username: 'lock-me', password: victim.password },
      });
      expect(ok.status).toBe(200);
      const row = await hub.handle.db
        .selectFrom('users')
        .select(['failed_logins', 'locked_until'])
        .where('username', '=', 'lock-me')
        .executeTakeFirstOrThrow();
      expect(Number(row.failed_logins)).toBe(0);
      expect(row.locked_until).toBeNull();
    });

    it('creates, lists, accepts and revokes API tokens, stored hashed', async () => {
      const created = await hub.call('POST', '/api/tokens', {
        token: w.researcherA.token,
        body: { name: 'ci', expiresInDays: 30 },
      });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^fhp_/);
      const stored = await hub.handle.db
        .selectFrom('api_tokens')
        .select('token_hash')
        .where('id', '=', created.body.id)
        .executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toContain(created.body.token.slice(4));
      expect((await hub.call('GET', '/api/me', { token: created.body.token })).body.username).toBe(
        'researcher-a',
      );
      const list = await hub.call('GET', '/api/tokens', { token: created.body.token });
      expect(list.body.map((t: { id: string }) => t.id)).toContain(created.body.id);
      expect(list.body[0].token).toBeUndefined();
      expect(
        (await hub.call('DELETE', `/api/tokens/${created.body.id}`, { token: w.researcherB.token })).status,
      ).toBe(404);
      expect(
        (await hub.call('DELETE', `/api/tokens/${created.body.id}`, { token: w.researcherA.token })).body,
      ).toEqual({ ok: true });
      expect((await hub.call('GET', '/api/me', { token: created.body.token })).body.code).toBe(
        'FH_ERR_TOKEN_INVALID',
      );
    });

    it('enforces roles', async () => {
      const forbidden = async (token: string, method: 'GET' | 'POST', url: string, body?: unknown) => {
        const r = await hub.call(method, url, { token, body });
        expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(403);
        expect(r.body.code).toBe('FH_ERR_FORBIDDEN');
      };
      await forbidden(w.researcherA.token, 'POST', '/api/organisations', { name: 'Rogue' });
      await forbidden(w.researcherA.token, 'GET', '/api/users');
      await forbidden(w.researcherA.token, 'POST', '/api/users', {
        username: 'rogue',
        password: 'long-enough-password',
        organisationId: w.orgA.id,
        roles: ['hub-admin'],
      });
      await forbidden(w.researcherA.token, 'POST', '/api/collaborations', { name: 'Rogue collab' });
      await forbidden(w.researcherA.token, 'POST', `/api/collaborations/${w.collabA.id}/organisations`, {
        organisationId: w.orgB.id,
      });
      await forbidden(w.researcherA.token, 'POST', '/api/nodes', {
        collaborationId: w.collabA.id,
        organisationId: w.orgA.id,
        name: 'Rogue',
      });
      await forbidden(w.researcherA.token, 'GET', '/api/audit');
      await forbidden(w.nodeAdminA.token, 'POST', '/api/studies', {
        collaborationId: w.collabA.id,
        title: 'Not mine',
        purpose: 'nope',
      });
      await forbidden(w.nodeAdminA.token, 'POST', '/api/tasks', {
        studyId: w.studyA.id,
        algorithm: 'ping',
        params: {},
      });
      await forbidden(w.auditorA.token, 'POST', `/api/tasks/${w.taskA.id}/cancel`);
      // a node-admin may create nodes for their own organisation only
      const own = await hub.call('POST', '/api/nodes', {
        token: w.nodeAdminA.token,
        body: { collaborationId: w.collabA.id, organisationId: w.orgA.id, name: 'Node A2' },
      });
      expect(own.status).toBe(201);
      expect(own.body.enrolmentToken).toMatch(/^fhe_/);
      expect(Date.parse(own.body.enrolmentExpiresAt) - hub.clock.now()).toBe(7 * 86_400_000);
      await forbidden(w.nodeAdminA.token, 'POST', '/api/nodes', {
        collaborationId: w.collabA.id,
        organisationId: w.orgB.id,
        name: 'Node X',
      });
      expect((await hub.call('GET', '/api/audit', { token: w.auditorA.token })).status).toBe(200);
      expect(
        (await hub.call('GET', '/api/users', { token: w.admin.token })).body.length,
      ).toBeGreaterThanOrEqual(5);
    });

    it('answers 404 on every route for objects of another collaboration (routes from the OpenAPI document)', async () => {
      const tokenB = await hub.call('POST', '/api/tokens', {
        token: w.researcherB.token,
        body: { name: 'b' },
      });
      const idOf: Record<string, string> = {
        collaborations: w.collabB.id,
        nodes: w.nodeB.id,
        studies: w.studyB.id,
        tasks: w.taskB.id,
        tokens: tokenB.body.id,
      };
      const bodies: Record<string, unknown> = {
        'POST /api/collaborations/{id}/organisations': { organisationId: w.orgA.id },
        'POST /api/nodes': { collaborationId: w.collabB.id, organisationId: w.orgB.id, name: 'Sneaky' },
        'POST /api/studies': { collaborationId: w.collabB.id, title: 'Sneaky', purpose: 'sneaky' },
        'POST /api/tasks': { studyId: w.studyB.id, algorithm: 'ping', params: {} },
      };
      const unscoped = new Set([
        'GET /api/me',
        'POST /api/auth/login',
        'POST /api/auth/refresh',
        'POST /api/auth/logout',
        'GET /api/tokens',
        'POST /api/tokens',
        'GET /api/organisations',
        'POST /api/organisations',
        'GET /api/users',
        'POST /api/users',
        'GET /api/collaborations',
        'POST /api/collaborations',
        'GET /api/algorithms',
        'GET /api/audit',
        'GET /api/audit/verify',
      ]);
      const doc = (await hub.call('GET', '/openapi.json')).body as {
        paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
      };
      const tested: string[] = [];
      const skipped: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        if (!path.startsWith('/api/') || path.startsWith('/api/node/')) continue;
        for (const [m, op] of Object.entries(ops)) {
          const method = m.toUpperCase();
          const key = `${method} ${path}`;
          const scopedQuery = (op.parameters ?? []).filter(
            (p) => p.in === 'query' && (p.name === 'collaborationId' || p.name === 'studyId'),
          );
          let url = path;
          if (path.includes('{id}')) {
            const id = idOf[path.split('/')[2]!];
            expect(id, `no object of another collaboration for ${key}`).toBeDefined();
            url = path.replace('{id}', id!);
            if (path.endsWith('/wait')) url += '?timeoutMs=0';
          } else if (scopedQuery.length > 0) {
            const p = scopedQuery[0]!.name;
            url = `${path}?${p}=${p === 'studyId' ? w.studyB.id : w.collabB.id}`;
          } else if (!(key in bodies)) {
            skipped.push(key);
            continue;
          }
          for (const who of [w.researcherA, w.nodeAdminA, w.auditorA]) {
            const r = await hub.call(method as 'GET', url, { token: who.token, body: bodies[key] });
            expect(r.status, `${key} as a member of A: ${JSON.stringify(r.body)}`).toBe(404);
            expect(r.body.code).toBe('FH_ERR_NOT_FOUND');
          }
          tested.push(key);
        }
      }
      expect(skipped.sort()).toEqual([...unscoped].sort());
      expect(tested.length).toBeGreaterThanOrEqual(14);
      // and the same object is visible to its own collaboration
      expect((await hub.call('GET', `/api/tasks/${w.taskB.id}`, { token: w.researcherB.token })).status).toBe(
        200,
      );
    });

    it('lists only objects of the collaborations a user belongs to', async () => {
      const ids = async (url: string) =>
        ((await hub.call('GET', url, { token: w.researcherA.token })).body as Array<{ id: string }>).map(
          (x) => x.id,
        );
      expect(await ids('/api/collaborations')).toEqual([w.collabA.id]);
      expect(await ids('/api/nodes')).not.toContain(w.nodeB.id);
      expect(await ids('/api/nodes')).toContain(w.nodeA.id);
      expect(await ids('/api/studies')).toEqual([w.studyA.id]);
      expect(await ids('/api/tasks')).not.toContain(w.taskB.id);
      expect(await ids('/api/organisations')).toEqual([w.orgA.id]);
      const me = await hub.call('GET', '/api/me', { token: w.researcherA.token });
      expect(me.body).toMatchObject({
        username: 'researcher-a',
        roles: ['researcher'],
        collaborationIds: [w.collabA.id],
      });
    });

    it('enrols a node once, with keys of the right kinds, and keeps node and user tokens apart', async () => {
      const created = await hub.call('POST', '/api/nodes', {
        token: w.admin.token,
        body: { collaborationId: w.collabA.id, organisationId: w.orgA.id, name: 'Node A3' },
      });
      const keys = generateNodeKeys();
      const swapped = await hub.call('POST', '/api/node/enrol', {
        body: {
          enrolmentToken: created.body.enrolmentToken,
          publicKeys: { x25519: keys.ed25519.publicKey, ed25519: keys.x25519.publicKey },
          version: '1',
        },
      });
      expect(swapped.status).toBe(400);
      expect(swapped.body.details.fields.map((f: { path: string }) => f.path)).toEqual([
        'body.publicKeys.x25519',
        'body.publicKeys.ed25519',
      ]);
      const body = {
        enrolmentToken: created.body.enrolmentToken,
        publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
        version: '1',
      };
      const ok = await hub.call('POST', '/api/node/enrol', { body });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        nodeId: created.body.node.id,
        nodeName: 'Node A3',
        collaborationId: w.collabA.id,
      });
      expect(ok.body.nodeToken).toMatch(/^fhn_/);
      const again = await hub.call('POST', '/api/node/enrol', { body });
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('FH_ERR_ENROLMENT');
      expect((await hub.call('GET', '/api/me', { token: ok.body.nodeToken })).status).toBe(401);
      expect(
        (await hub.call('POST', '/api/node/claim', { token: w.admin.token, body: { waitMs: 0 } })).status,
      ).toBe(401);
      const node = await hub.call('GET', `/api/nodes/${created.body.node.id}`, {
        token: w.researcherA.token,
      });
      expect(node.body.publicKeys).toEqual({
        x25519: keys.x25519.publicKey,
        ed25519: keys.ed25519.publicKey,
      });
    });

    it('refuses heartbeats from a skewed clock and records datasets and liveness', async () => {
      const skewed = await w.nodeA.call('POST', '/api/node/heartbeat', {
        version: '2.0',
        clock: new Date(hub.clock.now() + 6 * 60_000).toISOString(),
        datasets: [],
      });
      expect(skewed.status).toBe(409);
      expect(skewed.body.code).toBe('FH_ERR_CLOCK_SKEW');
      const dictionary = { name: 'cohort', columns: [{ name: 'age', type: 'numeric' }] };
      const ok = await w.nodeA.call('POST', '/api/node/heartbeat', {
        version: '2.0',
        clock: new Date(hub.clock.now() + 60_000).toISOString(),
        datasets: [dictionary],
      });
      expect(ok.body).toEqual({ serverTime: new Date(hub.clock.now()).toISOString(), leaseMs: LEASE_MS });
      const node = await hub.call('GET', `/api/nodes/${w.nodeA.id}`, { token: w.researcherA.token });
      expect(node.body).toMatchObject({ status: 'online', version: '2.0', datasets: [dictionary] });
      hub.clock.advance(61_000);
      expect(
        (await hub.call('GET', `/api/nodes/${w.nodeA.id}`, { token: w.researcherA.token })).body.status,
      ).toBe('offline');
    });

    it('refuses a task naming a dataset or column missing from the dictionaries its nodes published', async () => {
      const submit = (params: unknown) =>
        hub.call('POST', '/api/tasks', {
          token: w.researcherA.token,
          body: { studyId: w.studyA.id, algorithm: 'summary', params },
        });
      const column = await submit({ dataset: 'cohort', columns: ['age', 'weight'] });
      expect(column.status).toBe(422);
      expect(column.body.code).toBe('FH_ERR_UNKNOWN_COLUMN');
      expect(column.body.message).toBe('dataset "cohort" has no column "weight" at Node A');
      const dataset = await submit({ dataset: 'cohrot', columns: ['age'] });
      expect(dataset.status).toBe(422);
      expect(dataset.body).toMatchObject({
        code: 'FH_ERR_UNKNOWN_DATASET',
        details: { dataset: 'cohrot', nodes: ['Node A'] },
      });
      const ok = await submit({ dataset: 'cohort', columns: ['age'] });
      expect(ok.status).toBe(201);
      expect(
        (await hub.call('POST', `/api/tasks/${ok.body.id}/cancel`, { token: w.researcherA.token })).body
          .status,
      ).toBe('cancelled');
    });

    it('re-queues an expired lease, refuses the stale attempt, a forged signature and a tampered payload, stores a duplicate once', async () => {
      const first = (await w.nodeA.claim())!;
      expect(first).toMatchObject({
        taskId: w.taskA.id,
        attempt: 1,
        round: 1,
        algorithm: 'ping',
        leaseMs: LEASE_MS,
      });
      expect(first.peers).toEqual([{ nodeId: w.nodeA.id, x25519: w.nodeA.keys.x25519.publicKey }]);
      expect(await w.nodeA.claim()).toBeNull();
      hub.clock.advance(LEASE_MS + 1);
      // any claim sweeps expired leases first (here Node B's, which takes its own task's run): once the run
      // is back in the queue, the late result of attempt 1 is stale even before anyone re-claims it
      expect((await w.nodeB.claim())?.taskId).toBe(w.taskB.id);
      const late = await w.nodeA.post(first, w.nodeA.result(first, { node: 'Node A' }));
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('FH_ERR_STALE_ATTEMPT');
      const second = (await w.nodeA.claim())!;
      expect(second).toMatchObject({ runId: first.runId, attempt: 2 });
      const staleBeat = await w.nodeA.call('POST', `/api/node/runs/${first.runId}/heartbeat`, { attempt: 1 });
      expect(staleBeat.status).toBe(409);
      expect(staleBeat.body.code).toBe('FH_ERR_STALE_ATTEMPT');
      const stale = await w.nodeA.post(first, w.nodeA.result(first, { node: 'Node A' }));
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('FH_ERR_STALE_ATTEMPT');
      const forged = await w.nodeA.post(
        second,
        w.nodeA.result(second, { node: 'Node A' }, generateNodeKeys().ed25519.privateKey),
      );
      expect(forged.status).toBe(422);
      expect(forged.body.code).toBe('FH_ERR_SIGNATURE');
      const tampered = await w.nodeA.post(second, {
        ...w.nodeA.result(second, { node: 'Node A' }),
        payload: { node: 'Mallory' },
      });
      expect(tampered.status).toBe(422);
      expect(tampered.body.code).toBe('FH_ERR_DIGEST');
      const good = w.nodeA.result(second, { node: 'Node A' });
      const a = await w.nodeA.post(second, good);
      const b = await w.nodeA.post(second, good);
      expect(a).toEqual({
        status: 200,
        body: { accepted: true, duplicate: false, runId: second.runId, attempt: 2 },
      });
      expect(b).toEqual({
        status: 200,
        body: { accepted: true, duplicate: true, runId: second.runId, attempt: 2 },
      });
      const task = await hub.call('GET', `/api/tasks/${w.taskA.id}`, { token: w.researcherA.token });
      expect(task.body).toMatchObject({
        status: 'completed',
        result: { algorithm: 'ping', nodes: ['Node A'] },
      });
      expect(task.body.runs).toHaveLength(1);
      expect(task.body.runs[0]).toMatchObject({ attempt: 2, status: 'completed' });
      const accepted = await hub.handle.db
        .selectFrom('audit_events')
        .select('seq')
        .where('action', '=', 'result.accepted')
        .where('object', '=', `run:${second.runId}`)
        .execute();
      expect(accepted).toHaveLength(1);
      const rejected = await hub.handle.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'result.rejected')
        .execute();
      expect(rejected.map((r) => JSON.parse(r.details).reason).sort()).toEqual([
        'FH_ERR_DIGEST',
        'FH_ERR_SIGNATURE',
      ]);
      // another node may not touch this node's run
      expect(
        (await w.nodeB.call('POST', `/api/node/runs/${second.runId}/heartbeat`, { attempt: 2 })).status,
      ).toBe(404);
      expect((await w.nodeB.post(second, w.nodeB.result(second, { node: 'Node B' }))).status).toBe(404);
    });

    it('extends a lease with heartbeats and tells the node when its task was cancelled', async () => {
      const task = await hub.call('POST', '/api/tasks', {
        token: w.researcherA.token,
        body: { studyId: w.studyA.id, algorithm: 'ping', params: {} },
      });
      const run = (await w.nodeA.claim())!;
      expect(run.taskId).toBe(task.body.id);
      hub.clock.advance(LEASE_MS / 2);
      const beat = await w.nodeA.call('POST', `/api/node/runs/${run.runId}/heartbeat`, { attempt: 1 });
      expect(beat.body).toEqual({
        leaseExpiresAt: new Date(hub.clock.now() + LEASE_MS).toISOString(),
        cancelled: false,
      });
      hub.clock.advance(LEASE_MS * 0.75);
      expect(await w.nodeA.claim()).toBeNull(); // sweeps, but the lease still holds
      expect(
        (await hub.call('GET', `/api/tasks/${task.body.id}`, { token: w.researcherA.token })).body.runs[0]
          .status,
      ).toBe('claimed');
      const cancelled = await hub.call('POST', `/api/tasks/${task.body.id}/cancel`, {
        token: w.researcherA.token,
      });
      expect(cancelled.body.status).toBe('cancelled');
      const after = await w.nodeA.call('POST', `/api/node/runs/${run.runId}/heartbeat`, { attempt: 1 });
      expect(after.body.cancelled).toBe(true);
      expect((await w.nodeA.post(run, w.nodeA.result(run, { node: 'Node A' }))).status).toBe(409);
      expect(
        (await hub.call('POST', `/api/tasks/${task.body.id}/cancel`, { token: w.researcherA.token })).body
          .code,
      ).toBe('FH_ERR_CONFLICT');
    });

    describe('aggregation rounds', () => {
      let r1: Awaited<ReturnType<typeof scriptedNode>>;
      let r2: Awaited<ReturnType<typeof scriptedNode>>;
      let studyId: string;
      beforeAll(async () => {
        const collab = await hub.call('POST', '/api/collaborations', {
          token: w.admin.token,
          body: { name: 'Rounds', organisationIds: [w.orgA.id] },
        });
        r1 = await scriptedNode(hub, w.admin.token, collab.body.id, w.orgA.id, 'R1');
        r2 = await scriptedNode(hub, w.admin.token, collab.body.id, w.orgA.id, 'R2');
        const study = await hub.call('POST', '/api/studies', {
          token: w.researcherA.token,
          body: {
            collaborationId: collab.body.id,
            title: 'Rounds study',
            purpose: 'multi-round aggregation',
          },
        });
        studyId = study.body.id;
      });
      const submit = async (params: unknown) => {
        const t = await hub.call('POST', '/api/tasks', {
          token: w.researcherA.token,
          body: { studyId, algorithm: 'sum-rounds', params },
        });
        expect(t.status, JSON.stringify(t.body)).toBe(201);
        return t.body.id as string;
      };

      it('runs three rounds, carrying input and state, and finishes once', async () => {
        const taskId = await submit({ rounds: 3 });
        let expected = 0;
        for (let round = 1; round <= 3; round++) {
          const a = (await r1.claim()) as RunAssignment;
          const b = (await r2.claim()) as RunAssignment;
          expect(a).toMatchObject({ taskId, round, input: { round } });
          expect(b).toMatchObject({ taskId, round, input: { round } });
          expect(a.peers.map((p) => p.nodeId).sort()).toEqual([r1.id, r2.id].sort());
          expect((await r1.post(a, r1.result(a, { value: round * 10 }))).status).toBe(200);
          const before = await hub.call('GET', `/api/tasks/${taskId}/wait?since=0&timeoutMs=0`, {
            token: w.researcherA.token,
          });
          expect(before.body.round).toBe(round);
          const waiting = hub.call(
            'GET',
            `/api/tasks/${taskId}/wait?since=${before.body.revision}&timeoutMs=5000`,
            { token: w.researcherA.token },
          );
          expect((await r2.post(b, r2.result(b, { value: round }))).status).toBe(200);
          const woke = await waiting;
          expect(woke.body.revision).toBeGreaterThan(before.body.revision);
          expected += round * 11;
        }
        const done = await hub.call('GET', `/api/tasks/${taskId}`, { token: w.researcherA.token });
        expect(done.body).toMatchObject({
          status: 'completed',
          round: 3,
          result: { total: expected, rounds: 3 },
        });
        expect(done.body.runs).toHaveLength(6);
        expect(expected).toBe(66);
        expect(await r1.claim()).toBeNull();
        const finished = await hub.handle.db
          .selectFrom('audit_events')
          .select('details')
          .where('action', '=', 'task.finished')
          .where('object', '=', `task:${taskId}`)
          .execute();
        expect(finished).toHaveLength(1);
      });

      it('fails the task with FH_ERR_NODE_REFUSED naming the refusing node', async () => {
        const taskId = await submit({ rounds: 2 });
        const a = (await r1.claim())!;
        const b = (await r2.claim())!;
        await r1.post(a, r1.result(a, { value: 1 }));
        expect((await r2.post(b, r2.result(b, null, undefined, 'refused'))).status).toBe(200);
        const t = await hub.call('GET', `/api/tasks/${taskId}`, { token: w.researcherA.token });
        expect(t.body.status).toBe('failed');
        expect(t.body.error.code).toBe('FH_ERR_NODE_REFUSED');
        expect(t.body.error.message).toContain('R2 (FH_ERR_SMALL_CELL');
        expect(t.body.error.details.nodes).toEqual([
          {
            nodeId: r2.id,
            nodeName: 'R2',
            code: 'FH_ERR_SMALL_CELL',
            message: 'a cell holds 3 records (< 5)',
          },
        ]);
        expect(t.body.round).toBe(1);
      });

      it('fails the task with the error the aggregation throws', async () => {
        const taskId = await submit({ rounds: 3, failAt: 2 });
        for (let round = 1; round <= 2; round++) {
          const a = (await r1.claim())!;
          const b = (await r2.claim())!;
          await r1.post(a, r1.result(a, { value: 1 }));
          await r2.post(b, r2.result(b, { value: 1 }));
        }
        const t = await hub.call('GET', `/api/tasks/${taskId}`, { token: w.researcherA.token });
        expect(t.body).toMatchObject({
          status: 'failed',
          round: 2,
          error: { code: 'FH_ERR_ALGORITHM_FAILED', message: 'fails at round 2' },
        });
      });

      it('refuses invalid parameters with their field paths, and unknown algorithms', async () => {
        const bad = await hub.call('POST', '/api/tasks', {
          token: w.researcherA.token,
          body: { studyId, algorithm: 'sum-rounds', params: { rounds: 'three', extra: 1 } },
        });
        expect(bad.status).toBe(400);
        expect(bad.body.code).toBe('FH_ERR_BAD_PARAMS');
        expect(bad.body.details.fields.map((f: { path: string }) => f.path).sort()).toEqual([
          'params',
          'params.rounds',
        ]);
        const unknown = await hub.call('POST', '/api/tasks', {
          token: w.researcherA.token,
          body: { studyId, algorithm: 'no-such', params: {} },
        });
        expect(unknown.status).toBe(422);
        expect(unknown.body.code).toBe('FH_ERR_UNKNOWN_ALGORITHM');
        const algos = await hub.call('GET', '/api/algorithms', { token: w.researcherA.token });
        expect(algos.body.map((a: { name: string }) => a.name)).toEqual(['ping', 'summary', 'sum-rounds']);
      });
    });

    it('pushes task events over the WebSocket to subscribers who may see the task', async () => {
      const ws = await hub.app.injectWS('/api/events', {
        headers: { authorization: `Bearer ${w.researcherA.token}` },
      });
      const received: Array<{ type: string; taskId: string }> = [];
      ws.on('message', (d: Buffer) => received.push(JSON.parse(d.toString())));
      ws.send(JSON.stringify({ subscribe: { studyId: w.studyA.id } }));
      const wsB = await hub.app.injectWS(
        `/api/events?access_token=${encodeURIComponent(w.researcherB.token)}`,
      );
      const receivedB: unknown[] = [];
      wsB.on('message', (d: Buffer) => receivedB.push(JSON.parse(d.toString())));
      wsB.send(JSON.stringify({ subscribe: { studyId: w.studyA.id } }));
      await new Promise((r) => setTimeout(r, 100));
      const task = await hub.call('POST', '/api/tasks', {
        token: w.researcherA.token,
        body: { studyId: w.studyA.id, algorithm: 'ping', params: {} },
      });
      const run = (await w.nodeA.claim())!;
      await w.nodeA.post(run, w.nodeA.result(run, { node: 'Node A' }));
      for (let i = 0; i < 50 && !received.some((e) => e.type === 'task.finished'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(received.map((e) => e.type)).toEqual([
        'task.created',
        'round.started',
        'run.updated',
        'run.updated',
        'task.finished',
      ]);
      expect(received.every((e) => e.taskId === task.body.id)).toBe(true);
      expect(receivedB).toEqual([]);
      ws.terminate();
      wsB.terminate();
      const anonymous = await hub.app.inject({
        method: 'GET',
        url: '/api/events',
        headers: { connection: 'upgrade', upgrade: 'websocket' },
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it('keeps an audit hash chain that verifies, and finds a tampered entry', async () => {
      const v = await hub.call('GET', '/api/audit/verify', { token: w.auditorA.token });
      expect(v.body).toMatchObject({ ok: true, broken: null });
      const actions = new Set(
        (await hub.handle.db.selectFrom('audit_events').select('action').execute()).map((r) => r.action),
      );
      for (const a of [
        'login.succeeded',
        'login.failed',
        'login.locked',
        'user.created',
        'organisation.created',
        'collaboration.created',
        'node.created',
        'node.enrolled',
        'study.created',
        'task.submitted',
        'run.claimed',
        'run.requeued',
        'result.accepted',
        'result.refused',
        'result.rejected',
        'task.finished',
        'task.cancelled',
      ])
        expect(actions, a).toContain(a);
      expect(v.body.count).toBe(
        actions.size > 0
          ? (await hub.handle.db.selectFrom('audit_events').select('seq').execute()).length
          : 0,
      );
      const original = await hub.handle.db
        .selectFrom('audit_events')
        .select('details')
        .where('seq', '=', 5)
        .executeTakeFirstOrThrow();
      await hub.handle.db
        .updateTable('audit_events')
        .set({ details: '{"edited":true}' })
        .where('seq', '=', 5)
        .execute();
      const broken = await hub.call('GET', '/api/audit/verify', { token: w.admin.token });
      expect(broken.body).toMatchObject({ ok: false, count: 4, broken: { seq: 5 } });
      await hub.handle.db
        .updateTable('audit_events')
        .set({ details: original.details })
        .where('seq', '=', 5)
        .execute();
      expect((await hub.call('GET', '/api/audit/verify', { token: w.admin.token })).body.ok).toBe(true);
    });
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
