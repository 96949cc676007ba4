/**
 * Test harness: a hub over a chosen backend (in-memory SQLite or a scratch PostgreSQL database), a fake
 * clock, a seeded world of two collaborations, and scripted nodes that sign their results.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { defineAlgorithm, ping, release, summary } from '@fedhub/algorithms';
import { generateNodeKeys, hashPassword, sha256Hex, signAccessToken, signMessage } from '@fedhub/crypto';
import {
  createScratchPostgresDatabase,
  type DbHandle,
  migrateToLatest,
  openDatabase,
  postgresReachable,
} from '@fedhub/db';
import {
  type AlgorithmRegistry,
  buildHub,
  type HubConfigInput,
  loadHubConfig,
  loadOrCreateHubSecret,
} from '@fedhub/hub';
import {
  canonicalJson,
  FedhubError,
  type Json,
  type Role,
  type RunAssignment,
  resultSigningString,
} from '@fedhub/protocol';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { z } from 'zod';

/** A database backend the route suite runs against. */
export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated database and how to dispose of it. */
  open(): Promise<{ handle: DbHandle; dispose(): Promise<void> }>;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async open() {
    const handle = openDatabase({ inMemory: true });
    await migrateToLatest(handle.db as never);
    return { handle, dispose: () => handle.close() };
  },
};

/** The PostgreSQL server tests use: FEDHUB_TEST_DATABASE_URL in CI, else the local default. */
export const POSTGRES_TEST_URL =
  process.env.FEDHUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether to run the PostgreSQL suite: always when FEDHUB_TEST_DATABASE_URL is set (then an unreachable
 * server fails the suite), otherwise only when a local server answers.
 */
export async function postgresWanted(): Promise<boolean> {
  if (process.env.FEDHUB_TEST_DATABASE_URL) return true;
  const up = await postgresReachable(POSTGRES_TEST_URL);
  if (!up) console.warn(`PostgreSQL not reachable at ${POSTGRES_TEST_URL}: PostgreSQL suite not run`);
  return up;
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async open() {
    const scratch = await createScratchPostgresDatabase(POSTGRES_TEST_URL).catch((err: unknown) => {
      throw new Error(
        `cannot create a scratch database on ${POSTGRES_TEST_URL} (FEDHUB_TEST_DATABASE_URL): ${(err as Error).message}`,
      );
    });
    const handle = openDatabase({ url: scratch.url, poolSize: 5 });
    await migrateToLatest(handle.db as never);
    return {
      handle,
      async dispose() {
        await handle.close();
        await scratch.drop();
      },
    };
  },
};

const SHARED_PASSWORD = 'test-password-of-every-test-user';
/** One master key for every hub this test process builds, so hubs sharing a database open its keys. */
const TEST_MASTER_KEY = randomBytes(32).toString('base64url');
let sharedHash: Promise<string> | undefined;

/** A clock the test moves by hand (ms). */
export function fakeClock(start = Date.parse('2026-06-01T12:00:00.000Z')) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/**
 * A fake multi-round algorithm: each node returns `{ value }`; the hub sums them per round, carrying the
 * running total in the aggregator state, for `rounds` rounds. `failAt` makes `aggregate` throw at that round.
 */
export const SumRoundsParamsSchema = z.strictObject({
  rounds: z.int().min(1).max(10),
  failAt: z.int().min(1).optional(),
});
export const sumRounds = defineAlgorithm<z.infer<typeof SumRoundsParamsSchema>>({
  name: 'sum-rounds',
  version: '1.0.0',
  title: 'Sum over rounds (test)',
  description: 'Adds node values, round after round.',
  paramsSchema: SumRoundsParamsSchema,
  resultSchema: z.looseObject({ total: z.number(), rounds: z.number() }),
  releases: { pooled: 'a value per node and round (test algorithm)', perNode: null },
  variables: () => ({ dataset: null, columns: [] }),
  firstInput: () => ({ round: 1 }),
  async local() {
    return release(null, { subsetSize: null, cells: [] });
  },
  aggregate({ params, round, state, parts }) {
    if (params.failAt === round) throw new FedhubError('FH_ERR_ALGORITHM_FAILED', `fails at round ${round}`);
    const prev = (state as { total: number } | null)?.total ?? 0;
    const total = prev + parts.reduce((s, p) => s + (p.payload as { value: number }).value, 0);
    if (round < params.rounds) return { kind: 'next-round', input: { round: round + 1 }, state: { total } };
    return { kind: 'done', result: { total, rounds: round } };
  },
});

export const testAlgorithms: AlgorithmRegistry = {
  get: (name, version) =>
    [ping, summary, sumRounds].find(
      (a) => a.name === name && (version === undefined || a.version === version),
    ) as never,
  list: () => [ping, summary, sumRounds] as never,
};

export interface TestHub {
  app: FastifyInstance;
  handle: DbHandle;
  clock: ReturnType<typeof fakeClock>;
  /** `app.inject` with a bearer token, returning status and parsed JSON. */
  call(
    method: InjectOptions['method'],
    url: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in the tests
  ): Promise<{ status: number; body: any }>;
  /** Creates a user directly in the database and mints an access token for them (no API round trip). */
  user(
    username: string,
    organisationId: string,
    roles: Role[],
  ): Promise<{ id: string; token: string; password: string }>;
  close(): Promise<void>;
}

