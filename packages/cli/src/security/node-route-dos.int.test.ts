/**
 * Issue 15, item 1, against a real hub process: a 15 MiB hostile body on the node result route is refused
 * before it is read when the caller has no node token (or posts to a run it does not hold), the hub keeps
 * answering other requests meanwhile, and even a node's own hostile result costs little to refuse.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNodeKeys } from '@fedhub/crypto';
import { initHub, loadHubConfig } from '@fedhub/hub';
import { HubClient, NodeApiClient } from '@fedhub/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, startFedhubProcess, stopProcess } from '../child-process.js';
import { hostileResultBody, timedGet, timedPost } from './http-probe.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-dos-'));
let hub: Started;
let hubUrl: string;
let admin: HubClient;
const MiB = 1024 * 1024;
const hostile = hostileResultBody(15 * MiB);

beforeAll(async () => {
  const dataDir = join(work, 'hub');
  const creds = await initHub(loadHubConfig({}, { dataDir }), {
    username: 'admin',
    organisation: 'Hub',
    oneTimePassword: false,
  });
  hub = await startFedhubProcess(
    ['hub', 'start', '--json', '--data-dir', dataDir, '--port', '0', '--host', '127.0.0.1'],
    join(work, 'hub.log'),
  );
  hubUrl = String(hub.ready.url);
  admin = await HubClient.login(hubUrl, creds.username, creds.password);
}, 120_000);

afterAll(async () => {
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

describe('node routes under a hostile body', () => {
  it('refuses 15 MiB without a node token in milliseconds, and keeps serving meanwhile', async () => {
    expect(hostile.length).toBeGreaterThan(14.9 * MiB);
    const url = `${hubUrl}/api/node/runs/${randomUUID()}/result`;
    const [anonymous, health] = await Promise.all([
      timedPost(url, hostile),
      new Promise<{ status: number; ms: number }>((r) =>
        setTimeout(() => r(timedGet(`${hubUrl}/health`)), 20),
      ),
    ]);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).code).toBe('FH_ERR_UNAUTHENTICATED');
    const forged = await timedPost(url, hostile, { authorization: `Bearer fhn_${'x'.repeat(43)}` });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).code).toBe('FH_ERR_TOKEN_INVALID');
    expect(health.status).toBe(200);
    console.info(
      `15 MiB hostile result body: no token ${anonymous.ms.toFixed(1)} ms, forged token ${forged.ms.toFixed(1)} ms; /health meanwhile ${health.ms.toFixed(1)} ms`,
    );
    // was 164 s (issue 15); now refused from the headers
    expect(anonymous.ms).toBeLessThan(1000);
    expect(forged.ms).toBeLessThan(1000);
    expect(health.ms).toBeLessThan(1000);
  }, 60_000);

  it('grants the big limit only to a node posting to a run it holds', async () => {
    const org = await admin.createOrganisation({ name: 'DoS Hospital' });
    const collab = await admin.createCollaboration({ name: 'DoS test', organisationIds: [org.id] });
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'DoS node',
    });
    const keys = generateNodeKeys();
    const api = new NodeApiClient({ baseUrl: hubUrl });
    const enrolled = await api.enrol({
      enrolmentToken: created.enrolmentToken,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: 'test',
    });
    const auth = { authorization: `Bearer ${enrolled.nodeToken}` };
    // a node token, but no run of this node: the small limit applies, refused from Content-Length
    const notHeld = await timedPost(`${hubUrl}/api/node/runs/${randomUUID()}/result`, hostile, auth);
    expect(notHeld.status).toBe(413);
    expect(JSON.parse(notHeld.body).code).toBe('FH_ERR_PAYLOAD_TOO_LARGE');
    // heartbeats and claims never take more than 1 MiB
    const bigHeartbeat = await timedPost(`${hubUrl}/api/node/heartbeat`, Buffer.alloc(2 * MiB, 0x20), auth);
    expect(bigHeartbeat.status).toBe(413);

    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'DoS study',
      purpose: 'hostile bodies',
      minNodes: 1,
    });
    await admin.createTask({ studyId: study.id, algorithm: 'ping', params: {} });
    api.setToken(enrolled.nodeToken);
    const run = (await api.claim(5000)).run!;
    // the node's own claimed run: read and parsed, then refused by its shape (too many containers) before
    // validation, digest or signature
    const own = timedPost(`${hubUrl}/api/node/runs/${run.runId}/result`, hostile, auth);
    const health = new Promise<{ status: number; ms: number }>((r) =>
      setTimeout(() => r(timedGet(`${hubUrl}/health`)), 50),
    );
    const [ownAnswer, healthDuring] = await Promise.all([own, health]);
    expect(ownAnswer.status).toBe(400);
    expect(JSON.parse(ownAnswer.body).message).toMatch(/more than 200000 arrays and objects/);
    console.info(
      `15 MiB hostile result of a node's own run: refused in ${ownAnswer.ms.toFixed(0)} ms; /health meanwhile ${healthDuring.ms.toFixed(0)} ms`,
    );
    expect(ownAnswer.ms).toBeLessThan(5000);
  }, 120_000);
});
