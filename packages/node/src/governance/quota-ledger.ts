/**
 * The node's per-study query quota: at most `max` tasks of one study may read this node's data
 * (FH_ERR_QUOTA_EXCEEDED after that). A task is counted once, at its first run, before any data is read,
 * whether it is then released or refused (a refusal answers a question too), so a model fitted in twenty
 * Newton rounds is one result. Kept in the node's data folder, like the privacy ledger.
 */
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';

export class QuotaLedger {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openNodeStore(join(dataDir, 'query-quota.sqlite'), [
      `CREATE TABLE IF NOT EXISTS quota_releases (
      study_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (study_id, task_id)
    );`,
    ]);
  }

  /** Tasks of the study that have released results here. */
  used(studyId: string): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM quota_releases WHERE study_id = ?').get(studyId) as {
        n: number;
      }
    ).n;
  }

  /**
   * Counts `taskId` against the study's quota (once per task), or throws FH_ERR_QUOTA_EXCEEDED. Returns
   * whether this call counted it (false when an earlier round or attempt already had).
   */
  take(studyId: string, taskId: string, max: number, now = new Date()): boolean {
    return this.db.transaction(() => {
      const seen = this.db
        .prepare('SELECT 1 FROM quota_releases WHERE study_id = ? AND task_id = ?')
        .get(studyId, taskId);
      if (seen) return false;
      const used = this.used(studyId);
      if (used >= max)
        throw new FedhubError(
          'FH_ERR_QUOTA_EXCEEDED',
          `study ${studyId} has used its quota of ${max} released results at this node`,
          { studyId, used, max },
        );
      this.db
        .prepare('INSERT INTO quota_releases (study_id, task_id, at) VALUES (?, ?, ?)')
        .run(studyId, taskId, now.toISOString());
      return true;
    })();
  }

  /** Tasks counted per study. */
  totals(): Array<{ studyId: string; used: number }> {
    return (
      this.db
        .prepare('SELECT study_id, COUNT(*) AS n FROM quota_releases GROUP BY study_id ORDER BY study_id')
        .all() as Array<{ study_id: string; n: number }>
    ).map((r) => ({ studyId: r.study_id, used: r.n }));
  }

  close(): void {
    this.db.close();
  }
}
