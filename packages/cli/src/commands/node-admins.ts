/**
 * Node administrators' keys (issue 15, item 6).
 * - At the node: `fedhub node admins add --config node.yaml --name dora --public-key dora.pub` enrols a key
 *   (list, remove likewise); only decisions signed by an enrolled key are honoured when the hub relays them.
 * - Anywhere: `fedhub node admins keygen --out dora` writes dora.key (0600) and dora.pub;
 *   `fedhub node admins decide --node ID --study ID --decision approve --key dora.key --key-name dora`
 *   signs the decision with the administrator's own key and records it at the hub, which relays it.
 * Decisions taken at the node itself (`fedhub node approve`) need no key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateAdminKeyPem, signAdminStatement } from '@fedhub/crypto';
import { AdminKeyStore, type EnrolledAdmin, loadNodeConfigFile, NodeAuditLog } from '@fedhub/node/runtime';
import { APPROVAL_DECISIONS, FedhubError } from '@fedhub/protocol';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { clientFromEnvironment } from '../session.js';

function readText(file: string, what: string): string {
  if (!existsSync(file)) throw new FedhubError('FH_ERR_VALIDATION', `${what} file ${file} does not exist`);
  return readFileSync(file, 'utf8');
}

/**
 * Enrols administrator `name`'s public key at the node whose data folder is `dataDir` and records it in
 * the node's audit log: what `fedhub node admins add` does (and `fedhub demo` for its node administrators).
 */
export function enrolAdminKey(
  dataDir: string,
  name: string,
  publicKeyText: string,
  by = process.env.USER ?? 'local',
): EnrolledAdmin {
  const added = new AdminKeyStore(dataDir).add(name, publicKeyText);
  const audit = new NodeAuditLog(dataDir);
  try {
    audit.append({ action: 'admin-key.added', detail: { name: added.name, by } });
  } finally {
    audit.close();
  }
  return added;
}

export function registerNodeAdminCommands(node: Command): void {
  const admins = node
    .command('admins')
    .description("node administrators' keys: decisions relayed by the hub must be signed by one of them");
  admins
    .command('add')
    .description('enrol an administrator Ed25519 public key at this node (PEM or base64url SPKI DER)')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .requiredOption('--name <name>', 'administrator name (the key name the signature carries)')
    .requiredOption('--public-key <file>', 'public key file')
    .option('--json', 'machine-readable output')
    .action((opts: { config: string; name: string; publicKey: string; json?: boolean }) => {
      const config = loadNodeConfigFile(opts.config);
      const added = enrolAdminKey(config.dataDir, opts.name, readText(opts.publicKey, 'public key'));
      if (opts.json) printJson({ ok: true, name: added.name, addedAt: added.addedAt });
      else process.stdout.write(`administrator key "${added.name}" enrolled at this node\n`);
    });
  admins
    .command('list')
    .description('list the administrator keys enrolled at this node')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action((opts: { config: string; json?: boolean }) => {
      const list = new AdminKeyStore(loadNodeConfigFile(opts.config).dataDir).list();
      if (opts.json) return printJson({ admins: list });
      process.stdout.write(
        list.length === 0
          ? 'no administrator key is enrolled: the node applies no decision relayed by the hub\n'
          : `${table(
              ['name', 'added', 'public key'],
              list.map((a) => [a.name, a.addedAt, `${a.publicKey.slice(0, 24)}…`]),
            )}\n`,
      );
    });
  admins
    .command('remove')
    .description('remove an administrator key from this node')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .requiredOption('--name <name>', 'administrator name')
    .action((opts: { config: string; name: string }) => {
      const config = loadNodeConfigFile(opts.config);
      if (!new AdminKeyStore(config.dataDir).remove(opts.name))
        throw new FedhubError('FH_ERR_NOT_FOUND', `no administrator key "${opts.name}" is enrolled`);
      const audit = new NodeAuditLog(config.dataDir);
      try {
        audit.append({
          action: 'admin-key.removed',
          detail: { name: opts.name, by: process.env.USER ?? 'local' },
        });
      } finally {
        audit.close();
      }
      process.stdout.write(`administrator key "${opts.name}" removed\n`);
    });
  admins
    .command('keygen')
    .description('create an administrator key pair: <out>.key (private, 0600) and <out>.pub')
    .requiredOption('--out <prefix>', 'file prefix')
    .action((opts: { out: string }) => {
      const { privateKeyPem, publicKeyPem } = generateAdminKeyPem();
      if (existsSync(`${opts.out}.key`))
        throw new FedhubError('FH_ERR_ALREADY_EXISTS', `${opts.out}.key exists: not overwritten`);
      writeFileSync(`${opts.out}.key`, privateKeyPem, { mode: 0o600 });
      writeFileSync(`${opts.out}.pub`, publicKeyPem, { mode: 0o644 });
      process.stdout.write(
        `wrote ${opts.out}.key and ${opts.out}.pub; enrol the public key at the node with \`fedhub node admins add\`\n`,
      );
    });
  admins
    .command('decide')
    .description('sign a decision with your administrator key and record it at the hub, which relays it')
    .requiredOption('--node <id>', 'node id')
    .requiredOption('--study <id>', 'study id')
    .requiredOption('--decision <kind>', APPROVAL_DECISIONS.join(' | '))
    .requiredOption('--key <file>', 'your private key file')
    .requiredOption('--key-name <name>', 'the name your key was enrolled under at the node')
    .option('--algorithm <name>', 'decide for one algorithm (default: the study)')
    .option('--version <version>', 'pin the algorithm version (default: the latest)')
    .option(
      '--permission-digest <sha256>',
      'bind an approval to the permission set shown by `fedhub node approvals`',
    )
    .option('--reason <text>', 'reason')
    .option('--hub <url>', 'hub URL')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        node: string;
        study: string;
        decision: string;
        key: string;
        keyName: string;
        algorithm?: string;
        version?: string;
        permissionDigest?: string;
        reason?: string;
        hub?: string;
        json?: boolean;
      }) => {
        const kind = APPROVAL_DECISIONS.find((k) => k === opts.decision);
        if (!kind)
          throw new FedhubError('FH_ERR_VALIDATION', `--decision is one of ${APPROVAL_DECISIONS.join(', ')}`);
        const body = {
          studyId: opts.study,
          decision: kind,
          ...(opts.algorithm ? { algorithm: opts.algorithm } : {}),
          ...(opts.version ? { version: opts.version } : {}),
          ...(opts.reason ? { reason: opts.reason } : {}),
        };
        const adminSignature = signAdminStatement(
          readText(opts.key, 'private key'),
          opts.keyName,
          opts.node,
          body,
          {
            ...(opts.permissionDigest ? { permissionDigest: opts.permissionDigest } : {}),
          },
        );
        const d = await clientFromEnvironment(opts).decideApproval(opts.node, { ...body, adminSignature });
        if (opts.json) printJson(d);
        else
          process.stdout.write(`decision ${d.id} recorded; node ${opts.node} applies it on its next sync\n`);
      },
    );
}
