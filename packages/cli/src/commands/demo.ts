/**
 * `fedhub demo`: a hub on SQLite and three hospital nodes as separate processes, each with a synthetic
 * radiotherapy cohort and CT dose records that differ by centre, and a node administrator per hospital
 * with a key enrolled at its node (one node approves by hand: demo-node-admins.ts); runs DEMO_ANALYSES,
 * prints the results, and keeps the federation running (or exits with --once).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { initHub, loadHubConfig } from '@fedhub/hub';
import type { CreateStudyRequest, CreateTaskRequest, TaskDetail } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { writeCentreFiles } from '@fedhub/testkit';
import { createFederation, waitForNodesOnline } from '@fedhub/testkit/federation-setup';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { type Started, startFedhubProcess, stopProcess } from '../child-process.js';
import { formatTaskOutcome } from '../format-result.js';
import { printJson } from '../output.js';
import { watchTask } from '../task-progress.js';
import {
  approveAsNodeAdmin,
  createDemoNodeAdmins,
  type DemoNodeAdmin,
  nodeAdminLines,
} from './demo-node-admins.js';

export interface DemoOptions {
  dir: string;
  port: number;
  once: boolean;
  json: boolean;
  patients: number;
}

export const DEMO_ANALYSES = [
  {
    title: 'Age, dose and BMI by centre',
    algorithm: 'summary',
    params: {
      dataset: 'cohort',
      columns: ['age', 'dose_gy', 'bmi'],
      bins: { age: { breaks: [18, 50, 60, 70, 101] }, dose_gy: { breaks: [20, 58, 62, 66, 90] } },
    },
  },
  {
    title: 'Toxicity by stage',
    algorithm: 'crosstab',
    params: { dataset: 'cohort', rows: 'stage', cols: 'toxicity' },
  },
  {
    title: 'Grade >= 2 toxicity after radiotherapy: logistic regression',
    algorithm: 'glm',
    params: {
      dataset: 'cohort',
      formula: 'toxicity ~ dose_gy + age + sex + stage',
      family: 'binomial',
      // the demo study allows per-centre results: each centre's own fit beside the pooled one
      perCentre: true,
    },
  },
  {
    title: 'Overall survival by stage: Kaplan–Meier and log-rank',
    algorithm: 'km',
    params: { dataset: 'cohort', time: 'months', event: 'dead', group: 'stage', timeResolution: 1 },
  },
  {
    title: 'Overall survival: Cox model (Efron ties, follow-up coarsened to whole months)',
    algorithm: 'coxph',
    params: {
      dataset: 'cohort',
      formula: 'Surv(months, dead) ~ age + stage + dose_gy',
      ties: 'efron',
      timeResolution: 1,
    },
  },
  {
    title: 'CT dose (CTDIvol, DLP) of chest examinations',
    algorithm: 'summary',
    params: {
      dataset: 'ct_dose',
      columns: ['ctdivol_mgy', 'dlp_mgycm'],
      filter: { column: 'exam', op: 'eq', value: 'chest' },
    },
  },
  {
    title: 'National CT dose survey: diagnostic reference levels from facility medians',
    algorithm: 'drl-survey',
    params: { dataset: 'ct_dose', minN: 20 },
  },
] as const;

/**
 * The request the demo submits for one of its analyses: with its title, so that the study's task list and
 * the task page tell the analyses apart as the terminal does.
 */
export function demoTaskRequest(a: (typeof DEMO_ANALYSES)[number], studyId: string): CreateTaskRequest {
  return { studyId, algorithm: a.algorithm, params: a.params as never, title: a.title };
}

/** The `fedhub run` line the demo prints for an analysis: the same request, to copy and adapt. */
export function demoRunCommand(a: (typeof DEMO_ANALYSES)[number], studyId: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return `fedhub run ${a.algorithm} --study ${studyId} --title ${quote(a.title)} --params ${quote(JSON.stringify(a.params))}`;
}

/**
 * The demo study: what a consortium would file (the references are fictitious). Its variables and
 * algorithms are those of DEMO_ANALYSES, plus the validation of the models they fit (the task page's
 * "validate this model"); a test checks that each analysis is inside it.
 */
