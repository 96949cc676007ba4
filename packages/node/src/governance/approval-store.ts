/**
 * The node's own record of approvals (SQLite `approvals.sqlite` in dataDir): per study a mode and a stop,
 * per study the algorithm versions approved or denied (bound to name, version and content digest), and the
 * runs held until the node admin decides. The node is the authority: the hub only relays.
 * The `fedhub node approve|deny|stop-study` commands write here while the node runs (SQLite WAL).
 */
import { join } from 'node:path';
import type { ApprovalMode, Json, Requester } from '@fedhub/protocol';
import type Database from 'better-sqlite3';
import { openNodeStore } from '../sqlite-store.js';
import { permissionDigest, type StudyPermission } from './approval-permission.js';

export interface StudyApprovalState {
  mode: ApprovalMode | null;
  stoppedAt: string | null;
  reason: string | null;
}

export interface AlgorithmKey {
  studyId: string;
  algorithm: string;
  version: string;
  digest: string;
  /** The study's permission set this run comes under (computed by the node from the run's descriptor). */
  permission?: StudyPermission | undefined;
}

/** The permission set a node administrator approved a study under. */
export interface ApprovedPermission {
  digest: string;
  permission: StudyPermission;
  decidedBy: string;
  at: string;
}

export interface PendingRun extends AlgorithmKey {
  runId: string;
  attempt: number;
  taskId: string;
  studyTitle: string;
  params: Json;
  variables: string[];
  requester: Requester | null;
  since: string;
  releasedAt: string | null;
}

/** Version 2: held runs keep the study permission they were held under (files of version 1 lack it). */
function addPendingPermission(db: Database.Database): void {
  const pendingColumns = db.prepare('PRAGMA table_info(pending)').all() as Array<{ name: string }>;
  if (!pendingColumns.some((c) => c.name === 'permission'))
    db.exec('ALTER TABLE pending ADD COLUMN permission TEXT');
}

