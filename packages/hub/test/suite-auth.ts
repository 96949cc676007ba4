import { testAlgorithms } from '@fedhub/testkit/hub-harness';
import { expect, it } from 'vitest';
import { buildHub, loadHubConfig } from '../src/index.js';
import { LOGIN_THROTTLE, throttleDelayMs } from '../src/modules/auth/service.js';
import type { SuiteState } from './suite-state.js';

/** Registers these tests; `s` is filled by the suite's beforeAll. */
export function authTests(s: SuiteState): void {
  it('answers malformed requests with FH_ERR_VALIDATION naming the fields, never a stack', async () => {
    const bad = await s.hub.call('POST', '/api/organisations', {
      token: s.w.admin.token,
      body: { name: '', country: 'NLD' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('FH_ERR_VALIDATION');
    const paths = new Set(bad.body.details.fields.map((f: { path: string }) => f.path));
    expect([...paths].sort()).toEqual(['body.country', 'body.name']);
    const notJson = await s.hub.app.inject({
      method: 'POST',
      url: '/api/organisations',
      headers: { authorization: `Bearer ${s.w.admin.token}`, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ code: 'FH_ERR_VALIDATION' });
    expect(notJson.body).not.toMatch(/at .*\.js/);
    const query = await s.hub.call('GET', '/api/tasks?studyId=not-a-uuid', { token: s.w.admin.token });
    expect(query.status).toBe(400);
    expect(query.body.details.fields[0].path).toBe('querystring.studyId');
    expect((await s.hub.call('GET', '/api/nowhere')).body.code).toBe('FH_ERR_NOT_FOUND');
    expect((await s.hub.call('GET', '/api/me')).body.code).toBe('FH_ERR_UNAUTHENTICATED');
    expect((await s.hub.call('GET', '/api/me', { token: 'fha.forged.token' })).body.code).toBe(
      'FH_ERR_TOKEN_INVALID',
    );
  });

  it('gives the same answer for an unknown user and a wrong password, and audits both', async () => {
    const unknown = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'whatever-it-is' },
    });
    const wrong = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'researcher-a', password: 'wrong-password' },
    });
    expect(unknown.status).toBe(401);
    expect(wrong).toEqual(unknown);
    expect(unknown.body).toEqual({
      code: 'FH_ERR_BAD_CREDENTIALS',
      message: 'Unknown user or wrong password',
    });
    const audit = await s.hub.call('GET', '/api/audit?action=login.failed', { token: s.w.admin.token });
    const names = (body: Array<{ details: { username: string } }>) => body.map((e) => e.details.username);
    expect(names(audit.body)).toEqual(expect.arrayContaining(['nobody', 'researcher-a']));
    expect(JSON.stringify(audit.body)).not.toContain('wrong-password');
    // an organisation's auditor sees its own user's failure, not the hub-wide ones
    const scoped = await s.hub.call('GET', '/api/audit?action=login.failed', { token: s.w.auditorA.token });
    expect(names(scoped.body)).toContain('researcher-a');
    expect(names(scoped.body)).not.toContain('nobody');
  });

  it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
    const first = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'researcher-a', password: s.w.researcherA.password },
    });
    const second = await s.hub.call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await s.hub.call('GET', '/api/me', { token: second.body.accessToken })).body.username).toBe(
      'researcher-a',
    );
    const reuse = await s.hub.call('POST', '/api/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('FH_ERR_TOKEN_INVALID');
    // the legitimate holder of the newest token is signed out too
    const after = await s.hub.call('POST', '/api/auth/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(after.status).toBe(401);
    // sign-out revokes a fresh family
    const third = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'researcher-a', password: s.w.researcherA.password },
    });
    expect(
      (await s.hub.call('POST', '/api/auth/logout', { body: { refreshToken: third.body.refreshToken } }))
        .body,
    ).toEqual({ ok: true });
    expect(
      (await s.hub.call('POST', '/api/auth/refresh', { body: { refreshToken: third.body.refreshToken } }))
        .status,
    ).toBe(401);
  });

  it('throttles an unknown username exactly as an account, so the backoff reveals no name', async () => {
    await s.hub.user('known-name', s.w.orgA.id, ['researcher']);
    // a second hub process on the same database, with room in its per-IP login limit for the tries
    const config = loadHubConfig({}, { logLevel: 'silent', loginRateLimitPerMinute: 1000 });
    const other = buildHub({ config, db: s.hub.handle, clock: s.hub.clock, algorithms: testAlgorithms });
    try {
      const answers = async (username: string) => {
        const out: Array<{ status: number; code: unknown }> = [];
        for (let i = 0; i < LOGIN_THROTTLE.freeFailures + 2; i++) {
          const r = await other.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username, password: `wrong-${i}` },
          });
          out.push({ status: r.statusCode, code: r.json().code });
        }
        return out;
      };
      const a = await answers('known-name');
      const b = await answers('no-such-name');
      expect(b).toEqual(a);
      expect(a.slice(0, LOGIN_THROTTLE.freeFailures).every((x) => x.status === 401)).toBe(true);
      expect(a.at(-1)).toEqual({ status: 429, code: 'FH_ERR_RATE_LIMITED' });
    } finally {
      await other.close();
    }
  });

  it('throttles failures per (account, address) with exponential backoff: the owner elsewhere is not locked out', async () => {
    expect([4, 5, 6, 10, 40].map(throttleDelayMs)).toEqual([0, 1000, 2000, 32_000, 15 * 60_000]);
    const victim = await s.hub.user('lock-me', s.w.orgA.id, ['researcher']);
    const from = (remoteAddress: string, password: string) =>
      s.hub.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress,
        payload: { username: 'lock-me', password },
      });
    // concurrently, so that the failure counter must be incremented atomically
    const failures = await Promise.all(Array.from({ length: 10 }, (_, i) => from('10.9.0.1', `wrong-${i}`)));
    expect(failures.map((r) => r.json().code)).toEqual(Array(10).fill('FH_ERR_BAD_CREDENTIALS'));
    const stored = await s.hub.handle.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('username', '=', 'lock-me')
      .executeTakeFirstOrThrow();
    expect(Number(stored.failures)).toBe(10);
    // the attacker's address waits, even with the right password
    const throttled = await from('10.9.0.1', victim.password);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().details.retryAfterSec).toBeGreaterThan(0);
    // the owner, from another address, signs in at once
    expect((await from('10.9.0.2', victim.password)).statusCode).toBe(200);
    // a new hub process on the same database sees the backoff
    const config = loadHubConfig({}, { logLevel: 'silent' });
    const other = buildHub({ config, db: s.hub.handle, clock: s.hub.clock, algorithms: testAlgorithms });
    const res = await other.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.9.0.1',
      payload: { username: 'lock-me', password: victim.password },
    });
    expect(res.statusCode).toBe(429);
    await other.close();
    s.hub.clock.advance(15 * 60_000 + 1000);
    expect((await from('10.9.0.1', victim.password)).statusCode).toBe(200);
    const left = await s.hub.handle.db
      .selectFrom('login_throttle')
      .select('failures')
      .where('username', '=', 'lock-me')
      .where('address', '=', '10.9.0.1')
      .executeTakeFirst();
    expect(left).toBeUndefined();
  });

  it('creates, lists, accepts and revokes API tokens, stored hashed', async () => {
    const created = await s.hub.call('POST', '/api/tokens', {
      token: s.w.researcherA.token,
      body: { name: 'ci', expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^fhp_/);
    const stored = await s.hub.handle.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(created.body.token.slice(4));
    expect((await s.hub.call('GET', '/api/me', { token: created.body.token })).body.username).toBe(
      'researcher-a',
    );
    const list = await s.hub.call('GET', '/api/tokens', { token: created.body.token });
    expect(list.body.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(list.body[0].token).toBeUndefined();
    expect(
      (await s.hub.call('DELETE', `/api/tokens/${created.body.id}`, { token: s.w.researcherB.token })).status,
    ).toBe(404);
    expect(
      (await s.hub.call('DELETE', `/api/tokens/${created.body.id}`, { token: s.w.researcherA.token })).body,
    ).toEqual({ ok: true });
    expect((await s.hub.call('GET', '/api/me', { token: created.body.token })).body.code).toBe(
      'FH_ERR_TOKEN_INVALID',
    );
  });

  it('changes a password after checking the current one, and signs out the other sessions', async () => {
    const user = await s.hub.user('changer', s.w.orgA.id, ['researcher']);
    const session = await s.hub.call('POST', '/api/auth/login', {
      body: { username: 'changer', password: user.password },
    });
    const change = (currentPassword: string, newPassword: string) =>
      s.hub.call('POST', '/api/me/password', { token: user.token, body: { currentPassword, newPassword } });
    expect((await change('not-the-password', 'a brand new password')).body.code).toBe(
      'FH_ERR_BAD_CREDENTIALS',
    );
    const short = await change(user.password, 'short');
    expect(short.status).toBe(400);
    expect(short.body.details.fields[0].path).toBe('body.newPassword');
    expect((await change(user.password, 'a brand new password')).body).toEqual({ ok: true });
    expect(
      (await s.hub.call('POST', '/api/auth/refresh', { body: { refreshToken: session.body.refreshToken } }))
        .status,
    ).toBe(401);
    expect(
      (
        await s.hub.call('POST', '/api/auth/login', {
          body: { username: 'changer', password: user.password },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await s.hub.call('POST', '/api/auth/login', {
          body: { username: 'changer', password: 'a brand new password' },
        })
      ).status,
    ).toBe(200);
  });
}
