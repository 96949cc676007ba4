import { initHub, loadHubConfig, rotateHubKeys, rotateMasterKey, startHub } from '@fedhub/hub';
import type { Command } from 'commander';
import { withDashboard } from '../dashboard-dir.js';
import { createLogger } from '../logger.js';
import { printJson } from '../output.js';

interface HubOpts {
  dataDir?: string;
  databaseUrl?: string;
  port?: string;
  host?: string;
  json?: boolean;
}

function configFrom(opts: HubOpts) {
  return withDashboard(
    loadHubConfig(process.env, {
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      ...(opts.port !== undefined ? { port: Number(opts.port) } : {}),
      ...(opts.host ? { host: opts.host } : {}),
    }),
  );
}

export function registerHubCommands(program: Command): void {
  const hub = program.command('hub').description('run the hub (coordination server)');
  hub
    .command('init')
    .description('create the database and the first hub administrator; prints a one-time password')
    .option('--data-dir <dir>', 'data folder for the SQLite database (FEDHUB_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL URL instead of SQLite (DATABASE_URL)')
    .option('--admin <username>', 'administrator user name', 'admin')
    .option('--organisation <name>', "the hub operator's organisation", 'Hub operator')
    .option('--json', 'machine-readable output')
    .action(async (opts: HubOpts & { admin: string; organisation: string }) => {
      const admin = await initHub(configFrom(opts), {
        username: opts.admin,
        organisation: opts.organisation,
      });
      if (opts.json) printJson(admin);
      else
        process.stdout.write(
          `Hub initialised. Administrator: ${admin.username}\nOne-time password (shown once; change it after signing in): ${admin.password}\n`,
        );
    });
  hub
    .command('rotate-keys')
    .description(
      "replace the token-signing key (signs every user out of their access tokens) and, with --hub-key, the hub's Ed25519 key; run with the hub stopped",
    )
    .option('--data-dir <dir>', 'data folder (FEDHUB_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--no-token-key', 'keep the token-signing key')
    .option('--hub-key', "also replace the hub's Ed25519 key (nodes that trusted the old one must re-trust)")
    .option(
      '--master-key',
      'instead: replace the master key and re-seal the stored keys under it (tokens and the hub key are unaffected)',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: HubOpts & { tokenKey: boolean; hubKey?: boolean; masterKey?: boolean }) => {
      if (opts.masterKey === true) {
        const m = await rotateMasterKey(configFrom(opts));
        if (opts.json) printJson(m);
        else
          process.stdout.write(
            `Master key replaced; ${m.resealed} stored keys re-sealed. ${m.newKey ? `Set FEDHUB_MASTER_KEY=${m.newKey} for every hub process (shown once).` : `New key in ${m.location}.`}\nRestart the hub processes to load it.\n`,
          );
        return;
      }
      const out = await rotateHubKeys(configFrom(opts), {
        tokenKey: opts.tokenKey,
        hubKey: opts.hubKey === true,
      });
      if (opts.json) printJson(out);
      else
        process.stdout.write(
          `${out.tokenKey ? 'Token-signing key replaced: access tokens issued before no longer verify.\n' : ''}${out.hubKeyRotated ? `Hub Ed25519 key replaced; new public key ${out.hubPublicKey}\n` : ''}Restart the hub processes to load the new keys.\n`,
        );
    });
  hub
    .command('start')
    .description('start the hub server')
    .option('--data-dir <dir>', 'data folder (FEDHUB_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--port <port>', 'TCP port (FEDHUB_PORT; 0 = any free port)')
    .option('--host <host>', 'address to bind (FEDHUB_HOST)')
    .option('--json', 'print {"event":"listening","url":...} on stdout when ready')
    .action(async (opts: HubOpts) => {
      const config = configFrom(opts);
      const log = createLogger(config.logLevel, 'hub');
      const running = await startHub(config, { log });
      if (opts.json) process.stdout.write(`${JSON.stringify({ event: 'listening', url: running.url })}\n`);
      else process.stdout.write(`fedhub hub listening on ${running.url} (API docs at ${running.url}/docs)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          log.info('shutting down');
          running.close().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
