/**
 * Opens one of the node's own SQLite files (privacy ledger, budget, quota, audit log, approvals, hub
 * checkpoints, DICOM index) the same way for all: WAL, a busy timeout (the CLI's `fedhub node approve` and a
 * running node open the same files), and a schema version in `PRAGMA user_version` brought up to date by the
 * store's migrations in one transaction.
 *
 * Files written before versions were kept have user_version 0 and may already hold any earlier layout: a
 * store's migrations up to the layout of that time are therefore idempotent (`CREATE TABLE IF NOT EXISTS`,
 * a column added only where it is missing). A file from a newer node (a version above the migrations this
 * build knows) is refused rather than written in a layout this build does not understand.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import Database from 'better-sqlite3';

/** One step of a store's schema: SQL, or a function for steps that must look at the file first. */
export type StoreMigration = string | ((db: Database.Database) => void);

export interface NodeStoreOptions {
  /** Milliseconds a writer waits for another connection's lock before SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

/** How long a node store waits on another connection's lock by default. */
export const NODE_STORE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its folder if needed) the SQLite file `file` and brings its schema to version
 * `migrations.length`: migration i takes the file from version i to i + 1.
 *
 * @example
 * const db = openNodeStore(join(dataDir, 'query-quota.sqlite'), [
 *   'CREATE TABLE IF NOT EXISTS quota_releases (study_id TEXT NOT NULL, task_id TEXT NOT NULL)',
 * ]);
 */
export function openNodeStore(
  file: string,
  migrations: readonly StoreMigration[],
  opts: NodeStoreOptions = {},
): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? NODE_STORE_BUSY_TIMEOUT_MS))}`);
    migrate(db, basename(file), migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The schema version of an open store. */
export function storeVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Database.Database, name: string, migrations: readonly StoreMigration[]): void {
  const target = migrations.length;
  const apply = db.transaction(() => {
    // read again inside the write transaction: another process may have migrated the file meanwhile
    const from = storeVersion(db);
    if (from > target)
      throw new FedhubError(
        'FH_ERR_CONFLICT',
        `${name} has schema version ${from}, newer than this node's (${target}): it was written by a newer fedhub; upgrade this node rather than open it`,
      );
    for (let v = from; v < target; v++) {
      const step = migrations[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    if (from !== target) db.pragma(`user_version = ${target}`);
  });
  if (storeVersion(db) === target) return;
  apply.immediate();
}