export const DEMO_STUDY = {
  title: 'Toxicity after radiotherapy (demo)',
  purpose:
    'Describe case mix, dose and toxicity across centres, model grade >= 2 toxicity and overall survival after radiotherapy; monitor CT doses against diagnostic reference levels',
  legalBasis: ['art6-1e-public-interest', 'art9-2j-research'],
  legalBasisNote:
    'Scientific research in the public interest under national law implementing Art. 89(1) GDPR; CT dose monitoring also under Art. 9(2)(i) (Euratom 2013/59 Art. 56)',
  ethicsApprovalRef: 'MREC-2026-017 (demo)',
  dpiaRef: 'DPIA-RTOC-2026-01 (demo)',
  dataCategories: [
    'health data: tumour stage, radiotherapy dose and fractions, toxicity, survival',
    'demographics: age, sex, body-mass index',
    'CT examination dose indices (CTDIvol, DLP)',
  ],
  dataSubjectCategories: ['patients treated with radiotherapy', 'patients examined by CT'],
  variables: [
    {
      dataset: 'cohort',
      columns: ['age', 'sex', 'stage', 'bmi', 'dose_gy', 'toxicity', 'months', 'dead'],
    },
    { dataset: 'ct_dose', columns: ['exam', 'phantom', 'age', 'ctdivol_mgy', 'dlp_mgycm'] },
  ],
  algorithms: [
    { name: 'summary' },
    { name: 'crosstab' },
    { name: 'glm' },
    { name: 'km' },
    { name: 'coxph' },
    { name: 'drl-survey' },
    // "validate this model": the GLM and the Cox model checked at each centre (discrimination, calibration)
    { name: 'validate' },
    { name: 'validate-survival' },
  ],
  minNodes: 3,
  startsAt: '2026-01-01',
  endsAt: '2036-12-31',
  // a dose survey compares each facility with the reference levels: the consortium agreed to per-centre results
  releasePerNodeBreakdown: true,
  controller: {
    name: 'Radiotherapy outcomes consortium (coordinating centre)',
    contact: 'privacy@rtoc.example',
  },
  dpo: { name: 'Data protection officer, coordinating centre', contact: 'dpo@rtoc.example' },
  recipients: ['researchers of the consortium', 'medical physics experts of the participating centres'],
  retention: 'Aggregated results kept 15 years after the end of the study, then erased',
} as const satisfies Omit<CreateStudyRequest, 'collaborationId'>;

