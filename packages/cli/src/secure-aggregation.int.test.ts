/**
 * After a secure-aggregated glm run through a real hub (SQLite file) and three nodes on loopback, neither the
 * hub's database nor its log holds any node's partial: the stored payloads are masked vectors, and no number
 * of any node's clear partial appears in the database file or the log.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateNodeKeys } from '@fedhub/crypto';
import { initHub, loadHubConfig, startHub } from '@fedhub/hub';
import { createNode, DatasetStore, parseNodeConfig, runLocalFederation } from '@fedhub/node';
import { DisclosurePolicySchema } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'fedhub-secagg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('secure aggregation leaves no per-node partial at the hub', () => {
  it('stores only masked vectors for a glm run', async () => {
    const files = DEMO_CENTRES.map((c, i) => {
      const f = join(work, `c${i}.csv`);
      writeFileSync(f, toCsv(generateCohort(c, 300, 31 + i)));
      return f;
    });
    const params = {
      dataset: 'cohort',
      formula: 'toxicity ~ dose_gy + age + sex',
      family: 'binomial' as const,
    };
    // every node's clear partials of the first IRLS round (beta = null), computed here without masks
    const stores = await Promise.all(
      files.map((file) =>
        DatasetStore.open([
          { name: 'cohort', file, format: 'csv', columns: COHORT_DICTIONARY, onInvalid: 'reject' },
        ]),
      ),
    );
    const clear = await runLocalFederation(
      'glm',
      params,
      stores.map((datasets, i) => ({
        id: `n${i}`,
        name: `n${i}`,
        datasets,
        keys: generateNodeKeys(),
        policy: DisclosurePolicySchema.parse({}),
      })),
      { secureAggregation: false },
    );
    for (const s of stores) s.close();
    const secrets = clear.transcript[1]!.flatMap((p) => (p as { additive: number[] }).additive).filter(
      // values with at least 10 significant digits cannot turn up by chance (a short one like 28.5 can, in a timestamp)
      (v) => JSON.stringify(v).replace(/^-?0\.0*|[-.]|e.*$/g, '').length >= 10,
    );
    expect(secrets.length).toBeGreaterThan(30);

    const logLines: string[] = [];
    const log = pino(
      { level: 'trace' },
      new Writable({
        write: (chunk, _e, cb) => {
          logLines.push(String(chunk));
          cb();
        },
      }),
    );
    const config = loadHubConfig({}, { dataDir: join(work, 'hub'), port: 0 });
    const admin = await initHub(config, { username: 'admin', organisation: 'Hub', oneTimePassword: false });
    const hub = await startHub(config, { log });
    const nodes = [];
    try {
      const client = await HubClient.login(hub.url, admin.username, admin.password);
      const orgs = [];
      for (const c of DEMO_CENTRES) orgs.push(await client.createOrganisation({ name: c.name }));
      const collab = await client.createCollaboration({
        name: 'Secure aggregation',
        organisationIds: orgs.map((o) => o.id),
      });
      for (const [i, file] of files.entries()) {
        const created = await client.createNode({
          collaborationId: collab.id,
          organisationId: orgs[i]!.id,
          name: DEMO_CENTRES[i]!.name,
        });
        const cfg = parseNodeConfig(
          {
            hub: { url: hub.url, enrolmentToken: created.enrolmentToken },
            dataDir: join(work, `node${i}`),
            datasets: [{ name: 'cohort', file, dictionary: { columns: COHORT_DICTIONARY } }],
            policy: { minNodes: 1, minOrganisations: 1 }, // not a test of the node's floors
            claimWaitMs: 5000,
          },
          work,
        );
        const node = createNode({ config: cfg, log: pino({ level: 'silent' }) });
        await node.start();
        nodes.push(node);
      }
      const study = await client.createStudy({
        collaborationId: collab.id,
        title: 'Secure aggregation study',
        purpose: 'No partial at the hub',
      });
      const task = await client.createTask({ studyId: study.id, algorithm: 'glm', params });
      const done = await client.waitForTask(task.id, { timeoutMs: 60_000 });
      expect(done.status).toBe('completed');
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await hub.close();
    }
    const dbBytes = readdirSync(join(work, 'hub'))
      .map((f) => readFileSync(join(work, 'hub', f)).toString('latin1'))
      .join('\n');
    const logText = logLines.join('');
    expect(dbBytes).toContain('maskedAdditive');
    expect(dbBytes).not.toContain('"additive"');
    for (const v of secrets) {
      const text = JSON.stringify(v);
      expect(dbBytes.includes(text), `a node's partial value ${text} is in the hub database`).toBe(false);
      expect(logText.includes(text), `a node's partial value ${text} is in the hub log`).toBe(false);
    }
  }, 120_000);
});
