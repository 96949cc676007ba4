/**
 * Migration 0013 (model names per collaboration) on SQLite with registry rows already there: the rows and
 * the validations survive, the validations still reference the versions, and the same name and version
 * may now be registered in another collaboration but not twice in one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { Migrator, sql } from './kysely.js';
import { staticMigrationProvider } from './migrations.js';
import { openDatabase } from './open-database.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-mig-0011-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const version = (id: string, collaboration: string) => ({
  id,
  name: 'toxicity',
  version: 1,
  kind: 'glm',
  study_id: 's',
  collaboration_id: collaboration,
  task_id: 't',
  model: '{}',
  created_by: 'u',
  created_at: '2026-01-01T00:00:00.000Z',
});

describe('0013-model-names-per-collaboration', () => {
  it('keeps versions and validations and moves uniqueness to (collaboration, name, version)', async () => {
    const h = openDatabase({ dataDir: dir });
    const db = h.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    try {
      const migrator = new Migrator({ db: db as never, provider: staticMigrationProvider });
      expect((await migrator.migrateTo('0012-onnx-models')).error).toBeUndefined();
      // registry rows of an earlier hub (parents left out: only the registry tables are under test)
      await sql`PRAGMA foreign_keys = OFF`.execute(db);
      await db.insertInto('model_versions').values(version('v1', 'A')).execute();
      await db
        .insertInto('model_validations')
        .values({
          id: 'r1',
          model_version_id: 'v1',
          task_id: 't2',
          study_id: 's',
          report: '{}',
          created_by: 'u',
          created_at: 'x',
        })
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(await db.selectFrom('model_versions').select(['id', 'collaboration_id']).execute()).toEqual([
        { id: 'v1', collaboration_id: 'A' },
      ]);
      expect(await db.selectFrom('model_validations').select(['id', 'model_version_id']).execute()).toEqual([
        { id: 'r1', model_version_id: 'v1' },
      ]);
      const fks = (await sql<{ table: string }>`PRAGMA foreign_key_list(model_validations)`.execute(db)).rows;
      expect(fks.map((f) => f.table)).toContain('model_versions');
      await db.insertInto('model_versions').values(version('v2', 'B')).execute();
      await expect(db.insertInto('model_versions').values(version('v3', 'A')).execute()).rejects.toThrow(
        /UNIQUE/,
      );
    } finally {
      await h.close();
    }
  });
});
