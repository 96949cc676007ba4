import { randomBytes } from 'node:crypto';
import { pgModule } from './pg-module.js';

/** A throw-away PostgreSQL database for one test file. */
export interface ScratchDatabase {
  /** URL of the new database. */
  url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/**
 * Creates `fedhub_t_<random>` on the server of `baseUrl` (a URL to any database the user can connect to
 * and that may CREATE DATABASE), so that test files running in parallel never share tables.
 */
export async function createScratchPostgresDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `fedhub_t_${randomBytes(6).toString('hex')}`;
  const admin = new (pgModule().Client)({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new (pgModule().Client)({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** True when a PostgreSQL server answers at `url` within `timeoutMs`. */
export async function postgresReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const c = new (pgModule().Client)({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
