/**
 * A real hub and three real nodes in this process on loopback, as `fedhub simulate` sets them up, plus a
 * researcher, an auditor (of the first hospital, so that the study is visible to them) and one node-admin
 * per hospital, for the browser test. The nodes approve manually: nothing runs until their admin says so.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generateAdminKeyPem, signAdminStatement } from '@fedhub/crypto';
import { initHub, loadHubConfig, startHub } from '@fedhub/hub';
import { AdminKeyStore, createNode, parseNodeConfig } from '@fedhub/node';
import type { ApprovalDecisionRequest } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { pino } from 'pino';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from './cohort.js';

/** The running federation and the accounts the test signs in with. */
export interface TestFederation {
  hubUrl: string;
  collaborationName: string;
  researcher: { username: string; password: string };
  auditor: { username: string; password: string };
  /** One node-admin per hospital, in node order. */
  nodeAdmins: Array<{ username: string; password: string; nodeName: string }>;
  nodeNames: string[];
  /** The hub administrator (first sign-in), the collaboration, the nodes' and hospitals' ids, in node order. */
  admin: { username: string; password: string };
  collaborationId: string;
  nodeIds: string[];
  organisationIds: string[];
  /**
   * Records a decision at the hub for node `index` as its node-admin, signed with the administrator key
   * enrolled at that node (what `fedhub node admins decide` does): the only kind of relayed decision the
   * node honours (issue 15, item 6).
   */
  decideSigned(index: number, body: ApprovalDecisionRequest): Promise<void>;
  /** The PEM private key enrolled at node `index` as `admin-<index + 1>` (what the admin loads in the inbox). */
  adminKeyPem(index: number): string;
  close(): Promise<void>;
}

const quiet = pino({ level: 'silent' });

/** `dist/` of the installed web package (the dashboard the browser test drives). */
function builtDashboardDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@fedhub/web/package.json')), 'dist');
}

/**
 * Starts the hub, enrols `rows`-patient cohorts at three nodes and waits until all are online. The nodes
 * approve manually unless `opts.approvals` is 'automatic' (for tests of what results look like).
 */
export async function startTestFederation(
  work: string,
  rows = 400,
  opts: { approvals?: 'manual' | 'automatic' } = {},
): Promise<TestFederation> {
  const config = loadHubConfig(
    {},
    // the web package's build, as `fedhub hub start` gives it (npm run build first)
    {
      dataDir: join(work, 'hub'),
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      dashboardDir: builtDashboardDir(),
    },
  );
  const admin = await initHub(config, {
    username: 'admin',
    organisation: 'Hub operator',
    oneTimePassword: false,
  });
  const hub = await startHub(config, { log: quiet });
  const nodes: Array<{ stop(): Promise<void> }> = [];
  const nodeIds: string[] = [];
  const adminKeys: string[] = [];
  try {
    const client = await HubClient.login(hub.url, admin.username, admin.password);
    const centres = DEMO_CENTRES.slice(0, 3);
    const orgs = [];
    for (const c of centres) orgs.push(await client.createOrganisation({ name: c.name }));
    const collaborationName = 'Radiotherapy outcomes';
    const collab = await client.createCollaboration({
      name: collaborationName,
      organisationIds: orgs.map((o) => o.id),
    });
    for (const [i, c] of centres.entries()) {
      const created = await client.createNode({
        collaborationId: collab.id,
        organisationId: orgs[i]!.id,
        name: c.name,
      });
      nodeIds.push(created.node.id);
      // the hospital enrols its node administrator's key at the node
      const key = generateAdminKeyPem();
      new AdminKeyStore(join(work, `node-${i}`)).add(`admin-${i + 1}`, key.publicKeyPem);
      adminKeys.push(key.privateKeyPem);
      const file = join(work, `centre-${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(c, rows, 100 + i)));
      const cfg = parseNodeConfig(
        {
          hub: { url: hub.url, enrolmentToken: created.enrolmentToken },
          dataDir: join(work, `node-${i}`),
          datasets: [{ name: 'cohort', file, dictionary: { columns: COHORT_DICTIONARY } }],
          claimWaitMs: 20000,
          // every node asks its admin for each algorithm version (manual approval), and picks up the
          // decisions relayed by the hub within a second
          heartbeatIntervalMs: 1000,
          approvals: { defaultMode: opts.approvals ?? 'manual' },
          log: { level: 'silent' },
        },
        work,
      );
      const node = createNode({ config: cfg, log: quiet });
      await node.start();
      nodes.push(node);
    }
    const researcher = { username: 'rita.researcher', password: 'correct horse battery' };
    const auditor = { username: 'aldo.auditor', password: 'staple battery horse' };
    await client.createUser({ ...researcher, organisationId: orgs[0]!.id, roles: ['researcher'] });
    await client.createUser({ ...auditor, organisationId: orgs[0]!.id, roles: ['auditor'] });
    const nodeAdmins = centres.map((c, i) => ({
      username: `node.admin.${i + 1}`,
      password: `node admin password ${i + 1}`,
      nodeName: c.name,
    }));
    for (const [i, a] of nodeAdmins.entries())
      await client.createUser({
        username: a.username,
        password: a.password,
        organisationId: orgs[i]!.id,
        roles: ['node-admin'],
      });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ns = await client.listNodes(collab.id);
      if (ns.filter((n) => n.status === 'online' && n.datasets.length > 0).length === centres.length) break;
      if (Date.now() > deadline)
        throw new Error(`nodes did not come online: ${ns.map((n) => `${n.name}=${n.status}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      hubUrl: hub.url,
      collaborationName,
      researcher,
      auditor,
      nodeAdmins,
      nodeNames: centres.map((c) => c.name),
      admin: { username: admin.username, password: admin.password },
      collaborationId: collab.id,
      nodeIds,
      organisationIds: orgs.map((o) => o.id),
      async decideSigned(index, body) {
        const a = nodeAdmins[index]!;
        const nodeId = nodeIds[index]!;
        const as = await HubClient.login(hub.url, a.username, a.password);
        const adminSignature = signAdminStatement(adminKeys[index]!, `admin-${index + 1}`, nodeId, body);
        await as.decideApproval(nodeId, { ...body, adminSignature });
      },
      adminKeyPem: (index) => adminKeys[index]!,
      async close() {
        await Promise.allSettled(nodes.map((n) => n.stop()));
        await hub.close();
      },
    };
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await hub.close();
    throw err;
  }
}
