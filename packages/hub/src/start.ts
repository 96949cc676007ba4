/** Running the hub as a server: open and migrate the database, build, listen; and first-time set-up. */

import { randomBytes, randomUUID } from 'node:crypto';
import { type DbHandle, migrateToLatest, openDatabase } from '@fedhub/db';
import { FedhubError } from '@fedhub/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { UserPrincipal } from './access/principal.js';
import { buildHub, createHubContext } from './build-hub.js';
import type { Clock } from './clock.js';
import type { HubConfig } from './config.js';
import type { HubContext } from './core/context.js';
import { hubSigningKey } from './modules/audit/hub-key.js';
import { createApiToken } from './modules/auth/service.js';
import { createUser } from './modules/users/service.js';

/** Opens the configured database (PostgreSQL when `databaseUrl` is set, else SQLite in `dataDir`) and migrates it. */
export async function openHubDatabase(config: HubConfig): Promise<DbHandle> {
  const h = config.databaseUrl
    ? openDatabase({ url: config.databaseUrl })
    : openDatabase({ dataDir: config.dataDir });
  try {
    await migrateToLatest(h.db as never);
  } catch (err) {
    await h.close();
    throw err;
  }
  return h;
}

/** A listening hub. */
export interface RunningHub {
  /** Base URL, e.g. `http://127.0.0.1:7600`. */
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates, builds and listens on `config.host:config.port`. */
export async function startHub(
  config: HubConfig,
  opts: { log?: FastifyBaseLogger; clock?: Clock } = {},
): Promise<RunningHub> {
  return listenHub(config, await openHubDatabase(config), opts);
}

/** Builds the hub on an open, migrated database and listens; the returned hub owns (and closes) `db`. */
async function listenHub(
  config: HubConfig,
  db: DbHandle,
  opts: { log?: FastifyBaseLogger; clock?: Clock },
): Promise<RunningHub> {
  const app = buildHub({
    config,
    db,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    await db.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close() {
      closing ??= app.close().then(() => db.close());
      return closing;
    },
  };
}

/** The first administrator's credentials; the password is shown once. */
export interface InitialAdmin {
  username: string;
  password: string;
  userId: string;
  organisationId: string;
}

/**
 * First-time set-up: migrates the database and creates the first hub-admin with a random one-time
 * password: signing in with it allows nothing but changing it (403 FH_ERR_PASSWORD_CHANGE_REQUIRED on
 * every other route), and the change ends it and every session opened with it. Refuses (409
 * FH_ERR_CONFLICT) when a hub-admin exists: there are no default credentials. `oneTimePassword: false`
 * is for programs that set up a hub for themselves (`fedhub demo`, test benches): the random password
 * then works as is.
 */
export async function initHub(
  config: HubConfig,
  opts: { username: string; organisation: string; oneTimePassword?: boolean },
): Promise<InitialAdmin> {
  const password = randomBytes(18).toString('base64url');
  const admin = await createFirstAdmin(config, {
    username: opts.username,
    organisation: opts.organisation,
    password,
    passwordChangeRequired: opts.oneTimePassword !== false,
  });
  return { username: admin.username, password, userId: admin.userId, organisationId: admin.organisationId };
}

/** The administrator of a hub that lives for one command: an API token, no password. */
export interface EphemeralAdmin {
  username: string;
  /** `fhp_` API token, valid for a day. */
  apiToken: string;
  userId: string;
  organisationId: string;
}

/**
 * Set-up of a hub that lives only for one command (`fedhub simulate`): as {@link initHub}, but the
 * administrator gets an API token and no password, so no password is hashed (scrypt, about 0.2 s) and
 * none verified at sign-in.
 */
export async function initEphemeralHub(
  config: HubConfig,
  opts: { username: string; organisation: string },
): Promise<EphemeralAdmin> {
  const db = await openHubDatabase(config);
  try {
    return await createEphemeralAdmin(config, db, opts);
  } finally {
    await db.close();
  }
}

/**
 * A hub that lives for one command (`fedhub simulate`) and nobody else reaches: its database in memory
 * (SQLite, whatever `databaseUrl` says: nothing is written to disk, nor closed and opened again between the
 * set-up and the start; its master key is a random one of the process), the administrator of
 * {@link initEphemeralHub}, built and listening. Closing the hub drops the database.
 */
export async function startEphemeralHub(
  config: HubConfig,
  opts: { username: string; organisation: string; log?: FastifyBaseLogger; clock?: Clock },
): Promise<{ hub: RunningHub; admin: EphemeralAdmin }> {
  const db = openDatabase({ inMemory: true });
  let admin: EphemeralAdmin;
  try {
    await migrateToLatest(db.db as never);
    admin = await createEphemeralAdmin(config, db, opts);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { hub: await listenHub(config, db, opts), admin };
}

function createEphemeralAdmin(
  config: HubConfig,
  db: DbHandle,
  opts: { username: string; organisation: string },
): Promise<EphemeralAdmin> {
  const { username, organisation } = opts;
  return firstAdmin(config, db, { username, organisation, password: null }, async (ctx, user) => {
    const { token } = await createApiToken(ctx, user, { name: 'ephemeral hub', expiresInDays: 1 });
    return { apiToken: token };
  });
}

type FirstAdminOptions = {
  username: string;
  organisation: string;
  password: string | null;
  passwordChangeRequired?: boolean;
};

async function createFirstAdmin(
  config: HubConfig,
  opts: FirstAdminOptions,
): Promise<{ username: string; userId: string; organisationId: string }> {
  const db = await openHubDatabase(config);
  try {
    return await firstAdmin(config, db, opts);
  } finally {
    await db.close();
  }
}

/** Creates the first hub-admin in an open, migrated database (refused when one exists). */
async function firstAdmin<T extends object = object>(
  config: HubConfig,
  db: DbHandle,
  opts: FirstAdminOptions,
  extra?: (ctx: HubContext, user: UserPrincipal) => Promise<T>,
): Promise<{ username: string; userId: string; organisationId: string } & T> {
  const ctx = createHubContext({ config, db });
  const users = await db.db.selectFrom('users').select('roles').execute();
  if (users.some((u) => (JSON.parse(u.roles) as string[]).includes('hub-admin')))
    throw new FedhubError('FH_ERR_CONFLICT', 'the hub is already initialised: a hub administrator exists');
  let org = await db.db
    .selectFrom('organisations')
    .select('id')
    .where('name', '=', opts.organisation)
    .executeTakeFirst();
  if (!org) {
    org = { id: randomUUID() };
    await db.db
      .insertInto('organisations')
      .values({ id: org.id, name: opts.organisation, country: null, created_at: ctx.nowIso() })
      .execute();
  }
  const user = await createUser(ctx, null, {
    username: opts.username,
    password: opts.password,
    organisationId: org.id,
    roles: ['hub-admin'],
    passwordChangeRequired: opts.passwordChangeRequired === true,
  });
  // the key that signs audit checkpoints exists from the start, so nodes can trust it at enrolment
  await hubSigningKey(db, ctx.nowIso());
  const more = extra
    ? await extra(ctx, {
        kind: 'user',
        id: user.id,
        username: user.username,
        organisationId: org.id,
        roles: ['hub-admin'],
      })
    : ({} as T);
  return { username: user.username, userId: user.id, organisationId: org.id, ...more };
}