export async function runDemo(
  opts: DemoOptions,
): Promise<{ tasks: TaskDetail[]; hubUrl: string; nodeAdmins: DemoNodeAdmin[]; stop: () => Promise<void> }> {
  const dir = resolve(opts.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const say = (s: string) => {
    if (!opts.json) process.stdout.write(`${s}\n`);
  };
  say(`fedhub demo in ${dir}`);
  const centres = writeCentreFiles(join(dir, 'data'), { patientsPerCentre: opts.patients });
  const hubDir = join(dir, 'hub');
  const config = loadHubConfig({}, { dataDir: hubDir, port: opts.port, host: '127.0.0.1' });
  const admin = await initHub(config, {
    username: 'admin',
    organisation: 'National computing hub',
    oneTimePassword: false,
  });
  const processes: Started[] = [];
  const stop = async () => {
    await Promise.allSettled(processes.slice(1).map((p) => stopProcess(p.child)));
    if (processes[0]) await stopProcess(processes[0].child);
  };
  try {
    const hub = await startFedhubProcess(
      ['hub', 'start', '--json', '--data-dir', hubDir, '--port', String(opts.port), '--host', '127.0.0.1'],
      join(dir, 'hub.log'),
    );
    processes.push(hub);
    const hubUrl = String(hub.ready.url);
    say(`hub running at ${hubUrl} (log: ${join(dir, 'hub.log')})`);
    const client = await HubClient.login(hubUrl, admin.username, admin.password);
    // a sign-in link for the dashboard, printed before the analyses' output so that it is seen at once:
    // a fresh access token in the URL fragment (never sent to a server)
    const link = await HubClient.login(hubUrl, admin.username, admin.password);
    const dashboardLink = `${hubUrl}/#access_token=${(await link.createApiToken('demo dashboard link', 1)).token}`;
    say(`Dashboard: ${hubUrl}/  sign-in link (valid one day): ${dashboardLink}`);
    say(
      `Sign in as ${admin.username}, password: ${admin.password} (the demo administrator's; change it with fedhub passwd)`,
    );
    const fed = await createFederation(
      client,
      centres.map((c) => ({ name: c.profile.name })),
      'Radiotherapy outcomes consortium',
    );
    const nodeAdmins = await createDemoNodeAdmins(
      client,
      dir,
      centres.map((c, i) => ({
        name: c.profile.name,
        slug: basename(c.dir),
        nodeId: fed.nodes[i]!.node.id,
        organisationId: fed.nodes[i]!.node.organisationId,
        dataDir: join(c.dir, 'node-data'),
      })),
    );
    for (const [i, c] of centres.entries()) {
      const nodeYaml = join(c.dir, 'node.yaml');
      writeFileSync(
        nodeYaml,
        stringify({
          hub: { url: hubUrl, enrolmentToken: fed.nodes[i]!.enrolmentToken },
          dataDir: join(c.dir, 'node-data'),
          datasets: [
            {
              name: 'cohort',
              file: c.cohortCsv,
              description: 'Radiotherapy cohort',
              dictionary: c.cohortDictionary,
            },
            {
              name: 'ct_dose',
              file: c.doseCsv,
              description: 'CT dose records',
              dictionary: c.doseDictionary,
            },
          ],
          policy: { minCellCount: 5, minSubsetSize: 10 },
          // one hospital asks its administrator for each new analysis, as a real hospital's node would
          approvals: { defaultMode: nodeAdmins[i]!.approvals },
          // decisions taken in the dashboard's inbox reach the node within seconds
          heartbeatIntervalMs: 2000,
          log: { level: 'info' },
        }),
        { mode: 0o600 },
      );
      processes.push(
        await startFedhubProcess(['node', 'start', '--json', '--config', nodeYaml], join(c.dir, 'node.log')),
      );
      say(`node ${c.profile.name} connected (config: ${nodeYaml})`);
    }
    await waitForNodesOnline(client, fed.collaboration.id, centres.length);
    const study = await client.createStudy({
      collaborationId: fed.collaboration.id,
      ...structuredClone(DEMO_STUDY as unknown as Omit<CreateStudyRequest, 'collaborationId'>),
    });
    // the manual hospital's administrator approves the demo's own analyses (signed, as from the inbox)
    for (const admin of nodeAdmins.filter((a) => a.approvals === 'manual'))
      await approveAsNodeAdmin(hubUrl, admin, study.id, [...new Set(DEMO_ANALYSES.map((a) => a.algorithm))]);
    for (const line of nodeAdminLines(nodeAdmins)) say(line);
    const tasks: TaskDetail[] = [];
    for (const a of DEMO_ANALYSES) {
      say(`\n== ${a.title}: ${demoRunCommand(a, study.id)}`);
      const task = await client.createTask(demoTaskRequest(a, study.id));
      const done = await watchTask(client, task.id, { quiet: opts.json });
      tasks.push(done);
      say(formatTaskOutcome(done));
    }
    if (opts.json)
      printJson({
        hubUrl,
        admin: { username: admin.username },
        nodeAdmins: nodeAdmins.map(({ password: _, ...a }) => a),
        studyId: study.id,
        tasks,
      });
    else {
      say(`\nThe federation is running. Hub: ${hubUrl}  API docs: ${hubUrl}/docs`);
      say(`Dashboard: ${hubUrl}/  sign-in link (valid one day): ${dashboardLink}`);
      say(
        `Sign in: fedhub login --hub ${hubUrl} --username ${admin.username}   (password: ${admin.password})`,
      );
      for (const line of nodeAdminLines(nodeAdmins)) say(line);
      say(`Study: ${study.id}`);
    }
    return { tasks, hubUrl, nodeAdmins, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a demo federation: a hub and three hospital nodes with synthetic data')
    .option('--dir <dir>', 'working folder (wiped first)', '.fedhub-demo')
    .option('--port <port>', 'hub port (0 = any free port)', '7600')
    .option('--patients <n>', 'patients per centre', '400')
    .option('--once', 'run the analyses, print the results and stop')
    .option('--json', 'machine-readable output')
    .action(async (o: { dir: string; port: string; patients: string; once?: boolean; json?: boolean }) => {
      const demo = await runDemo({
        dir: o.dir,
        port: Number(o.port),
        once: Boolean(o.once),
        json: Boolean(o.json),
        patients: Number(o.patients),
      });
      if (o.once) {
        await demo.stop();
        if (demo.tasks.some((t) => t.status !== 'completed')) process.exitCode = 2;
        return;
      }
      if (!o.json) process.stdout.write('Press Ctrl+C to stop.\n');
      await new Promise<void>((resolve) => {
        const stop = () => void demo.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
