/**
 * Shared pieces of the reliability tests: hub processes that can be killed and restarted on the same
 * database (SQLite folder or PostgreSQL URL, optionally through a breakable proxy), a scratch PostgreSQL
 * database, and a node driven step by step that signs its results. Everything runs on loopback.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generateNodeKeys, sha256Hex, signMessage } from '@fedhub/crypto';
import { createScratchPostgresDatabase, postgresReachable, type ScratchDatabase } from '@fedhub/db';
import { initHub, loadHubConfig } from '@fedhub/hub';
import { canonicalJson, type Json, type RunAssignment, resultSigningString } from '@fedhub/protocol';
import { HubClient, NodeApiClient } from '@fedhub/sdk';
import { type Started, startFedhubProcess, stopProcess } from '../child-process.js';

/** The PostgreSQL server the tests use (as the hub's own PostgreSQL tests do). */
export const POSTGRES_TEST_URL =
  process.env.FEDHUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Run PostgreSQL variants when FEDHUB_TEST_DATABASE_URL is set (then they must pass) or a server answers. */
export async function postgresWanted(): Promise<boolean> {
  if (process.env.FEDHUB_TEST_DATABASE_URL) return true;
  return postgresReachable(POSTGRES_TEST_URL);
}

export function scratchPostgres(): Promise<ScratchDatabase> {
  return createScratchPostgresDatabase(POSTGRES_TEST_URL);
}

/** A free TCP port on 127.0.0.1 (so that a restarted hub comes back at the same URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
    srv.on('error', reject);
  });
}

export interface HubProcess {
  readonly url: string;
  readonly child: Started['child'];
  /** SIGKILL: no shutdown code runs. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** Starts the hub again on the same port and database. */
  restart(): Promise<void>;
  /** SIGTERM, SIGKILL after 30 s. */
  stop(): Promise<void>;
}

/** Initialises a hub database (first admin) and starts `fedhub hub start` on a fixed port. */
export async function startHubProcess(opts: {
  work: string;
  name: string;
  /** PostgreSQL URL the hub connects to (maybe through a proxy); SQLite in `work/name` when absent. */
  databaseUrl?: string;
  /** URL used for the one-time set-up (the real server, not the proxy). */
  initDatabaseUrl?: string;
  env?: Record<string, string>;
  /** A second hub process on a database another one initialised. */
  skipInit?: boolean;
}): Promise<HubProcess & { admin: { username: string; password: string } }> {
  const dataDir = join(opts.work, opts.name);
  const initUrl = opts.initDatabaseUrl ?? opts.databaseUrl;
  // Every hub process on one database needs the same master key: on PostgreSQL the processes (and the
  // set-up here) share one key file in `work`; on SQLite it is the default one in the data folder.
  const masterKeyFile = opts.databaseUrl ? join(opts.work, 'hub-master.key') : undefined;
  const creds = opts.skipInit
    ? { username: '', password: '' }
    : await initHub(
        loadHubConfig(
          {},
          {
            dataDir,
            ...(initUrl ? { databaseUrl: initUrl } : {}),
            ...(masterKeyFile ? { masterKeyFile } : {}),
            logLevel: 'silent',
          },
        ),
        { username: 'admin', organisation: 'Hub', oneTimePassword: false },
      );
  const port = await freePort();
  const args = [
    'hub',
    'start',
    '--json',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
  ];
  if (opts.databaseUrl) args.push('--database-url', opts.databaseUrl);
  const env = {
    ...process.env,
    ...(masterKeyFile ? { FEDHUB_MASTER_KEY_FILE: masterKeyFile } : {}),
    ...opts.env,
  };
  const log = join(opts.work, `${opts.name}.log`);
  let started = await startFedhubProcess(args, log, 60_000, env);
  const exited = (child: Started['child']) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    get child() {
      return started.child;
    },
    admin: { username: creds.username, password: creds.password },
    async kill() {
      const gone = exited(started.child);
      started.child.kill('SIGKILL');
      await gone;
    },
    async restart() {
      started = await startFedhubProcess(args, log, 60_000, env);
    },
    stop: () => stopProcess(started.child, 30_000),
  };
}

/** A node driven step by step from the test, signing its results like a real node. */
export async function scriptedNode(
  admin: HubClient,
  hubUrl: string,
  collaborationId: string,
  organisationId: string,
  name: string,
) {
  const created = await admin.createNode({ collaborationId, organisationId, name });
  const keys = generateNodeKeys();
  const api = new NodeApiClient({ baseUrl: hubUrl });
  const enrolled = await api.enrol({
    enrolmentToken: created.enrolmentToken,
    publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
    version: 'test',
  });
  api.setToken(enrolled.nodeToken);
  await api.heartbeat({ version: 'test', clock: new Date().toISOString(), datasets: [] });
  const result = (run: RunAssignment, payload: Json) => {
    const digest = sha256Hex(canonicalJson(payload));
    const signature = signMessage(
      keys.ed25519.privateKey,
      resultSigningString({
        taskId: run.taskId,
        runId: run.runId,
        round: run.round,
        attempt: run.attempt,
        outcome: 'completed',
        digest,
      }),
    );
    return {
      attempt: run.attempt,
      round: run.round,
      outcome: 'completed' as const,
      payload: payload as never,
      error: null,
      digest,
      signature,
    };
  };
  return { api, keys, result, id: enrolled.nodeId, token: enrolled.nodeToken, name };
}

/** Logs in, retrying while the hub is (re)starting. */
export async function loginWhenUp(url: string, username: string, password: string): Promise<HubClient> {
  for (let i = 0; ; i++) {
    try {
      return await HubClient.login(url, username, password);
    } catch (err) {
      if (i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** `p`-quantile of `xs` (nearest rank). */
export function quantile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}
