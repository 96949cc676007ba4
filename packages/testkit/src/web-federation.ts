/**
 * A real hub and three real nodes in this process on loopback, as `fedhub simulate` sets them up, plus a
 * researcher, an auditor (of the first hospital, so that the study is visible to them) and one node-admin
 * per hospital, for the browser test. The nodes approve manually: nothing runs until their admin says so.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAdminKeyPem, signAdminStatement } from '@fedhub/crypto';
import { initHub, loadHubConfig, startHub } from '@fedhub/hub';
import { AdminKeyStore, createNode, parseNodeConfig } from '@fedhub/node';
import type { ApprovalDecisionRequest } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { pino } from 'pino';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from './cohort.js';
import { DOSE_DICTIONARY, generateDoseRecords } from './dose-records.js';
import { IMAGING_COHORT_DICTIONARY, seedImagingCentre } from './imaging-centre.js';

/**
 * The long-format differential DVH tables of the LKB reference (packages/algorithms/src/lkb/fixtures, made
 * by make-fixtures.R beside them, with R's fit in lkb-reference.json): one per centre.
 */
const LKB_FIXTURES = new URL('../../algorithms/src/lkb/fixtures/', import.meta.url);

/** The dictionary of those DVH tables. */
export const DVH_TABLE_DICTIONARY = [
  { name: 'patient', type: 'categorical', identifier: true, description: 'Patient pseudonym' },
  {
    name: 'dose',
    type: 'numeric',
    unit: 'Gy',
    min: 0,
    max: 100,
    resolution: 0.01,
    description: 'Dose bin centre',
  },
  {
    name: 'volume',
    type: 'numeric',
    min: 0,
    max: 1,
    resolution: 1e-6,
    description: 'Fraction of the organ in the bin',
  },
  { name: 'outcome', type: 'integer', min: 0, max: 1, description: 'Complication (1 = yes)' },
] as const;

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

/** What {@link startTestFederation} and {@link addTestCollaboration} may be asked for. */
export interface TestFederationOptions {
  /** 'manual' (default): nothing runs until the node admins approve; 'automatic' for result-only tests. */
  approvals?: 'manual' | 'automatic';
  /** Number of hospitals (1 to 3; default 3). */
  centres?: number;
  /**
   * Prefixes the names of the organisations, the collaboration and the accounts, so that several
   * collaborations share one hub (a test that counts what a node holds gets a node of its own).
   */
  prefix?: string;
  /**
   * Radiotherapy and dose-monitoring data besides the cohort, at each node: a differential DVH table with
   * outcomes (`dvh`, the LKB reference's centres), CT dose records (`ct_dose`), and a DICOM store fed
   * through the real de-identifying intake with `rtPatients` CT patients with a GTV and an RT Dose, named
   * by pseudonym in `imaging_cohort`. Needs the compiled packages (the store's workers).
   */
  rtPatients?: number;
}

/**
 * Starts the hub, enrols `rows`-patient cohorts at three nodes and waits until all are online. The nodes
 * approve manually unless `opts.approvals` is 'automatic' (for tests of what results look like).
 */
export async function startTestFederation(
  work: string,
  rows = 400,
  opts: TestFederationOptions & { loginRateLimitPerMinute?: number } = {},
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
      // several test files signing in to one shared hub from one address
      ...(opts.loginRateLimitPerMinute ? { loginRateLimitPerMinute: opts.loginRateLimitPerMinute } : {}),
    },
  );
  const admin = await initHub(config, {
    username: 'admin',
    organisation: 'Hub operator',
    oneTimePassword: false,
  });
  const hub = await startHub(config, { log: quiet });
  try {
    const fed = await addTestCollaboration(hub.url, admin, work, rows, opts);
    return {
      ...fed,
      async close() {
        await fed.close();
        await hub.close();
      },
    };
  } catch (err) {
    await hub.close();
    throw err;
  }
}

/**
 * Adds a collaboration of its own to a running hub: `opts.centres` hospitals with their node (started in
 * this process, data under `work`), a researcher, an auditor and one node-admin per hospital. `close`
 * stops its nodes only. Names carry `opts.prefix`, so that it can sit beside others on one hub.
 */
