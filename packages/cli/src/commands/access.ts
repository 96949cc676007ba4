/**
 * `fedhub access ...`: revocation (issue 15, item 10), thin over the SDK; every change is audited at the
 * hub with the --reason given.
 *   fedhub access disable-user <userId> --reason "left"      enable-user, delete-user likewise
 *   fedhub access set-roles <userId> --roles auditor --reason "moved"
 *   fedhub access reset-password <userId> --reason "forgotten" (new password on stdin or FEDHUB_PASSWORD)
 *   fedhub access tokens <userId>                            revoke-tokens <userId> [--token <id>] --reason
 *   fedhub access revoke-node <nodeId> --reason "stolen"     rekey-node <nodeId> --reason (prints the token)
 *   fedhub access remove-org <collaborationId> <organisationId> --reason "left the consortium"
 */
import { createInterface } from 'node:readline';
import type { HubClient } from '@fedhub/sdk';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { clientFromEnvironment } from '../session.js';

type Opts = { hub?: string; json?: boolean; reason: string };

async function newPassword(): Promise<string> {
  if (process.env.FEDHUB_PASSWORD) return process.env.FEDHUB_PASSWORD;
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('no password given on standard input');
}

export function registerAccessCommands(program: Command): void {
  const access = program
    .command('access')
    .description('revoke access: users, roles, API tokens, passwords, nodes, organisations (audited)');
  const userAction = (
    name: string,
    what: string,
    call: (c: HubClient, id: string, reason: string) => Promise<{ username: string; id: string }>,
  ) =>
    access
      .command(`${name} <userId>`)
      .description(what)
      .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
      .option('--hub <url>')
      .option('--json')
      .action(async (id: string, opts: Opts) => {
        const u = await call(clientFromEnvironment(opts), id, opts.reason);
        opts.json ? printJson(u) : process.stdout.write(`${name}: ${u.username} (${u.id})\n`);
      });
  userAction('disable-user', 'disable a user: no sign-in, sessions and API tokens revoked', (c, id, r) =>
    c.disableUser(id, r),
  );
  userAction('enable-user', 'enable a disabled user', (c, id, r) => c.enableUser(id, r));
  userAction('delete-user', 'delete a user (disabled, renamed, no password or roles)', (c, id, r) =>
    c.deleteUser(id, r),
  );
  access
    .command('set-roles <userId>')
    .description("replace a user's roles")
    .requiredOption('--roles <roles>', 'comma-separated: hub-admin, researcher, node-admin, auditor')
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Opts & { roles: string }) => {
      const u = await clientFromEnvironment(opts).setUserRoles(id, {
        roles: opts.roles.split(',').map((r) => r.trim()) as never,
        reason: opts.reason,
      });
      opts.json ? printJson(u) : process.stdout.write(`${u.username}: ${u.roles.join(', ')}\n`);
    });
  access
    .command('reset-password <userId>')
    .description("set a user's password (read from stdin or FEDHUB_PASSWORD); sessions and tokens revoked")
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Opts) => {
      const u = await clientFromEnvironment(opts).resetPassword(id, {
        password: await newPassword(),
        reason: opts.reason,
      });
      opts.json ? printJson(u) : process.stdout.write(`password of ${u.username} reset\n`);
    });
  access
    .command('tokens <userId>')
    .description("a user's API tokens (no secrets)")
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: { hub?: string; json?: boolean }) => {
      const list = await clientFromEnvironment(opts).userApiTokens(id);
      opts.json
        ? printJson(list)
        : process.stdout.write(
            `${table(
              ['id', 'name', 'expires', 'last used', 'revoked'],
              list.map((t) => [t.id, t.name, t.expiresAt, t.lastUsedAt ?? '-', t.revoked ? 'yes' : 'no']),
            )}\n`,
          );
    });
  access
    .command('revoke-tokens <userId>')
    .description('revoke one API token of a user (--token) or all of them')
    .option('--token <id>', 'one token')
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Opts & { token?: string }) => {
      const r = await clientFromEnvironment(opts).revokeUserApiTokens(id, {
        reason: opts.reason,
        ...(opts.token ? { tokenId: opts.token } : {}),
      });
      opts.json ? printJson(r) : process.stdout.write(`${r.revoked} API token(s) revoked\n`);
    });
  access
    .command('revoke-node <nodeId>')
    .description('revoke a node: its token stops working, its open runs fail')
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Opts) => {
      const r = await clientFromEnvironment(opts).revokeNode(id, opts.reason);
      opts.json
        ? printJson(r)
        : process.stdout.write(`node ${id} revoked (${r.failedRuns} open run(s) failed)\n`);
    });
  access
    .command('rekey-node <nodeId>')
    .description("void a node's token and keys; prints a new one-time enrolment token")
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (id: string, opts: Opts) => {
      const r = await clientFromEnvironment(opts).rekeyNode(id, opts.reason);
      opts.json
        ? printJson(r)
        : process.stdout.write(`new enrolment token (until ${r.enrolmentExpiresAt}): ${r.enrolmentToken}\n`);
    });
  access
    .command('remove-org <collaborationId> <organisationId>')
    .description('remove an organisation from a collaboration; its nodes there are revoked')
    .requiredOption('--reason <text>', 'why')
    .option('--hub <url>')
    .option('--json')
    .action(async (collaborationId: string, organisationId: string, opts: Opts) => {
      const c = await clientFromEnvironment(opts).removeCollaborationOrganisation(
        collaborationId,
        organisationId,
        opts.reason,
      );
      opts.json
        ? printJson(c)
        : process.stdout.write(`collaboration ${c.name}: ${c.organisationIds.length} organisation(s)\n`);
    });
}
