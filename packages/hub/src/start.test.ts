import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';
import { initEphemeralHub, initHub, startEphemeralHub, startHub } from './start.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initHub and startHub (SQLite file)', () => {
  const config = loadHubConfig({}, { dataDir: join(dir, 'hub'), port: 0, logLevel: 'silent' });

  let adminPassword = '';

  it('creates the first admin with a one-time password, once', async () => {
    const admin = await initHub(config, { username: 'admin', organisation: 'Hub operator' });
    adminPassword = admin.password;
    expect(admin.username).toBe('admin');
    expect(admin.password.length).toBeGreaterThanOrEqual(20);
    await expect(initHub(config, { username: 'admin2', organisation: 'Hub operator' })).rejects.toMatchObject(
      {
        code: 'FH_ERR_CONFLICT',
      },
    );

    const hub = await startHub(config);
    try {
      expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${hub.url}/health`)).json()).toEqual({ status: 'ok' });
      const signIn = (password: string) =>
        fetch(`${hub.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password }),
        });
      const login = await signIn(admin.password);
      expect(login.status).toBe(200);
      // the one-time password opens a session that can only change it
      const oneTime = ((await login.json()) as { accessToken: string }).accessToken;
      const as = (path: string, init: RequestInit = {}) =>
        fetch(`${hub.url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${oneTime}`, 'content-type': 'application/json' },
        });
      const blocked = await as('/api/organisations');
      expect(blocked.status).toBe(403);
      expect(((await blocked.json()) as { code: string }).code).toBe('FH_ERR_PASSWORD_CHANGE_REQUIRED');
      expect(
        ((await (await as('/api/me')).json()) as { passwordChangeRequired?: boolean }).passwordChangeRequired,
      ).toBe(true);
      const changed = await as('/api/me/password', {
        method: 'POST',
        body: JSON.stringify({
          currentPassword: admin.password,
          newPassword: 'the real operator passphrase 42',
        }),
      });
      expect(changed.status).toBe(200);
      // single use: the one-time password and its session are gone
      expect((await signIn(admin.password)).status).toBe(401);
      expect((await as('/api/me')).status).toBe(401);
      adminPassword = 'the real operator passphrase 42';
      const real = (await (await signIn(adminPassword)).json()) as { accessToken: string };
      const orgs = await fetch(`${hub.url}/api/organisations`, {
        headers: { authorization: `Bearer ${real.accessToken}` },
      });
      expect(orgs.status).toBe(200);
      const noDefault = await fetch(`${hub.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin' }),
      });
      expect(noDefault.status).toBe(401);
    } finally {
      await hub.close();
    }
  });

  it('closes gracefully while a node is long-polling for work, and the data persist', async () => {
    const hub = await startHub(config);
    const call = async (path: string, body: unknown, token?: string) => {
      const r = await fetch(`${hub.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const login = await call('/api/auth/login', { username: 'admin', password: adminPassword });
    expect(login.status).toBe(200);
    const t = login.body.accessToken as string;
    const org = (await call('/api/organisations', { name: 'Hospital' }, t)).body;
    const collab = (await call('/api/collaborations', { name: 'Consortium', organisationIds: [org.id] }, t))
      .body;
    const created = (
      await call('/api/nodes', { collaborationId: collab.id, organisationId: org.id, name: 'Node' }, t)
    ).body;
    const keys = generateNodeKeys();
    const enrolled = await call('/api/node/enrol', {
      enrolmentToken: created.enrolmentToken,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: 'test',
    });
    const t0 = Date.now();
    const claim = call('/api/node/claim', { waitMs: 20_000 }, enrolled.body.nodeToken);
    await new Promise((r) => setTimeout(r, 200));
    await hub.close();
    const answered = await claim;
    expect(answered.status).toBe(200);
    expect(answered.body.run).toBeNull();
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(fetch(`${hub.url}/health`)).rejects.toThrow();

    const again = await startHub(config);
    try {
      const relogin = await fetch(`${again.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: adminPassword }),
      });
      const token = ((await relogin.json()) as { accessToken: string }).accessToken;
      // the access token of the first run is still valid: the signing secret lives in the database
      const me = await fetch(`${again.url}/api/me`, { headers: { authorization: `Bearer ${t}` } });
      expect(me.status).toBe(200);
      const nodes = await fetch(`${again.url}/api/nodes`, { headers: { authorization: `Bearer ${token}` } });
      expect(
        ((await nodes.json()) as Array<{ name: string; status: string }>).map((n) => [n.name, n.status]),
      ).toEqual([['Node', 'online']]);
    } finally {
      await again.close();
    }
  });

  it('does not lease a run to a node that hung up its claim', async () => {
    const hub = await startHub(config);
    try {
      const call = async (path: string, body: unknown, token?: string, signal?: AbortSignal) => {
        const r = await fetch(`${hub.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
          ...(signal ? { signal } : {}),
        });
        // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
        return (await r.json()) as Record<string, any>;
      };
      const t = (await call('/api/auth/login', { username: 'admin', password: adminPassword }))
        .accessToken as string;
      const org = await call('/api/organisations', { name: 'Hospital 2' }, t);
      const collab = await call(
        '/api/collaborations',
        { name: 'Consortium 2', organisationIds: [org.id] },
        t,
      );
      const created = await call(
        '/api/nodes',
        { collaborationId: collab.id, organisationId: org.id, name: 'Node 2' },
        t,
      );
      const keys = generateNodeKeys();
      const { nodeToken } = await call('/api/node/enrol', {
        enrolmentToken: created.enrolmentToken,
        publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
        version: 'test',
      });
      const study = await call(
        '/api/studies',
        { collaborationId: collab.id, title: 'Hang-up', purpose: 'disconnects', minNodes: 1 },
        t,
      );
      const abort = new AbortController();
      const hungUp = call('/api/node/claim', { waitMs: 20_000 }, nodeToken, abort.signal).catch(
        (e: Error) => e.name,
      );
      await new Promise((r) => setTimeout(r, 200));
      abort.abort();
      expect(await hungUp).toBe('AbortError');
      await new Promise((r) => setTimeout(r, 100));
      await call('/api/tasks', { studyId: study.id, algorithm: 'ping', params: {} }, t);
      await new Promise((r) => setTimeout(r, 300));
      const claimed = await call('/api/node/claim', { waitMs: 0 }, nodeToken);
      expect(claimed.run).toMatchObject({ algorithm: 'ping', attempt: 1 });
    } finally {
      await hub.close();
    }
  });
});

