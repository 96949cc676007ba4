/**
 * The differential-privacy budget lives at the node, so restoring an earlier copy of the hub's database
 * gives no budget back: a hub (SQLite file) and a node run in-process; the node spends its budget on one
 * summary; the hub's database is replaced by a copy taken before that task; the same task submitted again
 * is refused by the node with FH_ERR_BUDGET_EXHAUSTED.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initHub, loadHubConfig, type RunningHub, startHub } from '@fedhub/hub';
import { createNode, type FedhubNode, loadNodeConfigFile } from '@fedhub/node';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { createFederation } from '@fedhub/testkit/federation-setup';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const work = mkdtempSync(join(tmpdir(), 'fedhub-dp-restore-'));
const hubDir = join(work, 'hub');
let hub: RunningHub | undefined;
let node: FedhubNode | undefined;

afterAll(async () => {
  await node?.stop();
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

async function start(port: number): Promise<{ hub: RunningHub; port: number }> {
  const config = loadHubConfig({}, { dataDir: hubDir, host: '127.0.0.1', port, logLevel: 'silent' });
  const h = await startHub(config);
  return { hub: h, port: Number(new URL(h.url).port) };
}

describe('privacy budget after a hub database restore', () => {
  it('stays spent: the resubmitted task is refused by the node', async () => {
    const creds = await initHub(loadHubConfig({}, { dataDir: hubDir }), {
      username: 'admin',
      organisation: 'Hub',
      oneTimePassword: false,
    });
    const first = await start(0);
    hub = first.hub;
    const port = first.port;
    const admin = await HubClient.login(hub.url, creds.username, creds.password);
    const fed = await createFederation(admin, [{ name: 'Hospital A' }], 'DP collaboration');
    const study = await admin.createStudy({
      collaborationId: fed.collaboration.id,
      title: 'DP study',
      purpose: 'differential privacy budget test',
      minNodes: 1,
    } as never);
    const file = join(work, 'cohort.csv');
    writeFileSync(file, toCsv(generateCohort(DEMO_CENTRES[0]!, 200, 3)));
    const nodeYaml = join(work, 'node.yaml');
    const raw = {
      hub: { url: hub.url, enrolmentToken: fed.nodes[0]!.enrolmentToken },
      dataDir: join(work, 'node'),
      datasets: [{ name: 'cohort', file, dictionary: { columns: COHORT_DICTIONARY } }],
      // one node: a test of the budget, not of the floors
      policy: { minNodes: 1, minOrganisations: 1 },
      claimWaitMs: 500,
      heartbeatIntervalMs: 1000,
      log: { level: 'silent' },
      privacy: {
        differential: [
          { dataset: 'cohort', mechanism: 'laplace', budget: { epsilon: 1 }, perRelease: { epsilon: 1 } },
        ],
      },
    };
    // JSON is YAML: the same file serves `fedhub node privacy -c` below
    writeFileSync(nodeYaml, JSON.stringify(raw));
    const config = loadNodeConfigFile(nodeYaml);
    node = createNode({ config, log: pino({ level: 'silent' }) });
    await node.start();

    // the backup: the hub's database before any task ran
    await hub.close();
    cpSync(hubDir, join(work, 'hub-backup'), { recursive: true });
    hub = (await start(port)).hub;

    const params = { dataset: 'cohort', columns: ['age'] };
    const submit = async () => {
      const client = await HubClient.login(hub!.url, creds.username, creds.password);
      const task = await client.createTask({ studyId: study.id, algorithm: 'summary', params });
      return client.waitForTask(task.id, { timeoutMs: 30_000 });
    };
    const spent = await submit();
    expect(spent.status, JSON.stringify(spent.error)).toBe('completed');
    const result = spent.result as { privacy: Array<{ mechanism: string; epsilon: number }> };
    expect(result.privacy[0]).toMatchObject({ mechanism: 'laplace', epsilon: 1 });

    await hub.close();
    rmSync(hubDir, { recursive: true, force: true });
    cpSync(join(work, 'hub-backup'), hubDir, { recursive: true });
    hub = (await start(port)).hub;
    const client = await HubClient.login(hub.url, creds.username, creds.password);
    // the restored hub has never seen the first task
    expect((await client.listTasks(study.id)).length).toBe(0);

    const again = await submit();
    expect(again.status).toBe('failed');
    expect(again.error?.code).toBe('FH_ERR_NODE_REFUSED');
    expect(again.error?.message).toContain('FH_ERR_BUDGET_EXHAUSTED');

    // the node's data officer sees the spent budget in the node's own ledger
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: string) => {
      out.push(String(c));
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['node', 'fedhub', 'node', 'privacy', '-c', nodeYaml, '--json']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({
      budgets: [
        {
          dataset: 'cohort',
          studyId: study.id,
          mechanism: 'laplace',
          releases: 1,
          spent: { epsilon: 1, delta: 0 },
          budget: { epsilon: 1, delta: 0 },
        },
      ],
      quotas: [],
    });
  }, 90_000);
});
