import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type CreateStudyRequest,
  FedhubError,
  insecureCredentialUrl,
  LEGAL_BASES,
  type UpdateStudyRequest,
} from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { printJson, table } from '../output.js';
import { clientFromEnvironment, writeSession } from '../session.js';

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.FEDHUB_PASSWORD) return process.env.FEDHUB_PASSWORD;
  const rl = createInterface({
    input: process.stdin,
    output: fromStdin ? undefined : process.stderr,
    terminal: false,
  });
  if (!fromStdin) process.stderr.write('Password: ');
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('no password given on standard input');
}

type Global = { hub?: string; json?: boolean };

interface StudyFlags {
  file?: string;
  title?: string;
  purpose?: string;
  nodes?: string[];
  legalBasis?: string[];
  legalBasisNote?: string;
  ethicsRef?: string;
  dpiaRef?: string;
  dataCategories?: string[];
  subjects?: string[];
  variables?: string[];
  algorithms?: string[];
  minNodes?: string;
  starts?: string;
  ends?: string;
  perNodeBreakdown?: boolean;
  subgroups?: boolean;
  controller?: string;
  controllerContact?: string;
  dpo?: string;
  dpoContact?: string;
  recipients?: string[];
  retention?: string;
}

/** The study fields from --file and the flags (the hub validates them; this only reshapes). */
export function studyFields(o: StudyFlags): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  if (o.file) {
    const parsed = parseYaml(readFileSync(o.file, 'utf8')) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new FedhubError('FH_ERR_VALIDATION', `--file ${o.file}: expected a mapping of study fields`);
    out = { ...(parsed as Record<string, unknown>) };
  }
  const set = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  set('title', o.title);
  set('purpose', o.purpose);
  set('nodeIds', o.nodes);
  set('legalBasis', o.legalBasis);
  set('legalBasisNote', o.legalBasisNote);
  set('ethicsApprovalRef', o.ethicsRef);
  set('dpiaRef', o.dpiaRef);
  set('dataCategories', o.dataCategories);
  set('dataSubjectCategories', o.subjects);
  set(
    'variables',
    o.variables?.map((v) => {
      const m = /^([^:]+):(.+)$/.exec(v);
      if (!m)
        throw new FedhubError('FH_ERR_VALIDATION', `--variables "${v}": write dataset:column,column,...`);
      return {
        dataset: m[1]!,
        columns: m[2]!
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      };
    }),
  );
  set(
    'algorithms',
    o.algorithms?.map((a) => {
      const [name, version] = a.split('@');
      return version ? { name, version } : { name };
    }),
  );
  if (o.minNodes !== undefined) {
    const n = Number(o.minNodes);
    if (!Number.isInteger(n) || n < 1)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `--min-nodes "${o.minNodes}": expected a whole number of at least 1`,
      );
    out.minNodes = n;
  }
  set('startsAt', o.starts);
  set('endsAt', o.ends);
  set('releasePerNodeBreakdown', o.perNodeBreakdown);
  set('releaseSubgroupAnalyses', o.subgroups);
  if (o.controller !== undefined || o.controllerContact !== undefined)
    out.controller = { name: o.controller ?? '', contact: o.controllerContact ?? '' };
  if (o.dpo !== undefined || o.dpoContact !== undefined)
    out.dpo = { name: o.dpo ?? '', contact: o.dpoContact ?? '' };
  set('recipients', o.recipients);
  set('retention', o.retention);
  return out;
}