describe('initEphemeralHub', () => {
  it('gives the administrator an API token and no password that could sign in', async () => {
    const config = loadHubConfig({}, { dataDir: join(dir, 'ephemeral'), port: 0, logLevel: 'silent' });
    const admin = await initEphemeralHub(config, { username: 'sim', organisation: 'Simulation' });
    expect(admin.apiToken).toMatch(/^fhp_/);
    const hub = await startHub(config);
    try {
      const me = await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${admin.apiToken}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { roles: string[] }).roles).toContain('hub-admin');
      // the stored hash is no scrypt hash: no password, not even an empty one, verifies against it
      for (const password of ['', '!', 'sim'])
        expect(
          (
            await fetch(`${hub.url}/api/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ username: 'sim', password }),
            })
          ).status,
        ).not.toBe(200);
    } finally {
      await hub.close();
    }
    await expect(
      initEphemeralHub(config, { username: 'sim2', organisation: 'Simulation' }),
    ).rejects.toMatchObject({
      code: 'FH_ERR_CONFLICT',
    });
  });
});

describe('startEphemeralHub', () => {
  it('serves an API-token administrator from a database in memory, and writes nothing to its data folder', async () => {
    const dataDir = join(dir, 'ephemeral-memory');
    mkdirSync(dataDir);
    const config = loadHubConfig({}, { dataDir, port: 0, logLevel: 'silent', apiDocs: false });
    const { hub, admin } = await startEphemeralHub(config, { username: 'sim', organisation: 'Simulation' });
    try {
      expect(admin.apiToken).toMatch(/^fhp_/);
      const me = await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${admin.apiToken}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { roles: string[] }).roles).toContain('hub-admin');
      const other = await fetch(`${hub.url}/api/me`, {
        headers: { authorization: 'Bearer fhp_not-a-token' },
      });
      expect(other.status).toBe(401);
    } finally {
      await hub.close();
    }
    // no hub.sqlite, no master key file
    expect(readdirSync(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'hub.sqlite'))).toBe(false);
  });
});
