/**
 * `fedhub study create|stop` and `fedhub gdpr record` against a real hub process: the record the CLI prints
 * is built from the study as the hub stores it and from the node configuration given for one site.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { initHub, loadHubConfig } from '@fedhub/hub';
import type { Art30Record } from '@fedhub/sdk';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY } from '@fedhub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FEDHUB_BIN, type Started, startFedhubProcess, stopProcess } from '../child-process.js';
import { DEMO_STUDY } from './demo.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'fedhub-gdpr-'));
let hub: Started;
let env: NodeJS.ProcessEnv;
let collabId: string;

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
  const hubUrl = String(hub.ready.url);
  const admin = await HubClient.login(hubUrl, creds.username, creds.password);
  const orgs = [];
  for (const name of ['Hospital A', 'Hospital B', 'Hospital C'])
    orgs.push(await admin.createOrganisation({ name }));
  const collab = await admin.createCollaboration({
    name: 'RT consortium',
    organisationIds: orgs.map((o) => o.id),
  });
  collabId = collab.id;
  for (const o of orgs)
    await admin.createNode({ collaborationId: collab.id, organisationId: o.id, name: o.name });
  env = {
    ...process.env,
    FEDHUB_HUB_URL: hubUrl,
    FEDHUB_TOKEN: (await admin.createApiToken('gdpr test', 1)).token,
    HOME: work,
    XDG_CONFIG_HOME: work,
  };
}, 120_000);

afterAll(async () => {
  if (hub) await stopProcess(hub.child);
  rmSync(work, { recursive: true, force: true });
});

const fedhub = (args: string[]) => run(process.execPath, [FEDHUB_BIN, ...args], { env, timeout: 30_000 });

describe('fedhub gdpr record', () => {
  it('prints the Art. 30 record of a study created from a file, and its stop', async () => {
    const file = join(work, 'study.yaml');
    writeFileSync(file, stringify(DEMO_STUDY));
    const created = JSON.parse(
      (await fedhub(['study', 'create', '--collab', collabId, '--file', file, '--json'])).stdout,
    );
    expect(created).toMatchObject({ minNodes: 3, legalBasis: DEMO_STUDY.legalBasis, status: 'active' });
    const nodeYaml = join(work, 'node-a.yaml');
    writeFileSync(
      nodeYaml,
      stringify({
        hub: { url: env.FEDHUB_HUB_URL },
        dataDir: join(work, 'node-a'),
        datasets: [{ name: 'cohort', file: 'cohort.csv', dictionary: { columns: COHORT_DICTIONARY } }],
        policy: { minCellCount: 10, minSubsetSize: 20 },
        approvals: { defaultMode: 'manual' },
      }),
    );
    const json = await fedhub([
      'gdpr',
      'record',
      '--study',
      created.id,
      '--format',
      'json',
      '--node-config',
      `Hospital A=${nodeYaml}`,
    ]);
    const record = JSON.parse(json.stdout) as Art30Record;
    expect(record.study).toEqual({
      id: created.id,
      title: DEMO_STUDY.title,
      collaboration: 'RT consortium',
      status: 'active',
    });
    expect(record.jointControllers).toEqual(['Hospital A', 'Hospital B', 'Hospital C']);
    expect(record.annex.releases.map((r) => r.algorithm)).toEqual(DEMO_STUDY.algorithms.map((a) => a.name));
    const a = record.annex.sites.find((s) => s.node === 'Hospital A')!;
    expect(a.documented).toBe(true);
    expect(a.controls).toContain('minimum cell count 10: no released non-zero count below it');
    expect(a.controls).toContain(
      'approval of algorithm versions: manual: each algorithm version waits for the node administrator',
    );
    expect(record.annex.gaps).toEqual([
      'No node configuration for Hospital B: its controls are not documented here.',
      'No node configuration for Hospital C: its controls are not documented here.',
    ]);
    const md = (await fedhub(['gdpr', 'record', '--study', created.id])).stdout;
    expect(md).toMatch(/^# Record of processing activities \(Art\. 30 GDPR\)/);
    expect(md).not.toMatch(/As of/);

    await fedhub(['study', 'stop', created.id, '--reason', 'ethics approval withdrawn']);
    const html = (
      await fedhub(['gdpr', 'record', '--study', created.id, '--format', 'html', '--as-of', '2026-11-29'])
    ).stdout;
    expect(html).toContain('<p>As of 2026-11-29.</p>');
    expect(html).toMatch(/<li>status: stopped \(stopped \d{4}-/);
  });

  it('names a node configuration that matches no node of the study', async () => {
    const studies = JSON.parse((await fedhub(['study', 'list', '--json'])).stdout) as Array<{ id: string }>;
    const err = await fedhub([
      'gdpr',
      'record',
      '--study',
      studies[0]!.id,
      '--node-config',
      'Hospital Z=x.yaml',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(
      /FH_ERR_VALIDATION: --node-config Hospital Z=x.yaml: no node "Hospital Z"/,
    );
  });
});
