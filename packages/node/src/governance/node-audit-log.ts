/**
 * The node's own tamper-evident log of what it ran, released and refused: a hash chain (each entry's hash
 * covers the previous hash and the entry), kept in the node's data folder. Editing, deleting or reordering
 * any row breaks {@link NodeAuditLog.verify}.
 */
import { join } from 'node:path';
import { CHAIN_GENESIS, type ChainedEntry, chainHash, verifyChain } from '@fedhub/crypto';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';

export interface NodeAuditEvent {
  action:
    | 'run.started'
    | 'result.released'
    | 'result.refused'
    | 'result.failed'
    | 'node.enrolled'
    | 'node.started'
    | 'approval.pending'
    | 'approval.granted'
    | 'approval.refused'
    | 'approval.decided'
    | 'approval.relay-rejected'
    | 'hub.checkpoint-problem'
    | 'admin-key.added'
    | 'admin-key.removed';
  taskId?: string;
  runId?: string;
  studyId?: string;
  algorithm?: string;
  detail?: Record<string, string | number | boolean | null>;
}

export class NodeAuditLog {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openNodeStore(join(dataDir, 'node-audit.sqlite'), [
      `CREATE TABLE IF NOT EXISTS audit (
      seq INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      entry TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    ]);
  }

  /** Appends an event; the chain head moves atomically with the row. */
  append(event: NodeAuditEvent, at = new Date()): { seq: number; hash: string } {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
        | { seq: number; hash: string }
        | undefined;
      const seq = (last?.seq ?? 0) + 1;
      const entry = { seq, at: at.toISOString(), ...event };
      const prev = last?.hash ?? CHAIN_GENESIS;
      const hash = chainHash(prev, entry);
      this.db
        .prepare('INSERT INTO audit (seq, at, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
        .run(seq, entry.at, JSON.stringify(entry), prev, hash);
      return { seq, hash };
    })();
  }

  entries(): ChainedEntry[] {
    return (
      this.db.prepare('SELECT seq, entry, prev_hash, hash FROM audit ORDER BY seq').all() as Array<{
        seq: number;
        entry: string;
        prev_hash: string;
        hash: string;
      }>
    ).map((r) => ({
      seq: r.seq,
      entry: JSON.parse(r.entry) as unknown,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /** Null when the chain holds, else where and why it breaks. */
  verify(): { index: number; reason: string } | null {
    const entries = this.entries();
    if (entries.length > 0 && entries[0]!.seq !== 1)
      return { index: 0, reason: `the log starts at entry ${entries[0]!.seq}: earlier entries were removed` };
    return verifyChain(entries);
  }

  close(): void {
    this.db.close();
  }
}
