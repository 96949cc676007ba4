import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeAuditLog } from './node-audit-log.js';

const dir = mkdtempSync(join(tmpdir(), 'fedhub-node-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshLog(name: string): { log: NodeAuditLog; raw: Database.Database } {
  const d = join(dir, name);
  const log = new NodeAuditLog(d);
  for (let i = 0; i < 5; i++)
    log.append({ action: 'result.released', taskId: `t${i}`, detail: { records: 100 + i } });
  return { log, raw: new Database(join(d, 'node-audit.sqlite')) };
}

describe('node audit log', () => {
  it('verifies an intact log', () => {
    const { log } = freshLog('intact');
    expect(log.verify()).toBeNull();
  });
  it('detects an edited row', () => {
    const { log, raw } = freshLog('edit');
    raw
      .prepare('UPDATE audit SET entry = replace(entry, \'"records":102\', \'"records":99\') WHERE seq = 3')
      .run();
    expect(log.verify()?.reason).toMatch(/entry 3: content does not match/);
  });
  it('detects a deleted row, a truncated head and a reordering', () => {
    const a = freshLog('delete');
    a.raw.prepare('DELETE FROM audit WHERE seq = 2').run();
    expect(a.log.verify()).not.toBeNull();
    const b = freshLog('truncate');
    b.raw.prepare('DELETE FROM audit WHERE seq = 1').run();
    expect(b.log.verify()?.reason).toMatch(/earlier entries were removed/);
    const c = freshLog('reorder');
    c.raw.exec(
      'UPDATE audit SET seq = -seq WHERE seq IN (2, 3); UPDATE audit SET seq = 3 WHERE seq = -2; UPDATE audit SET seq = 2 WHERE seq = -3;',
    );
    expect(c.log.verify()).not.toBeNull();
  });
});
