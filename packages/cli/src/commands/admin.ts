import { createInterface } from 'node:readline';
import { HubClient } from '@fedhub/sdk';
import type { Command } from 'commander';
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

export function registerAdminCommands(program: Command): void {
  program
    .command('login')
    .description('sign in to a hub and keep the session (~/.config/fedhub/session.json, mode 0600)')
    .requiredOption('--hub <url>', 'hub URL')
    .requiredOption('-u, --username <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input (or set FEDHUB_PASSWORD)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { hub: string; username: string; passwordStdin?: boolean; json?: boolean }) => {
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
    });

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
        : process.stdout.write('password changed; your other sessions are signed out\n');
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
  study
    .command('create')
    .requiredOption('--collab <id>', 'collaboration id')
    .requiredOption('--title <text>')
    .requiredOption('--purpose <text>')
    .option('--nodes <ids...>', 'participating nodes (default: all of the collaboration)')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { collab: string; title: string; purpose: string; nodes?: string[] }) => {
      const s = await clientFromEnvironment(opts).createStudy({
        collaborationId: opts.collab,
        title: opts.title,
        purpose: opts.purpose,
        ...(opts.nodes ? { nodeIds: opts.nodes } : {}),
      });
      opts.json
        ? printJson(s)
        : process.stdout.write(`study "${s.title}": ${s.id} (${s.nodeIds.length} nodes)\n`);
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