export class ApprovalStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    this.db = openNodeStore(join(dataDir, 'approvals.sqlite'), [
      `CREATE TABLE IF NOT EXISTS studies (
      study_id TEXT PRIMARY KEY,
      mode TEXT,
      stopped_at TEXT,
      reason TEXT,
      decided_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS algorithm_decisions (
      study_id TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      version TEXT NOT NULL,
      digest TEXT NOT NULL,
      decision TEXT NOT NULL,
      reason TEXT,
      decided_by TEXT NOT NULL,
      at TEXT NOT NULL,
      PRIMARY KEY (study_id, algorithm, version, digest)
    );
    CREATE TABLE IF NOT EXISTS pending (
      run_id TEXT PRIMARY KEY,
      attempt INTEGER NOT NULL,
      task_id TEXT NOT NULL,
      study_id TEXT NOT NULL,
      study_title TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      version TEXT NOT NULL,
      digest TEXT NOT NULL,
      params TEXT NOT NULL,
      variables TEXT NOT NULL,
      requester TEXT,
      since TEXT NOT NULL,
      released_at TEXT
    );
    CREATE TABLE IF NOT EXISTS admin_nonces (
      nonce TEXT PRIMARY KEY,
      at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS approved_permissions (
      study_id TEXT PRIMARY KEY,
      digest TEXT NOT NULL,
      permission TEXT NOT NULL,
      decided_by TEXT NOT NULL,
      at TEXT NOT NULL
    );`,
      addPendingPermission,
      // version 3: a deny of the whole study keeps the mode it replaced, so that lifting it restores it
      'ALTER TABLE studies ADD COLUMN mode_before_deny TEXT',
      // version 4: peers' secure-aggregation keys pinned under the node's approval of each study
      `CREATE TABLE IF NOT EXISTS peer_keys (
        study_id TEXT NOT NULL,
        node_id TEXT NOT NULL,
        x25519 TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (study_id, node_id)
      )`,
    ]);
  }

  /** Spends a node administrator statement's nonce: false when it was used before (a replay). */
  useNonce(nonce: string): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO admin_nonces (nonce, at) VALUES (?, ?)')
      .run(nonce, new Date().toISOString());
    return r.changes === 1;
  }

  /** The permission set the study was approved under at this node, if any. */
  approvedPermission(studyId: string): ApprovedPermission | undefined {
    const r = this.db
      .prepare('SELECT digest, permission, decided_by, at FROM approved_permissions WHERE study_id = ?')
      .get(studyId) as { digest: string; permission: string; decided_by: string; at: string } | undefined;
    return r
      ? {
          digest: r.digest,
          permission: JSON.parse(r.permission) as StudyPermission,
          decidedBy: r.decided_by,
          at: r.at,
        }
      : undefined;
  }

  /**
   * The peers of a round whose secure-aggregation key differs from the one pinned for them under this
   * study's approval (empty: all agree). A peer seen for the first time since the approval is pinned
   * now, so the keys of the first round after an approval are the ones the approval holds from then on:
   * a hub that later substitutes a peer's key (to unmask this node's partial) is refused.
   */
  peerKeyMismatches(studyId: string, peers: ReadonlyArray<{ nodeId: string; x25519: string }>, self: string) {
    const get = this.db.prepare('SELECT x25519 FROM peer_keys WHERE study_id = ? AND node_id = ?');
    const pin = this.db.prepare('INSERT INTO peer_keys (study_id, node_id, x25519, at) VALUES (?, ?, ?, ?)');
    const check = this.db.transaction(() => {
      const changed: string[] = [];
      for (const p of peers) {
        if (p.nodeId === self) continue;
        const r = get.get(studyId, p.nodeId) as { x25519: string } | undefined;
        if (!r) pin.run(studyId, p.nodeId, p.x25519, new Date().toISOString());
        else if (r.x25519 !== p.x25519) changed.push(p.nodeId);
      }
      return changed;
    });
    return check();
  }

  /** The peer keys pinned under the study's approval (node id to X25519 public key). */
  pinnedPeerKeys(studyId: string): Record<string, string> {
    const rows = this.db
      .prepare('SELECT node_id, x25519 FROM peer_keys WHERE study_id = ? ORDER BY node_id')
      .all(studyId) as Array<{ node_id: string; x25519: string }>;
    return Object.fromEntries(rows.map((r) => [r.node_id, r.x25519]));
  }

  /**
   * Binds the study's approvals to `permission` (replacing the permission set approved before). The
   * peer keys pinned under the earlier approval are released: the next round's keys are pinned anew.
   */
  approvePermission(studyId: string, permission: StudyPermission, by: string): void {
    this.db.prepare('DELETE FROM peer_keys WHERE study_id = ?').run(studyId);
    this.db
      .prepare(
        `INSERT INTO approved_permissions (study_id, digest, permission, decided_by, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (study_id) DO UPDATE SET digest = excluded.digest, permission = excluded.permission,
           decided_by = excluded.decided_by, at = excluded.at`,
      )
      .run(studyId, permissionDigest(permission), JSON.stringify(permission), by, new Date().toISOString());
  }

  study(studyId: string): StudyApprovalState {
    const r = this.db
      .prepare('SELECT mode, stopped_at, reason FROM studies WHERE study_id = ?')
      .get(studyId) as
      | { mode: ApprovalMode | null; stopped_at: string | null; reason: string | null }
      | undefined;
    return { mode: r?.mode ?? null, stoppedAt: r?.stopped_at ?? null, reason: r?.reason ?? null };
  }

  /**
   * Denies the whole study at this node, keeping the mode it had (null: the config's) so that lifting the
   * deny restores it; the algorithm versions approved before stay recorded, overridden while it lasts.
   */
  deny(studyId: string, by: string, reason?: string): void {
    const before = this.db
      .prepare('SELECT mode, mode_before_deny FROM studies WHERE study_id = ?')
      .get(studyId) as { mode: ApprovalMode | null; mode_before_deny: ApprovalMode | null } | undefined;
    // denying a denied study again keeps the mode from before the first deny
    const keep = before?.mode === 'deny' ? before.mode_before_deny : (before?.mode ?? null);
    this.setMode(studyId, 'deny', by, reason);
    this.db.prepare('UPDATE studies SET mode_before_deny = ? WHERE study_id = ?').run(keep, studyId);
  }

  /** Lifts a deny of the whole study: its mode from before the deny is back (false: it was not denied). */
  liftDeny(studyId: string, by: string, reason?: string): boolean {
    const r = this.db.prepare('SELECT mode, mode_before_deny FROM studies WHERE study_id = ?').get(studyId) as
      | { mode: ApprovalMode | null; mode_before_deny: ApprovalMode | null }
      | undefined;
    if (r?.mode !== 'deny') return false;
    this.db
      .prepare(
        'UPDATE studies SET mode = ?, mode_before_deny = NULL, reason = ?, decided_by = ?, updated_at = ? WHERE study_id = ?',
      )
      .run(r.mode_before_deny, reason ?? null, by, new Date().toISOString(), studyId);
    return true;
  }

  /** Sets the study's mode (a stopped study stays stopped: stopping is final, as at the hub). */
  setMode(studyId: string, mode: ApprovalMode, by: string, reason?: string): void {
    this.db
      .prepare(
        `INSERT INTO studies (study_id, mode, stopped_at, reason, decided_by, updated_at) VALUES (?, ?, NULL, ?, ?, ?)
         ON CONFLICT (study_id) DO UPDATE SET mode = excluded.mode, reason = excluded.reason,
           decided_by = excluded.decided_by, updated_at = excluded.updated_at`,
      )
      .run(studyId, mode, reason ?? null, by, new Date().toISOString());
  }

  /** Stops the study at this node: every run of it is refused from now on. */
  stop(studyId: string, by: string, reason?: string): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO studies (study_id, mode, stopped_at, reason, decided_by, updated_at) VALUES (?, NULL, ?, ?, ?, ?)
         ON CONFLICT (study_id) DO UPDATE SET stopped_at = coalesce(studies.stopped_at, excluded.stopped_at),
           reason = excluded.reason, decided_by = excluded.decided_by, updated_at = excluded.updated_at`,
      )
      .run(studyId, now, reason ?? null, by, now);
  }

  algorithmDecision(k: AlgorithmKey): { decision: 'approved' | 'denied'; reason: string | null } | undefined {
    return this.db
      .prepare(
        'SELECT decision, reason FROM algorithm_decisions WHERE study_id = ? AND algorithm = ? AND version = ? AND digest = ?',
      )
      .get(k.studyId, k.algorithm, k.version, k.digest) as
      | { decision: 'approved' | 'denied'; reason: string | null }
      | undefined;
  }

  decideAlgorithm(k: AlgorithmKey, decision: 'approved' | 'denied', by: string, reason?: string): void {
    this.db
      .prepare(
        `INSERT INTO algorithm_decisions (study_id, algorithm, version, digest, decision, reason, decided_by, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (study_id, algorithm, version, digest) DO UPDATE SET decision = excluded.decision,
           reason = excluded.reason, decided_by = excluded.decided_by, at = excluded.at`,
      )
      .run(
        k.studyId,
        k.algorithm,
        k.version,
        k.digest,
        decision,
        reason ?? null,
        by,
        new Date().toISOString(),
      );
  }

  /** Decisions recorded for a study (or all), newest first. */
  decisions(
    studyId?: string,
  ): Array<AlgorithmKey & { decision: string; reason: string | null; decidedBy: string; at: string }> {
    const rows = (
      studyId
        ? this.db
            .prepare('SELECT * FROM algorithm_decisions WHERE study_id = ? ORDER BY at DESC')
            .all(studyId)
        : this.db.prepare('SELECT * FROM algorithm_decisions ORDER BY at DESC').all()
    ) as Array<Record<string, string | null>>;
    return rows.map((r) => ({
      studyId: r.study_id!,
      algorithm: r.algorithm!,
      version: r.version!,
      digest: r.digest!,
      decision: r.decision!,
      reason: r.reason ?? null,
      decidedBy: r.decided_by!,
      at: r.at!,
    }));
  }

  addPending(p: Omit<PendingRun, 'releasedAt'>): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO pending (run_id, attempt, task_id, study_id, study_title, algorithm, version, digest,
           params, variables, requester, since, released_at, permission)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      )
      .run(
        p.runId,
        p.attempt,
        p.taskId,
        p.studyId,
        p.studyTitle,
        p.algorithm,
        p.version,
        p.digest,
        JSON.stringify(p.params),
        JSON.stringify(p.variables),
        p.requester ? JSON.stringify(p.requester) : null,
        p.since,
        p.permission ? JSON.stringify(p.permission) : null,
      );
  }

  /** Runs held for a decision (not yet handed back to the hub), oldest first; of one study when given. */
  pending(studyId?: string): PendingRun[] {
    const rows = (
      studyId
        ? this.db
            .prepare('SELECT * FROM pending WHERE released_at IS NULL AND study_id = ? ORDER BY since')
            .all(studyId)
        : this.db.prepare('SELECT * FROM pending WHERE released_at IS NULL ORDER BY since').all()
    ) as Array<Record<string, string | number | null>>;
    return rows.map((r) => ({
      runId: String(r.run_id),
      attempt: Number(r.attempt),
      taskId: String(r.task_id),
      studyId: String(r.study_id),
      studyTitle: String(r.study_title),
      algorithm: String(r.algorithm),
      version: String(r.version),
      digest: String(r.digest),
      params: JSON.parse(String(r.params)) as Json,
      variables: JSON.parse(String(r.variables)) as string[],
      requester: r.requester ? (JSON.parse(String(r.requester)) as Requester) : null,
      since: String(r.since),
      releasedAt: null,
      permission: r.permission ? (JSON.parse(String(r.permission)) as StudyPermission) : undefined,
    }));
  }

  markReleased(runId: string): void {
    this.db
      .prepare('UPDATE pending SET released_at = ? WHERE run_id = ?')
      .run(new Date().toISOString(), runId);
  }

  close(): void {
    this.db.close();
  }
}
