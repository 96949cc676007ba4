/**
 * Opt-out and floors through a real hub and real nodes started from `node.yaml` files, as
 * `fedhub node start --config` starts them (in-process): three hospitals of three organisations, one with
 * an opt-out list file, one with inline identifiers. The pooled summary equals the files without the
 * opted-out patients; a study of two of the nodes is refused by the nodes' default floor, whatever the
 * study's own minimum.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHub, loadHubConfig, type RunningHub, startHub } from '@fedhub/hub';
import { createNode, type FedhubNode, loadNodeConfigFile } from '@fedhub/node';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { createFederation, waitForNodesOnline } from '@fedhub/testkit/federation-setup';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const work = mkdtempSync(join(tmpdir(), 'fedhub-floors-optout-'));
let hub: RunningHub;
let admin: HubClient;
const nodes: FedhubNode[] = [];
let collaborationId: string;
let nodeIds: string[];
const kept: number[] = [];

beforeAll(async () => {
  const dataDir = join(work, 'hub');
  const creds = await initHub(loadHubConfig({}, { dataDir }), {
    username: 'admin',
    organisation: 'Hub',
    oneTimePassword: false,
  });
  hub = await startHub(loadHubConfig({}, { dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }));
  admin = await HubClient.login(hub.url, creds.username, creds.password);
  const centres = DEMO_CENTRES.slice(0, 3);
  const fed = await createFederation(
    admin,
    centres.map((c) => ({ name: c.name })),
    'Opt-out collaboration',
  );
  collaborationId = fed.collaboration.id;
  nodeIds = fed.nodes.map((n) => n.node.id);
  for (const [i, centre] of centres.entries()) {
    const csv = toCsv(generateCohort(centre, 150, 70 + i));
    writeFileSync(join(work, `c${i}.csv`), csv);
    const [head, ...lines] = csv.trim().split('\n');
    const cols = head!.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j]!, v])));
    const out = rows.filter((_, j) => j % 4 === 1).map((r) => r.patient_id!);
    for (const r of rows) if (!out.includes(r.patient_id!) && r.age) kept.push(Number(r.age));
    if (i === 0) writeFileSync(join(work, 'opt-out.txt'), `${out.join('\n')}\n`);
    const yaml = join(work, `node-${i}.yaml`);
    writeFileSync(
      yaml,
      stringify({
        hub: { url: hub.url, enrolmentToken: fed.nodes[i]!.enrolmentToken },
        dataDir: join(work, `node-${i}`),
        claimWaitMs: 500,
        heartbeatIntervalMs: 1000,
        log: { level: 'silent' },
        datasets: [
          {
            name: 'cohort',
            file: `c${i}.csv`,
            dictionary: { columns: COHORT_DICTIONARY },
            optOut:
              i === 0 ? { column: 'patient_id', file: 'opt-out.txt' } : { column: 'patient_id', ids: out },
          },
        ],
        // no policy: the defaults (3 nodes of 3 organisations per round)
      }),
    );
    const node = createNode({ config: loadNodeConfigFile(yaml), log: pino({ level: 'silent' }) });
    nodes.push(node);
    await node.start();
  }
  await waitForNodesOnline(admin, collaborationId, 3);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('node.yaml optOut and floors, through a hub', () => {
  it('pools a summary without the opted-out patients', async () => {
    const study = await admin.createStudy({
      collaborationId,
      title: 'Opt-out',
      purpose: 'pooled summary without opted-out patients',
    } as never);
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] },
    });
    const done = await admin.waitForTask(task.id, { timeoutMs: 60_000 });
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const age = (done.result as { columns: Array<{ n: number; mean: number }> }).columns[0]!;
    expect(age.n).toBe(kept.length);
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    expect(Math.abs(age.mean / mean - 1)).toBeLessThan(1e-12);
  }, 90_000);

  it('is refused by the nodes when a study puts two of them in a round', async () => {
    const study = await admin.createStudy({
      collaborationId,
      title: 'Two nodes',
      purpose: 'a round of two nodes',
      nodeIds: nodeIds.slice(0, 2),
      minNodes: 1,
    } as never);
    const task = await admin.createTask({
      studyId: study.id,
      algorithm: 'summary',
      params: { dataset: 'cohort', columns: ['age'] },
    });
    const done = await admin.waitForTask(task.id, { timeoutMs: 60_000 });
    expect(done.status).toBe('failed');
    expect(JSON.stringify(done.error)).toContain('FH_ERR_NODE_FLOOR');
    expect(done.result ?? null).toBeNull();
  }, 90_000);
});