export async function addTestCollaboration(
  hubUrl: string,
  hubAdmin: { username: string; password: string },
  work: string,
  rows = 400,
  opts: TestFederationOptions = {},
): Promise<TestFederation> {
  const nodes: Array<{ stop(): Promise<void> }> = [];
  const stores: Array<{ close(): Promise<void> }> = [];
  const nodeIds: string[] = [];
  const adminKeys: string[] = [];
  const pre = opts.prefix ? `${opts.prefix} ` : '';
  const user = (name: string) =>
    opts.prefix ? `${opts.prefix.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${name}` : name;
  try {
    const client = await HubClient.login(hubUrl, hubAdmin.username, hubAdmin.password);
    const centres = DEMO_CENTRES.slice(0, opts.centres ?? 3);
    const orgs = [];
    for (const c of centres) orgs.push(await client.createOrganisation({ name: `${pre}${c.name}` }));
    const collaborationName = opts.prefix ? `${opts.prefix} collaboration` : 'Radiotherapy outcomes';
    const collab = await client.createCollaboration({
      name: collaborationName,
      organisationIds: orgs.map((o) => o.id),
    });
    const nodeNames = centres.map((c) => `${pre}${c.name}`);
    for (const [i, c] of centres.entries()) {
      const created = await client.createNode({
        collaborationId: collab.id,
        organisationId: orgs[i]!.id,
        name: nodeNames[i]!,
      });
      nodeIds.push(created.node.id);
      const dir = join(work, `${user('node')}-${i}`);
      // the hospital enrols its node administrator's key at the node
      const key = generateAdminKeyPem();
      new AdminKeyStore(dir).add(`admin-${i + 1}`, key.publicKeyPem);
      adminKeys.push(key.privateKeyPem);
      const file = join(work, `${user('centre')}-${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(c, rows, 100 + i)));
      const datasets: Array<{ name: string; file: string; dictionary: { columns: unknown[] } }> = [
        { name: 'cohort', file, dictionary: { columns: COHORT_DICTIONARY } },
      ];
      let imaging: Awaited<ReturnType<typeof seedImagingCentre>> | undefined;
      if (opts.rtPatients) {
        const dose = join(work, `${user('ct-dose')}-${i}.csv`);
        writeFileSync(
          dose,
          toCsv(generateDoseRecords(300, 700 + i, [1, 1.25, 0.85][i % 3]!, `${'ABC'[i]}E`)),
        );
        imaging = await seedImagingCentre(dir, i, opts.rtPatients, work);
        stores.push(imaging.store);
        datasets.push(
          {
            name: 'dvh',
            file: fileURLToPath(new URL(`lkb-${'abc'[i]}.csv`, LKB_FIXTURES)),
            dictionary: { columns: [...DVH_TABLE_DICTIONARY] },
          },
          { name: 'ct_dose', file: dose, dictionary: { columns: DOSE_DICTIONARY } },
          {
            name: 'imaging_cohort',
            file: imaging.cohortCsv,
            dictionary: { columns: IMAGING_COHORT_DICTIONARY },
          },
        );
      }
      const cfg = parseNodeConfig(
        {
          hub: { url: hubUrl, enrolmentToken: created.enrolmentToken },
          dataDir: dir,
          datasets,
          claimWaitMs: 20000,
          // every node asks its admin for each algorithm version (manual approval), and picks up the
          // decisions relayed by the hub within a second
          heartbeatIntervalMs: 1000,
          approvals: { defaultMode: opts.approvals ?? 'manual' },
          log: { level: 'silent' },
        },
        work,
      );
      const node = createNode({ config: cfg, log: quiet, ...(imaging ? { imaging: imaging.imaging } : {}) });
      await node.start();
      nodes.push(node);
    }
    const researcher = { username: user('rita.researcher'), password: 'correct horse battery' };
    const auditor = { username: user('aldo.auditor'), password: 'staple battery horse' };
    await client.createUser({ ...researcher, organisationId: orgs[0]!.id, roles: ['researcher'] });
    await client.createUser({ ...auditor, organisationId: orgs[0]!.id, roles: ['auditor'] });
    const nodeAdmins = centres.map((_, i) => ({
      username: user(`node.admin.${i + 1}`),
      password: `node admin password ${i + 1}`,
      nodeName: nodeNames[i]!,
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
    const signer = adminSigner(hubUrl, nodeAdmins, nodeIds, adminKeys);
    return {
      hubUrl,
      collaborationName,
      researcher,
      auditor,
      nodeAdmins,
      nodeNames,
      admin: { username: hubAdmin.username, password: hubAdmin.password },
      collaborationId: collab.id,
      nodeIds,
      organisationIds: orgs.map((o) => o.id),
      decideSigned: signer,
      adminKeyPem: (index) => adminKeys[index]!,
      async close() {
        await Promise.allSettled(nodes.map((n) => n.stop()));
        await Promise.allSettled(stores.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await Promise.allSettled(stores.map((s) => s.close()));
    throw err;
  }
}

/**
 * `decideSigned` of a federation whose node admins and enrolled keys are known (usable in another process
 * than the one running the nodes: it only talks to the hub).
 */
export function adminSigner(
  hubUrl: string,
  nodeAdmins: ReadonlyArray<{ username: string; password: string }>,
  nodeIds: readonly string[],
  adminKeys: readonly string[],
): TestFederation['decideSigned'] {
  const adminClients = new Map<number, Promise<HubClient>>();
  return async (index, body) => {
    const a = nodeAdmins[index]!;
    // one sign-in per node admin for the whole test: the hub throttles repeated logins per address
    let as = adminClients.get(index);
    if (!as) {
      as = HubClient.login(hubUrl, a.username, a.password);
      adminClients.set(index, as);
    }
    const adminSignature = signAdminStatement(adminKeys[index]!, `admin-${index + 1}`, nodeIds[index]!, body);
    await (await as).decideApproval(nodeIds[index]!, { ...body, adminSignature });
  };
}
