/**
 * The node's privacy ledger: every released aggregate is recorded with the exact set of records it used
 * (as a bitset over the dataset version's rows) and a fingerprint. A new release whose record set differs
 * from an earlier one on the same dataset version by fewer than the minimum subset size (but not zero) is
 * refused with FH_ERR_DIFFERENCING: two aggregates over sets that differ by one patient reveal that patient.
 * The ledger lives in the node's data folder (SQLite), so the rule holds across researchers, studies and
 * restarts of the hub or the node.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import Database from 'better-sqlite3';
import { RecordSet } from './record-set.js';

export interface ReleaseRecord {
  studyId: string;
  taskId: string;
  runId: string;
  algorithm: string;
  dataset: string;
  datasetVersion: string;
  records: RecordSet;
}

export class PrivacyLedger {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(dataDir, 'privacy-ledger.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS releases (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      study_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      dataset TEXT NOT NULL,
      dataset_version TEXT NOT NULL,
      record_count INTEGER NOT NULL,
      fingerprint TEXT NOT NULL,
      bits BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS releases_by_version ON releases (dataset, dataset_version);`);
  }

  /** sha256 of the record bitset: equal sets have equal fingerprints. */
  static fingerprint(records: RecordSet): string {
    return createHash('sha256').update(records.bits).digest('hex');
  }

  /** Throws FH_ERR_DIFFERENCING when `records` differs from an earlier release by 1..minSubset-1 records. */
  check(dataset: string, datasetVersion: string, records: RecordSet, minSubsetSize: number): void {
    const rows = this.db
      .prepare('SELECT id, bits, record_count FROM releases WHERE dataset = ? AND dataset_version = ?')
      .all(dataset, datasetVersion) as Array<{ id: number; bits: Buffer; record_count: number }>;
    for (const row of rows) {
      if (Math.abs(row.record_count - records.size) >= minSubsetSize) continue;
      const d = records.symmetricDifference(new RecordSet(new Uint8Array(row.bits), row.record_count));
      if (d > 0 && d < minSubsetSize)
        throw new FedhubError(
          'FH_ERR_DIFFERENCING',
          `the selected records differ from an earlier release on dataset "${dataset}" by ${d} record(s), fewer than the minimum subset size ${minSubsetSize}`,
          { dataset, difference: d, minimum: minSubsetSize },
        );
    }
  }

  record(r: ReleaseRecord): void {
    this.db
      .prepare(
        'INSERT INTO releases (at, study_id, task_id, run_id, algorithm, dataset, dataset_version, record_count, fingerprint, bits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        new Date().toISOString(),
        r.studyId,
        r.taskId,
        r.runId,
        r.algorithm,
        r.dataset,
        r.datasetVersion,
        r.records.size,
        PrivacyLedger.fingerprint(r.records),
        Buffer.from(r.records.bits),
      );
  }

  /** What this node has released, newest first (for the data officer). */
  releases(limit = 100): Array<{
    at: string;
    studyId: string;
    taskId: string;
    algorithm: string;
    dataset: string;
    recordCount: number;
    fingerprint: string;
  }> {
    return (
      this.db
        .prepare(
          'SELECT at, study_id, task_id, algorithm, dataset, record_count, fingerprint FROM releases ORDER BY id DESC LIMIT ?',
        )
        .all(limit) as Array<{
        at: string;
        study_id: string;
        task_id: string;
        algorithm: string;
        dataset: string;
        record_count: number;
        fingerprint: string;
      }>
    ).map((r) => ({
      at: r.at,
      studyId: r.study_id,
      taskId: r.task_id,
      algorithm: r.algorithm,
      dataset: r.dataset,
      recordCount: r.record_count,
      fingerprint: r.fingerprint,
    }));
  }

  close(): void {
    this.db.close();
  }
}
