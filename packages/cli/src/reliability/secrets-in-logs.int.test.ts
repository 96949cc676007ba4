/**
 * No secret and no patient value reaches a log or an error body: a full run (hub and node processes at
 * debug level, sign-ins good and bad, tokens of every kind, a task over a table holding planted patient
 * values, a refused task, failed requests) with planted strings, then every log and every error body is
 * searched for them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@fedhub/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { startFedhubProcess, stopProcess } from '../child-process.js';
import { loginWhenUp, startHubProcess } from './fault-harness.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-secrets-'));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (!process.env.FEDHUB_KEEP_WORK) rmSync(work, { recursive: true, force: true });
});

const tag = () => randomBytes(6).toString('hex');

describe('secrets and patient values stay out of logs and error bodies', () => {
  it('finds no planted string after a full run', async () => {
    const hub = await startHubProcess({ work, name: 'hub', env: { FEDHUB_LOG_LEVEL: 'debug' } });
    cleanups.push(() => hub.stop());
    const planted = {
      adminPassword: hub.admin.password,
      userPassword: `Planted-password-${tag()}`,
      wrongPassword: `Planted-wrong-${tag()}`,
      newPassword: `Planted-new-${tag()}`,
      patientName: `PLANTEDPATIENT${tag()}`,
      patientId: `PID${tag()}`,
      // a value only one patient has
      patientValue: '987654.125',
    } as Record<string, string>;
    const admin = await loginWhenUp(hub.url, hub.admin.username, hub.admin.password);
    const org = await admin.createOrganisation({ name: 'Secret Hospital' });
    const collab = await admin.createCollaboration({ name: 'Secrets', organisationIds: [org.id] });
    await admin.createUser({
      username: 'planted-user',
      password: planted.userPassword!,
      organisationId: org.id,
      roles: ['researcher'],
    });
    const errorBodies: string[] = [];
    const post = async (url: string, body: unknown, token?: string) => {
      const r = await fetch(`${hub.url}${url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      if (r.status >= 400) errorBodies.push(text);
      return { status: r.status, text };
    };
    // failed and successful sign-ins, a refresh, a password change, a bad token
    await post('/api/auth/login', { username: 'planted-user', password: planted.wrongPassword });
    await post('/api/auth/login', {
      username: `nobody-${planted.wrongPassword}`,
      password: planted.wrongPassword,
    });
    const ok = JSON.parse(
      (await post('/api/auth/login', { username: 'planted-user', password: planted.userPassword })).text,
    ) as {
      accessToken: string;
      refreshToken: string;
    };
    planted.accessToken = ok.accessToken;
    planted.refreshToken = ok.refreshToken;
    const refreshed = JSON.parse(
      (await post('/api/auth/refresh', { refreshToken: ok.refreshToken })).text,
    ) as {
      accessToken: string;
    };
    await post('/api/auth/refresh', { refreshToken: ok.refreshToken }); // reuse of a rotated token: refused
    await post(
      '/api/me/password',
      { currentPassword: planted.wrongPassword, newPassword: planted.newPassword },
      refreshed.accessToken,
    );
    const apiToken = (await admin.createApiToken('planted', 1)).token;
    planted.apiToken = apiToken;
    await fetch(`${hub.url}/api/me`, { headers: { authorization: `Bearer ${apiToken}x` } }).then((r) =>
      r.text(),
    );
    await fetch(`${hub.url}/api/events?access_token=${refreshed.accessToken}`).then((r) => r.text());

    // a node whose table holds planted patient values
    const created = await admin.createNode({
      collaborationId: collab.id,
      organisationId: org.id,
      name: 'Secret node',
    });
    planted.enrolmentToken = created.enrolmentToken;
    const csv = join(work, 'patients.csv');
    const rows = ['patient_id,name,x,sex'];
    for (let i = 0; i < 40; i++) rows.push(`P${i},Name${i},${i + 1},${i % 2 ? 'M' : 'F'}`);
    rows.push(`${planted.patientId},${planted.patientName},${planted.patientValue},F`);
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const yaml = join(work, 'node.yaml');
    writeFileSync(
      yaml,
      [
        `hub: { url: "${hub.url}", enrolmentToken: "${created.enrolmentToken}" }`,
        `dataDir: "${join(work, 'node')}"`,
        'claimWaitMs: 1000',
        'log: { level: debug }',
        'policy: { minNodes: 1, minOrganisations: 1 }', // not a test of the node's floors
        'datasets:',
        `  - name: patients`,
        `    file: "${csv}"`,
        '    dictionary: { columns: [{ name: x, type: numeric }, { name: sex, type: categorical, levels: [F, M] }] }',
      ].join('\n'),
    );
    const node = await startFedhubProcess(
      ['node', 'start', '--json', '--config', yaml],
      join(work, 'node.log'),
    );
    cleanups.push(() => stopProcess(node.child));
    const study = await admin.createStudy({
      collaborationId: collab.id,
      title: 'Secrets',
      purpose: 'logs',
      minNodes: 1,
    });
    const researcher = await HubClient.login(hub.url, 'planted-user', planted.userPassword!).catch(
      () => admin,
    );
    const tasks = [
      { algorithm: 'summary', params: { dataset: 'patients', columns: ['x'] } },
      // small cells: refused at the node
      {
        algorithm: 'crosstab',
        params: {
          dataset: 'patients',
          rows: 'sex',
          columns: 'sex',
          filter: { column: 'x', op: '>', value: 40 },
        },
      },
      // a column outside the dictionary (the identifying ones are not declared)
      { algorithm: 'summary', params: { dataset: 'patients', columns: ['name'] } },
    ];
    for (const t of tasks) {
      try {
        const task = await researcher.createTask({ studyId: study.id, ...t } as never);
        const done = await researcher.waitForTask(task.id, { timeoutMs: 30_000 });
        errorBodies.push(JSON.stringify(done.error ?? ''), JSON.stringify(done.result ?? ''));
      } catch (err) {
        errorBodies.push((err as Error).message);
      }
    }
    await stopProcess(node.child);
    await hub.stop();

    const logs = {
      hub: readFileSync(join(work, 'hub.log'), 'utf8'),
      node: readFileSync(join(work, 'node.log'), 'utf8'),
    };
    expect(logs.hub.length).toBeGreaterThan(1000);
    expect(logs.node.length).toBeGreaterThan(200);
    const found: string[] = [];
    for (const [what, value] of Object.entries(planted))
      for (const [where, text] of [
        ...Object.entries(logs),
        ...errorBodies.map((b, i) => [`error body ${i}`, b]),
      ])
        if (text!.includes(value)) found.push(`${what} in ${where}`);
    expect(found).toEqual([]);
    console.info(
      `secrets in logs: ${Object.keys(planted).length} planted strings, ${Math.round((logs.hub.length + logs.node.length) / 1024)} KiB of debug logs and ${errorBodies.length} error bodies searched, none found`,
    );
  }, 120_000);
});
