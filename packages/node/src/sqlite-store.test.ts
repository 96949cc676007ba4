import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FedhubError } from '@fedhub/protocol';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalStore } from './governance/approval-store.js';
import { openNodeStore, storeVersion } from './sqlite-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedhub-sqlite-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const V1 = 'CREATE TABLE IF NOT EXISTS t (a TEXT NOT NULL)';
const V2 = (db: Database.Database) => {
  const cols = db.prepare('PRAGMA table_info(t)').all() as Array<{ name: string }>;
  if (!cols.some((c) => c.name === 'b')) db.exec('ALTER TABLE t ADD COLUMN b TEXT');
};

describe('openNodeStore', () => {
  it('creates the file and its folder, in WAL with a busy timeout, at the migrations version', () => {
    const file = join(dir, 'nested', 'x.sqlite');
    const db = openNodeStore(file, [V1, V2]);
    expect(storeVersion(db)).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect((db.prepare('PRAGMA table_info(t)').all() as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'a',
      'b',
    ]);
    db.close();
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    const custom = openNodeStore(file, [V1, V2], { busyTimeoutMs: 250 });
    expect(custom.pragma('busy_timeout', { simple: true })).toBe(250);
    custom.close();
  });

  it('runs only the steps a file lacks, keeping its rows', () => {
    const file = join(dir, 'x.sqlite');
    const v1 = openNodeStore(file, [V1]);
    v1.prepare('INSERT INTO t (a) VALUES (?)').run('kept');
    v1.close();
    let ran = 0;
    const db = openNodeStore(file, [
      () => {
        ran++; // version 1 is already there: must not run again
      },
      V2,
    ]);
    expect(ran).toBe(0);
    expect(storeVersion(db)).toBe(2);
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'kept', b: null }]);
    db.close();
  });

  it('brings a file from before versions were kept (version 0, tables already there) up to date', () => {
    const file = join(dir, 'legacy.sqlite');
    const legacy = new Database(file);
    legacy.exec('CREATE TABLE t (a TEXT NOT NULL, b TEXT)');
    legacy.prepare('INSERT INTO t (a, b) VALUES (?, ?)').run('old', 'row');
    legacy.close();
    const db = openNodeStore(file, [V1, V2]);
    expect(storeVersion(db)).toBe(2);
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'old', b: 'row' }]);
    db.close();
  });

  it('refuses a file written by a newer node, naming the file and both versions, and leaves it as it was', () => {
    const file = join(dir, 'approvals.sqlite');
    const newer = new Database(file);
    newer.pragma('user_version = 7');
    newer.close();
    let err: unknown;
    try {
      openNodeStore(file, [V1, V2]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FedhubError);
    expect((err as FedhubError).code).toBe('FH_ERR_CONFLICT');
    expect((err as FedhubError).message).toContain('approvals.sqlite has schema version 7');
    expect((err as FedhubError).message).toContain("this node's (2)");
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(7);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all()).toEqual([]);
    check.close();
  });

  it('rolls a failing migration back whole: the version stays and the file can be opened again', () => {
    const file = join(dir, 'x.sqlite');
    expect(() =>
      openNodeStore(file, [
        V1,
        (db) => {
          db.exec('ALTER TABLE t ADD COLUMN b TEXT');
          throw new Error('step failed');
        },
      ]),
    ).toThrow('step failed');
    const db = openNodeStore(file, [V1, V2]);
    expect(storeVersion(db)).toBe(2);
    db.close();
  });

  it('upgrades an approvals file whose held runs lack the permission column (version 1 layout)', () => {
    const file = join(dir, 'approvals.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE pending (run_id TEXT PRIMARY KEY, attempt INTEGER NOT NULL, task_id TEXT NOT NULL,
      study_id TEXT NOT NULL, study_title TEXT NOT NULL, algorithm TEXT NOT NULL, version TEXT NOT NULL,
      digest TEXT NOT NULL, params TEXT NOT NULL, variables TEXT NOT NULL, requester TEXT, since TEXT NOT NULL,
      released_at TEXT)`);
    old.close();
    new ApprovalStore(dir).close();
    const check = new Database(file);
    // version 2: held runs keep their permission; version 3: a study deny keeps the mode it replaced;
    // version 4: peer keys pinned under the approval of each study
    expect(check.pragma('user_version', { simple: true })).toBe(4);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'peer_keys'").all()).toHaveLength(1);
    expect(
      (check.prepare('PRAGMA table_info(pending)').all() as Array<{ name: string }>).map((c) => c.name),
    ).toContain('permission');
    expect(
      (check.prepare('PRAGMA table_info(studies)').all() as Array<{ name: string }>).map((c) => c.name),
    ).toContain('mode_before_deny');
    check.close();
  });

  it('is the only way the node opens SQLite (every store gets the busy timeout and a version)', () => {
    const src = fileURLToPath(new URL('./', import.meta.url));
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
      );
    const opening = walk(src).filter(
      (f) =>
        !/\.test\.ts$/.test(f) &&
        !f.endsWith('sqlite-store.ts') &&
        !f.includes('/red-team/') &&
        /new Database\(/.test(readFileSync(f, 'utf8')),
    );
    expect(opening.map((f) => f.slice(src.length))).toEqual([]);
  });
});