/** Builds a hub over a fresh database of `backend`. */
export async function startTestHub(
  backend: Backend,
  overrides: Partial<HubConfigInput> = {},
  reuse?: { handle: DbHandle; clock: ReturnType<typeof fakeClock> },
): Promise<TestHub & { dispose(): Promise<void> }> {
  const opened = reuse ? { handle: reuse.handle, dispose: async () => undefined } : await backend.open();
  const clock = reuse?.clock ?? fakeClock();
  const config = loadHubConfig(
    {},
    {
      logLevel: 'silent',
      leaseSweepIntervalMs: 60_000,
      pollIntervalMs: 50,
      masterKey: TEST_MASTER_KEY,
      ...overrides,
    },
  );
  const app = buildHub({ config, db: opened.handle, clock, algorithms: testAlgorithms });
  await app.ready();
  const call: TestHub['call'] = async (method, url, opts = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { payload: opts.body as never } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };
  return {
    app,
    handle: opened.handle,
    clock,
    call,
    async user(username, organisationId, roles) {
      // One scrypt hash shared by every test user: hashing costs ~0.5 s per user on 2 busy cores.
      sharedHash ??= hashPassword(SHARED_PASSWORD);
      const password = SHARED_PASSWORD;
      const u = { id: randomUUID() };
      await opened.handle.db
        .insertInto('users')
        .values({
          id: u.id,
          username,
          display_name: null,
          organisation_id: organisationId,
          password_hash: await sharedHash,
          roles: JSON.stringify(roles),
          failed_logins: 0,
          locked_until: null,
          created_at: new Date(clock.now()).toISOString(),
          token_version: 0,
          password_change_required: 0,
        })
        .execute();
      // Mint the access token directly (as a login would): each login costs a scrypt verification.
      const secret = await loadOrCreateHubSecret(opened.handle, new Date(clock.now()).toISOString());
      const nowSec = Math.floor(clock.now() / 1000);
      const token = signAccessToken(secret, {
        sub: u.id,
        aud: 'user',
        iat: nowSec,
        exp: nowSec + config.accessTokenTtlSec,
        jti: randomUUID(),
      });
      return { id: u.id, token, password };
    },
    close: () => app.close(),
    async dispose() {
      await app.close();
      await opened.dispose();
    },
  };
}

/** A node driven step by step by the test: enrolled with fresh keys, signing its results. */
export async function scriptedNode(
  hub: TestHub,
  adminToken: string,
  collaborationId: string,
  organisationId: string,
  name: string,
) {
  const created = await hub.call('POST', '/api/nodes', {
    token: adminToken,
    body: { collaborationId, organisationId, name },
  });
  if (created.status !== 201) throw new Error(`node creation failed: ${JSON.stringify(created.body)}`);
  const keys = generateNodeKeys();
  const enrolled = await hub.call('POST', '/api/node/enrol', {
    body: {
      enrolmentToken: created.body.enrolmentToken,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: 'test',
    },
  });
  if (enrolled.status !== 200) throw new Error(`enrolment failed: ${JSON.stringify(enrolled.body)}`);
  const token = enrolled.body.nodeToken as string;
  const node = {
    id: created.body.node.id as string,
    name,
    token,
    keys,
    call: (method: InjectOptions['method'], url: string, body?: unknown) =>
      hub.call(method, url, { token, body }),
    async claim(waitMs = 0): Promise<RunAssignment | null> {
      const r = await hub.call('POST', '/api/node/claim', { token, body: { waitMs } });
      if (r.status !== 200) throw new Error(`claim failed: ${JSON.stringify(r.body)}`);
      return r.body.run;
    },
    /** A signed result body for `run` (optionally signed with another key). */
    result(
      run: RunAssignment,
      payload: Json,
      signWith = keys.ed25519.privateKey,
      outcome: 'completed' | 'refused' = 'completed',
    ) {
      const error =
        outcome === 'refused' ? { code: 'FH_ERR_SMALL_CELL', message: 'a cell holds 3 records (< 5)' } : null;
      const digest = sha256Hex(canonicalJson(outcome === 'completed' ? payload : error));
      const signature = signMessage(
        signWith,
        resultSigningString({
          taskId: run.taskId,
          runId: run.runId,
          round: run.round,
          attempt: run.attempt,
          outcome,
          digest,
        }),
      );
      return {
        attempt: run.attempt,
        round: run.round,
        outcome,
        payload: outcome === 'completed' ? payload : null,
        error,
        digest,
        signature,
      };
    },
    post(run: RunAssignment, body: unknown) {
      return hub.call('POST', `/api/node/runs/${run.runId}/result`, { token, body });
    },
  };
  return node;
}

/** Two independent handles on one fresh database: two "hub processes" sharing their storage. */
export async function openShared(
  kind: 'sqlite-file' | 'postgres',
): Promise<{ handles: [DbHandle, DbHandle]; dispose(): Promise<void> }> {
  if (kind === 'postgres') {
    const scratch = await createScratchPostgresDatabase(POSTGRES_TEST_URL);
    const a = openDatabase({ url: scratch.url, poolSize: 4 });
    await migrateToLatest(a.db as never);
    const b = openDatabase({ url: scratch.url, poolSize: 4 });
    return {
      handles: [a, b],
      async dispose() {
        await a.close();
        await b.close();
        await scratch.drop();
      },
    };
  }
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'fedhub-shared-'));
  const a = openDatabase({ dataDir: dir });
  await migrateToLatest(a.db as never);
  const b = openDatabase({ dataDir: dir });
  return {
    handles: [a, b],
    async dispose() {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
