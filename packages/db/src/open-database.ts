import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { DbHandle } from './dialect.js';
import { Kysely, PostgresDialect, SqliteDialect } from './kysely.js';
import { pgModule } from './pg-module.js';
import type { Schema } from './schema.js';

/** Where the database lives: a PostgreSQL URL, a data folder for SQLite, or an in-memory SQLite database. */
export interface OpenDatabaseOptions {
  /** `postgres://` or `postgresql://` URL; takes precedence over the other options. */
  url?: string;
  /** Folder holding `hub.sqlite` (created when missing). */
  dataDir?: string;
  /** A private in-memory SQLite database (tests). */
  inMemory?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/**
 * The data folder readable by its owner only (0700) and the database files 0600, the WAL and shared-memory
 * files included: the database holds password hashes, sealed keys and the audit trail. The database file
 * is created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode);
 * the modes of a folder and files made by an earlier version are tightened.
 */
function restrictDataFiles(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** How long a SQLite writer waits for another process's lock before failing, in ms. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** True when `url` names a PostgreSQL database. */
export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens the hub database (without migrating: call `migrateToLatest(handle.db)`).
 * SQLite opens `<dataDir>/hub.sqlite` with WAL, a busy timeout and foreign keys on.
 *
 * @example const h = openDatabase({ inMemory: true }); await migrateToLatest(h.db); ...; await h.close();
 */
export function openDatabase(opts: OpenDatabaseOptions): DbHandle {
  if (opts.url !== undefined && opts.url !== '') {
    if (!isPostgresUrl(opts.url))
      throw new Error(
        `database URL must start with postgres:// or postgresql:// (got "${opts.url.split(':')[0]}:")`,
      );
    const pool = new (pgModule().Pool)({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client losing its server connection emits 'error' on the pool; without a listener that
    // would crash the process. The next query reports the failure instead.
    pool.on('error', () => undefined);
    // A client checked out (inside a transaction, between two queries) that loses its connection emits
    // 'error' on itself, where the pool's listener is not attached: that too would crash the process.
    // The query in progress or the next one fails instead, and the pool discards the broken client.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  let file = ':memory:';
  if (!opts.inMemory) {
    if (!opts.dataDir) throw new Error('openDatabase: give a PostgreSQL url, a dataDir, or inMemory: true');
    file = join(opts.dataDir, 'hub.sqlite');
    restrictDataFiles(opts.dataDir, file);
  }
  const sqlite = new SQLite(file);
  if (!opts.inMemory) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    ...(opts.inMemory ? { ephemeral: true } : {}),
    close: () => db.destroy(),
  };
}
