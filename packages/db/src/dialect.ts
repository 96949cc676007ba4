/**
 * Everything that differs between SQLite and PostgreSQL, in one place: value encodings (JSON as TEXT,
 * booleans as 0/1, timestamps as ISO text), `count(*)` coercion, transactions that serialise writers, and
 * row claiming with `FOR UPDATE SKIP LOCKED`.
 */
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { sql } from './kysely.js';
import type { Schema } from './schema.js';

/** The two supported backends. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type DialectName = (typeof DIALECTS)[number];

/** An open database and the dialect it speaks. */
export interface DbHandle {
  db: Kysely<Schema>;
  dialect: DialectName;
  /** True for an in-memory database, which keeps nothing after it is closed (tests). */
  ephemeral?: boolean;
  /** Closes the connection (SQLite) or the pool (PostgreSQL). */
  close(): Promise<void>;
}

/** Serialises a JSON value for a TEXT column. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Parses a TEXT JSON column; `null` stays `null`. */
export function fromJson<T = unknown>(text: string | null | undefined): T | null {
  return text == null ? null : (JSON.parse(text) as T);
}

/** Encodes a boolean for an integer column. */
export function toBool(value: boolean): number {
  return value ? 1 : 0;
}

/** Decodes an integer boolean column (PostgreSQL may hand back strings for some drivers' types). */
export function fromBool(value: number | string | boolean | null | undefined): boolean {
  return value === true || value === 1 || value === '1';
}

/** Milliseconds since the epoch to the stored timestamp form (ISO-8601 UTC, fixed width). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `count(*)` and other bigint aggregates come back as strings from PostgreSQL: coerce to a number. */
export function countOf(value: number | string | bigint | null | undefined): number {
  return value == null ? 0 : Number(value);
}

/** PostgreSQL errors after which a transaction may simply be run again: deadlock, serialisation failure. */
const PG_RETRYABLE = new Set(['40P01', '40001']);
const PG_RETRIES = 4;

/**
 * Runs `fn` in a transaction that serialises writers: `BEGIN IMMEDIATE` on SQLite (takes the write lock up
 * front, so two processes on one file never deadlock on a lock upgrade), an ordinary transaction on
 * PostgreSQL (row locks are taken explicitly with {@link forUpdateSkipLocked} / {@link lockForUpdate}).
 * Every query inside must use the `trx` handed to `fn`, never the outer `db`. On PostgreSQL a transaction
 * aborted by deadlock detection or a serialisation failure is retried (up to 4 runs of `fn`), so `fn` must
 * have no effects outside the transaction.
 */
export async function withTransaction<T>(h: DbHandle, fn: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  if (h.dialect === 'postgres') {
    for (let attempt = 1; ; attempt++) {
      try {
        return await h.db.transaction().execute((trx: Transaction<Schema>) => fn(trx));
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= PG_RETRIES || !PG_RETRYABLE.has(String(code))) throw err;
        await new Promise((r) => setTimeout(r, attempt * 10 + Math.random() * 20));
      }
    }
  }
  return h.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const out = await fn(conn);
      await sql`commit`.execute(conn);
      return out;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

/**
 * Adds `FOR UPDATE SKIP LOCKED` on PostgreSQL (so competing hub processes each take a different row);
 * on SQLite the surrounding `BEGIN IMMEDIATE` already excludes other writers, so the query is unchanged.
 * `of` limits the lock to one table of a join (`FOR UPDATE OF runs`).
 */
export function forUpdateSkipLocked<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  q: SelectQueryBuilder<DB, TB, O>,
  of?: TB & string,
): SelectQueryBuilder<DB, TB, O> {
  if (dialect !== 'postgres') return q;
  return (of === undefined ? q.forUpdate() : q.forUpdate(of as never)).skipLocked();
}

/** Adds `FOR UPDATE` on PostgreSQL (waits for the row), unchanged on SQLite (see {@link withTransaction}). */
export function lockForUpdate<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  q: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? q.forUpdate() : q;
}

/**
 * Serialises the transactions that call it with the same `key` until they commit: a transaction-scoped
 * advisory lock on PostgreSQL; a no-op on SQLite, where `BEGIN IMMEDIATE` already serialises writers.
 * Used to append to the audit hash chain, where each entry needs the previous one's hash.
 */
export async function serialiseOn(dialect: DialectName, trx: Kysely<Schema>, key: number): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}
