/**
 * Issue 15, item 2, with real processes: a hub's data folder and files are its owner's only, its keys are
 * sealed in the database, and `fedhub hub rotate-keys` makes earlier access tokens fail while refresh
 * tokens and new sign-ins work, and (with --hub-key) gives nodes a new hub key at enrolment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { openDatabase } from '@fedhub/db';
import { initHub, loadHubConfig } from '@fedhub/hub';
import { HubClient, NodeApiClient } from '@fedhub/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN, type Started, startFedhubProcess, stopProcess } from '../child-process.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-rotate-'));
const dataDir = join(work, 'hub');
let hub: Started | undefined;
afterAll(async () => {
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

async function start(): Promise<string> {
  hub = await startFedhubProcess(
    ['hub', 'start', '--json', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'],
    join(work, 'hub.log'),
  );
  return String(hub.ready.url);
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function me(url: string, token: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, ...(body.code ? { code: body.code } : {}) };
}

async function enrolledHubKey(url: string, admin: HubClient, name: string): Promise<string> {
  const org = await admin.createOrganisation({ name: `${name} org` });
  const collab = await admin.createCollaboration({ name: `${name} collab`, organisationIds: [org.id] });
  const created = await admin.createNode({ collaborationId: collab.id, organisationId: org.id, name });
  const keys = generateNodeKeys();
  const enrolled = await new NodeApiClient({ baseUrl: url }).enrol({
    enrolmentToken: created.enrolmentToken,
    publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
    version: 'test',
  });
  return enrolled.hubPublicKey!;
}

describe('hub keys at rest and their rotation', () => {
  it('keeps files private, seals keys, and rotates them', async () => {
    const creds = await initHub(loadHubConfig({}, { dataDir }), {
      username: 'admin',
      organisation: 'Hub',
      oneTimePassword: false,
    });
    let url = await start();
    const pair = await post(`${url}/api/auth/login`, { username: 'admin', password: creds.password });
    expect(pair.status).toBe(200);
    const oldAccess = String(pair.body.accessToken);
    expect(await me(url, oldAccess)).toEqual({ status: 200 });
    const admin = await HubClient.login(url, 'admin', creds.password);
    const keyBefore = await enrolledHubKey(url, admin, 'Before');

    const mode = (f: string) => (statSync(join(dataDir, f)).mode & 0o777).toString(8);
    expect(mode('.')).toBe('700');
    for (const f of ['hub.sqlite', 'hub.sqlite-wal', 'hub.sqlite-shm', 'hub-master.key'])
      expect(mode(f), f).toBe('600');
    const db = openDatabase({ dataDir });
    const stored = await db.db.selectFrom('hub_secrets').select(['name', 'value']).execute();
    await db.close();
    expect(stored.map((r) => r.name).sort()).toEqual(['access-token-hmac', 'hub-ed25519']);
    for (const r of stored) expect(r.value.startsWith('fhs1.'), r.name).toBe(true);

    await stopProcess(hub!.child);
    hub = undefined;
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        [FEDHUB_BIN, 'hub', 'rotate-keys', '--data-dir', dataDir, '--hub-key', '--json'],
        {
          encoding: 'utf8',
        },
      ),
    ) as { tokenKey: boolean; hubKeyRotated: boolean; hubPublicKey: string };
    expect(out.tokenKey).toBe(true);
    expect(out.hubKeyRotated).toBe(true);
    expect(out.hubPublicKey).not.toBe(keyBefore);

    url = await start();
    // the access token signed with the old key no longer verifies
    expect(await me(url, oldAccess)).toEqual({ status: 401, code: 'FH_ERR_TOKEN_INVALID' });
    // the refresh token is not signed with it: the session renews with a token under the new key
    const renewed = await post(`${url}/api/auth/refresh`, { refreshToken: pair.body.refreshToken });
    expect(renewed.status).toBe(200);
    expect(await me(url, String(renewed.body.accessToken))).toEqual({ status: 200 });
    const again = await HubClient.login(url, 'admin', creds.password);
    expect(await enrolledHubKey(url, again, 'After')).toBe(out.hubPublicKey);
  }, 120_000);
});