export function registerAdminCommands(program: Command): void {
  program
    .command('login')
    .description('sign in to a hub and keep the session (~/.config/fedhub/session.json, mode 0600)')
    .requiredOption('--hub <url>', 'hub URL')
    .requiredOption('-u, --username <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input (or set FEDHUB_PASSWORD)')
    .option('--allow-insecure-http', 'accept an http:// hub URL outside this machine (password in clear)')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        hub: string;
        username: string;
        passwordStdin?: boolean;
        allowInsecureHttp?: boolean;
        json?: boolean;
      }) => {
        const insecure = insecureCredentialUrl(opts.hub, opts.allowInsecureHttp === true);
        if (insecure)
          throw new FedhubError(
            'FH_ERR_VALIDATION',
            `--hub: ${insecure.replace('allowInsecureHttp: true', '--allow-insecure-http')}`,
          );
        const password = await readPassword(Boolean(opts.passwordStdin));
        const client = new HubClient({ baseUrl: opts.hub });
        const tokens = await client.login(opts.username, password);
        writeSession({
          hubUrl: client.baseUrl,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          username: opts.username,
        });
        const me = await client.me();
        if (opts.json) printJson(me);
        else
          process.stdout.write(`signed in to ${client.baseUrl} as ${me.username} (${me.roles.join(', ')})\n`);
      },
    );

  program
    .command('passwd')
    .description(
      'change your password (reads the current and then the new password, one per line, from standard input)',
    )
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global) => {
      const client = clientFromEnvironment(opts);
      const rl = createInterface({ input: process.stdin, terminal: false });
      const lines: string[] = [];
      if (process.stdin.isTTY)
        process.stderr.write('Current password, then new password (at least 12 characters):\n');
      for await (const line of rl) {
        lines.push(line);
        if (lines.length === 2) break;
      }
      rl.close();
      if (lines.length < 2)
        throw new Error('expected the current and the new password on two lines of standard input');
      await client.changePassword(lines[0]!, lines[1]!);
      opts.json
        ? printJson({ ok: true })
        : process.stdout.write(
            'password changed; every session and API token of yours is signed out: sign in again\n',
          );
    });

  const org = program.command('org').description('organisations (hospitals, the hub operator)');
  org
    .command('create <name>')
    .option('--country <cc>', 'ISO country code')
    .option('--hub <url>')
    .option('--json')
    .action(async (name: string, opts: Global & { country?: string }) => {
      const o = await clientFromEnvironment(opts).createOrganisation({
        name,
        ...(opts.country ? { country: opts.country } : {}),
      });
      opts.json ? printJson(o) : process.stdout.write(`organisation ${o.name}: ${o.id}\n`);
    });
  org
    .command('list')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global) => {
      const list = await clientFromEnvironment(opts).listOrganisations();
      opts.json
        ? printJson(list)
        : process.stdout.write(
            `${table(
              ['id', 'name'],
              list.map((o) => [o.id, o.name]),
            )}\n`,
          );
    });

  const user = program.command('user').description('user accounts');
  user
    .command('create <username>')
    .requiredOption('--org <id>', 'organisation id')
    .requiredOption('--roles <roles>', 'comma-separated: hub-admin, researcher, node-admin, auditor')
    .option('--password-stdin', 'read the initial password from standard input (or FEDHUB_PASSWORD)')
    .option('--hub <url>')
    .option('--json')
    .action(
      async (username: string, opts: Global & { org: string; roles: string; passwordStdin?: boolean }) => {
        const password = await readPassword(Boolean(opts.passwordStdin));
        const u = await clientFromEnvironment(opts).createUser({
          username,
          password,
          organisationId: opts.org,
          roles: opts.roles.split(',').map((r) => r.trim()),
        });
        opts.json ? printJson(u) : process.stdout.write(`user ${u.username}: ${u.id}\n`);
      },
    );

  const collab = program.command('collab').description('collaborations (consortia of organisations)');
  collab
    .command('create <name>')
    .option('--org <id...>', 'member organisations')
    .option('--description <text>')
    .option('--hub <url>')
    .option('--json')
    .action(async (name: string, opts: Global & { org?: string[]; description?: string }) => {
      const c = await clientFromEnvironment(opts).createCollaboration({
        name,
        organisationIds: opts.org ?? [],
        ...(opts.description ? { description: opts.description } : {}),
      });
      opts.json ? printJson(c) : process.stdout.write(`collaboration ${c.name}: ${c.id}\n`);
    });
  collab
    .command('add-org <collaborationId> <organisationId>')
    .option('--hub <url>')
    .option('--json')
    .action(async (collaborationId: string, organisationId: string, opts: Global) => {
      const c = await clientFromEnvironment(opts).addOrganisation(collaborationId, organisationId);
      opts.json
        ? printJson(c)
        : process.stdout.write(`collaboration ${c.name} now has ${c.organisationIds.length} organisations\n`);
    });
  collab
    .command('list')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global) => {
      const list = await clientFromEnvironment(opts).listCollaborations();
      opts.json
        ? printJson(list)
        : process.stdout.write(
            `${table(
              ['id', 'name', 'organisations'],
              list.map((c) => [c.id, c.name, c.organisationIds.length]),
            )}\n`,
          );
    });

  const study = program
    .command('study')
    .description("studies: a collaboration's project with its purpose and nodes");
  const governance = (c: Command) =>
    c
      .option('--file <study.yaml>', 'the study fields from a YAML or JSON file (flags override it)')
      .option('--legal-basis <codes...>', `GDPR bases: ${LEGAL_BASES.join(', ')}`)
      .option('--legal-basis-note <text>')
      .option('--ethics-ref <ref>', 'ethics approval reference')
      .option('--dpia-ref <ref>', 'data protection impact assessment reference')
      .option('--data-categories <text...>', 'categories of personal data')
      .option('--subjects <text...>', 'categories of data subjects')
      .option(
        '--variables <dataset:columns...>',
        'allowed columns, e.g. cohort:age,sex,dose_gy (repeat per dataset)',
      )
      .option('--algorithms <algorithms...>', 'allowed algorithms, each name or name@version')
      .option('--min-nodes <n>', 'fewest nodes a task may pool (default 3)')
      .option('--starts <YYYY-MM-DD>')
      .option('--ends <YYYY-MM-DD>')
      .option('--per-node-breakdown', 'allow per-node or per-centre parts of results')
      .option('--subgroups', 'allow subgroup analyses (results by the levels of a declared column)')
      .option('--controller <name>')
      .option('--controller-contact <contact>')
      .option('--dpo <name>')
      .option('--dpo-contact <contact>')
      .option('--recipients <text...>')
      .option('--retention <text>')
      .option('--hub <url>')
      .option('--json');
  governance(
    study
      .command('create')
      .description('create a study: the unit of permission (what may run, on which columns, where and when)')
      .requiredOption('--collab <id>', 'collaboration id')
      .option('--title <text>')
      .option('--purpose <text>')
      .option('--nodes <ids...>', 'participating nodes (default: all of the collaboration)'),
  ).action(async (opts: Global & StudyFlags & { collab: string }) => {
    const body = { collaborationId: opts.collab, ...studyFields(opts) } as CreateStudyRequest;
    if (!body.title || !body.purpose)
      throw new FedhubError('FH_ERR_VALIDATION', 'a study needs --title and --purpose (or both in --file)');
    const s = await clientFromEnvironment(opts).createStudy(body);
    opts.json
      ? printJson(s)
      : process.stdout.write(`study "${s.title}": ${s.id} (${s.nodeIds.length} nodes)\n`);
  });
  governance(
    study
      .command('update <id>')
      .description('change a study; the hub audits changes that widen its permission as such')
      .option('--title <text>')
      .option('--purpose <text>')
      .option('--nodes <ids...>', 'participating nodes'),
  ).action(async (id: string, opts: Global & StudyFlags) => {
    const s = await clientFromEnvironment(opts).updateStudy(id, studyFields(opts) as UpdateStudyRequest);
    opts.json ? printJson(s) : process.stdout.write(`study "${s.title}" updated\n`);
  });
  study
    .command('stop <id>')
    .description('stop a study for good: no more tasks, and nodes refuse its runs')
    .requiredOption('--reason <text>')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Global & { reason: string }) => {
      const s = await clientFromEnvironment(opts).stopStudy(id, opts.reason);
      opts.json ? printJson(s) : process.stdout.write(`study "${s.title}" stopped at ${s.stoppedAt}\n`);
    });
  study
    .command('show <id>')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Global) => {
      const s = await clientFromEnvironment(opts).getStudy(id);
      if (opts.json) return printJson(s);
      const rows: Array<[string, string]> = [
        ['title', s.title],
        ['status', s.status],
        ['legal basis', s.legalBasis.join(', ') || 'not declared'],
        ['ethics / DPIA', `${s.ethicsApprovalRef ?? '-'} / ${s.dpiaRef ?? '-'}`],
        ['period', `${s.startsAt ?? '...'} to ${s.endsAt ?? '...'}`],
        ['nodes', `${s.nodeIds.length} (at least ${s.minNodes} per task)`],
        [
          'variables',
          s.variables === null
            ? 'unrestricted'
            : s.variables.map((v) => `${v.dataset}: ${v.columns.join(', ')}`).join('; '),
        ],
        [
          'algorithms',
          s.algorithms === null
            ? 'unrestricted'
            : s.algorithms.map((a) => (a.version ? `${a.name}@${a.version}` : a.name)).join(', '),
        ],
        ['per-node breakdowns', s.releasePerNodeBreakdown ? 'released' : 'withheld'],
        ['subgroup analyses', s.releaseSubgroupAnalyses ? 'released' : 'withheld'],
      ];
      process.stdout.write(`${table(['field', 'value'], rows)}\n`);
    });
  study
    .command('list')
    .option('--collab <id>')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { collab?: string }) => {
      const list = await clientFromEnvironment(opts).listStudies(opts.collab);
      opts.json
        ? printJson(list)
        : process.stdout.write(
            `${table(
              ['id', 'title', 'nodes'],
              list.map((s) => [s.id, s.title, s.nodeIds.length]),
            )}\n`,
          );
    });
}
