import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';
import { defineDatabaseSuite } from './database-suite.js';

defineDatabaseSuite({
  name: 'SQLite (in memory)',
  async open() {
    const handle = openDatabase({ inMemory: true });
    return { handle, dispose: () => handle.close() };
  },
});

defineDatabaseSuite({
  name: 'SQLite (file, WAL)',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'fedhub-db-'));
    const handle = openDatabase({ dataDir: join(dir, 'nested') });
    return {
      handle,
      async dispose() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

it('refuses a URL that is not PostgreSQL, and a call without a location', () => {
  expect(() => openDatabase({ url: 'mysql://x' })).toThrow(/postgres:\/\//);
  expect(() => openDatabase({})).toThrow(/dataDir/);
});
