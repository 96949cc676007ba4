/**
 * Issue 15, item 9 and the socket cap of item 12: sessions end at sign-out and at a password change, for
 * access tokens, API tokens and open WebSockets alike.
 */
import { expect, it } from 'vitest';
import type { SuiteState } from './suite-state.js';

/** Registers these tests; `s` is filled by the suite's beforeAll (socketRecheckMs 100, 3 sockets per user). */
export function sessionTests(s: SuiteState): void {
  const login = async (username: string, password: string) => {
    const r = await s.hub.call('POST', '/api/auth/login', { body: { username, password } });
    expect(r.status).toBe(200);
    return r.body as { accessToken: string; refreshToken: string };
  };
  const me = async (token: string) => {
    const r = await s.hub.call('GET', '/api/me', { token });
    return r.status === 200 ? 200 : `${r.status} ${r.body.code}: ${r.body.message}`;
  };

  it('ends the access tokens of a session at sign-out, and only that session', async () => {
    const user = await s.hub.user('leaver', s.w.orgA.id, ['researcher']);
    const one = await login('leaver', user.password);
    const two = await login('leaver', user.password);
    expect(await me(one.accessToken)).toBe(200);
    await s.hub.call('POST', '/api/auth/logout', { body: { refreshToken: one.refreshToken } });
    expect(await me(one.accessToken)).toMatch(/^401 FH_ERR_TOKEN_INVALID: .*signed out/);
    expect(await me(two.accessToken)).toBe(200);
    // signing out with the access token alone ends its session too
    await s.hub.call('POST', '/api/auth/logout', { token: two.accessToken, body: {} });
    expect(await me(two.accessToken)).toMatch(/^401 FH_ERR_TOKEN_INVALID/);
    const refreshed = await s.hub.call('POST', '/api/auth/refresh', {
      body: { refreshToken: two.refreshToken },
    });
    expect(refreshed.status).toBe(401);
  });

  it('ends every access token, API token and open WebSocket of a user whose password changes', async () => {
    const user = await s.hub.user('rekeyed', s.w.orgA.id, ['researcher']);
    const session = await login('rekeyed', user.password);
    const other = await login('rekeyed', user.password);
    const api = await s.hub.call('POST', '/api/tokens', {
      token: session.accessToken,
      body: { name: 'ci', expiresInDays: 30 },
    });
    expect(await me(api.body.token)).toBe(200);
    const ws = await s.hub.app.injectWS('/api/events', {
      headers: { authorization: `Bearer ${other.accessToken}` },
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    const changed = await s.hub.call('POST', '/api/me/password', {
      token: session.accessToken,
      body: { currentPassword: user.password, newPassword: 'an entirely new passphrase 7' },
    });
    expect(changed.body).toEqual({ ok: true });
    for (const t of [session.accessToken, other.accessToken, user.token])
      expect(await me(t)).toMatch(/^401 FH_ERR_TOKEN_INVALID: .*password changed/);
    expect(await me(api.body.token)).toMatch(/^401 FH_ERR_TOKEN_INVALID/);
    const t0 = performance.now();
    expect(await closed).toBe(4401);
    expect(performance.now() - t0).toBeLessThan(2000);
    const fresh = await login('rekeyed', 'an entirely new passphrase 7');
    expect(await me(fresh.accessToken)).toBe(200);
  });

  it('refuses common passwords when setting one', async () => {
    const user = await s.hub.user('weak-chooser', s.w.orgA.id, ['researcher']);
    const weak = await s.hub.call('POST', '/api/me/password', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'Password2024!' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('FH_ERR_VALIDATION');
    expect(weak.body.details.fields[0]).toMatchObject({ path: 'body.newPassword' });
    const created = await s.hub.call('POST', '/api/users', {
      token: s.w.admin.token,
      body: {
        username: 'weakling',
        password: 'qwertyuiop123',
        organisationId: s.w.orgA.id,
        roles: ['researcher'],
      },
    });
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/too easy to guess/);
  });

  it('caps the WebSockets one user holds open', async () => {
    const user = await s.hub.user('many-tabs', s.w.orgA.id, ['researcher']);
    const open = (t: string) =>
      s.hub.app.injectWS('/api/events', { headers: { authorization: `Bearer ${t}` } });
    const sockets = [await open(user.token), await open(user.token), await open(user.token)];
    await expect(open(user.token)).rejects.toThrow(/429/);
    // another user is not affected; closing one frees a place
    const otherUser = await open(s.w.researcherA.token);
    sockets[0]!.terminate();
    let again: Awaited<ReturnType<typeof open>> | undefined;
    for (let i = 0; i < 40 && !again; i++) {
      again = await open(user.token).catch(() => undefined);
      if (!again) await new Promise((r) => setTimeout(r, 50));
    }
    expect(again).toBeDefined();
    for (const w of [...sockets.slice(1), otherUser, again!]) w.terminate();
  });
}
