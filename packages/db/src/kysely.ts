/**
 * Kysely's runtime values, from its CommonJS build. Its ESM build is 263 files, and Node's ESM loader pays
 * per file: about 0.2 s of every hub and `fedhub simulate` start against 0.09 s for the CommonJS build
 * (2026-12-08, docs/benchmarks.md). Import Kysely's values from here (or `@fedhub/db`) and its types from
 * 'kysely' (`import type`): a runtime import of 'kysely' elsewhere would load the second, ESM copy.
 *
 * @example import { sql } from '@fedhub/db'; await sql`select 1`.execute(db);
 */
import { createRequire } from 'node:module';
import type * as K from 'kysely';

const kysely = createRequire(import.meta.url)('kysely') as typeof K;

export const Kysely = kysely.Kysely;
export type Kysely<DB> = K.Kysely<DB>;
export const Migrator = kysely.Migrator;
export type Migrator = K.Migrator;
export const PostgresDialect = kysely.PostgresDialect;
export const SqliteDialect = kysely.SqliteDialect;
export const sql = kysely.sql;
