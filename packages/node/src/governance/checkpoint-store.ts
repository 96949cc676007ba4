/**
 * The hub's signed audit checkpoints as this node saw them (`hub-checkpoints.sqlite` in dataDir), and the
 * hub key the node trusts. The key is trusted on first use: the one the hub gave at enrolment (or, for a
 * node enrolled before the hub had a key, the first one seen); a checkpoint signed by any other key is not
 * stored. Because these copies live outside the hub, a hub database restored from an older backup, or a
 * rewritten or truncated audit log, no longer matches them (`fedhub audit verify --checkpoints`).
 */
import { join } from 'node:path';
import { verifyMessage } from '@fedhub/crypto';
import { type AuditCheckpoint, checkpointSigningString } from '@fedhub/protocol';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';

export interface StoredCheckpoint {
  seq: number;
  headHash: string;
  at: string;
  signature: string;
}

/** What a node exports for an auditor (`fedhub audit checkpoints --node-config ... --out file`). */
export interface CheckpointExport {
  hubPublicKey: string | null;
  checkpoints: StoredCheckpoint[];
}

export class CheckpointStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openNodeStore(join(dataDir, 'hub-checkpoints.sqlite'), [
      `CREATE TABLE IF NOT EXISTS hub_key (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      public_key TEXT NOT NULL,
      trusted_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS checkpoints (
      seq INTEGER NOT NULL,
      head_hash TEXT NOT NULL,
      at TEXT NOT NULL,
      signature TEXT NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (seq, head_hash)
    );`,
    ]);
  }

  trustedKey(): string | undefined {
    const r = this.db.prepare('SELECT public_key FROM hub_key WHERE id = 1').get() as
      | { public_key: string }
      | undefined;
    return r?.public_key;
  }

  /** Trusts `key` when no key is trusted yet; returns the key trusted afterwards. */
  trustOnFirstUse(key: string): string {
    this.db
      .prepare('INSERT OR IGNORE INTO hub_key (id, public_key, trusted_at) VALUES (1, ?, ?)')
      .run(key, new Date().toISOString());
    return this.trustedKey()!;
  }

  /**
   * Checks and stores a checkpoint. Returns the problems seen: a foreign key or bad signature (not stored),
   * or a hub whose log is now behind or different from a checkpoint stored earlier (stored, as evidence).
   * Each problem has a `key` that stays the same while the same fault persists, to report it once.
   */
  record(c: AuditCheckpoint): { stored: boolean; problems: Array<{ key: string; message: string }> } {
    const key = this.trustOnFirstUse(c.hubPublicKey);
    if (key !== c.hubPublicKey)
      return {
        stored: false,
        problems: [
          {
            key: `foreign-key:${c.hubPublicKey}`,
            message: 'the checkpoint is signed by a key other than the hub key this node trusts',
          },
        ],
      };
    if (!verifyMessage(key, checkpointSigningString(c), c.signature))
      return {
        stored: false,
        problems: [{ key: 'bad-signature', message: 'the checkpoint signature does not verify' }],
      };
    const problems: Array<{ key: string; message: string }> = [];
    const newest = this.db
      .prepare('SELECT seq, head_hash FROM checkpoints ORDER BY seq DESC LIMIT 1')
      .get() as { seq: number; head_hash: string } | undefined;
    if (newest && newest.seq > c.seq)
      problems.push({
        key: `rolled-back:${newest.seq}`,
        message: `the hub's audit log ends at entry ${c.seq}, before entry ${newest.seq} of an earlier checkpoint: the hub log was rolled back or truncated`,
      });
    const same = this.db
      .prepare('SELECT head_hash FROM checkpoints WHERE seq = ? AND head_hash <> ?')
      .get(c.seq, c.headHash) as { head_hash: string } | undefined;
    if (same)
      problems.push({
        key: `rewritten:${c.seq}`,
        message: `entry ${c.seq} of the hub's audit log differs from an earlier checkpoint`,
      });
    const res = this.db
      .prepare(
        'INSERT OR IGNORE INTO checkpoints (seq, head_hash, at, signature, received_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(c.seq, c.headHash, c.at, c.signature, new Date().toISOString());
    return { stored: res.changes === 1, problems };
  }

  list(): StoredCheckpoint[] {
    return (
      this.db
        .prepare('SELECT seq, head_hash, at, signature FROM checkpoints ORDER BY seq, at')
        .all() as Array<{
        seq: number;
        head_hash: string;
        at: string;
        signature: string;
      }>
    ).map((r) => ({ seq: r.seq, headHash: r.head_hash, at: r.at, signature: r.signature }));
  }

  export(): CheckpointExport {
    return { hubPublicKey: this.trustedKey() ?? null, checkpoints: this.list() };
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Compares a hub's audit log with checkpoints kept outside it. `hashAt(seq)` gives the hub's hash of entry
 * `seq` (undefined past its end). Returns one line per problem: an unverifiable checkpoint, a log that ends
 * before a checkpointed entry (rolled back or truncated), or a checkpointed entry whose hash differs.
 */
export function compareWithCheckpoints(
  saved: CheckpointExport,
  hubCount: number,
  hashAt: (seq: number) => string | undefined,
): string[] {
  const problems: string[] = [];
  if (!saved.hubPublicKey) return saved.checkpoints.length ? ['the checkpoints come with no hub key'] : [];
  for (const c of saved.checkpoints) {
    if (!verifyMessage(saved.hubPublicKey, checkpointSigningString(c), c.signature)) {
      problems.push(`checkpoint of entry ${c.seq} (${c.at}): signature does not verify with the hub key`);
      continue;
    }
    if (c.seq === 0) continue;
    if (c.seq > hubCount) {
      problems.push(
        `hub log ROLLED BACK: a checkpoint signed at ${c.at} covers entry ${c.seq} (hash ${c.headHash.slice(0, 16)}…), but the hub's log now ends at entry ${hubCount}`,
      );
      continue;
    }
    const h = hashAt(c.seq);
    if (h !== c.headHash)
      problems.push(
        `hub log REWRITTEN: entry ${c.seq} has hash ${h?.slice(0, 16) ?? '(none)'}…, but a checkpoint signed at ${c.at} holds ${c.headHash.slice(0, 16)}…`,
      );
  }
  return problems;
}
