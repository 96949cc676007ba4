/**
 * Approval state per node and algorithm version, derived from what the hub relays (runs a node holds for
 * approval, and the decisions node-admins recorded with the node's acknowledgement). The node is the
 * authority: a decision counts once the node has applied it, which the rows say.
 */
import type { ApprovalDecision, ApprovalState, PendingApproval } from '@fedhub/protocol';

/** What a row says about one (node, study, algorithm version), or a whole study when `algorithm` is null. */
export type RowState = 'waiting' | 'approved' | 'denied' | 'stopped';

/** Whether the node applied the decision. */
export type Applied = 'applied' | 'rejected' | 'not yet';

export interface ApprovalRow {
  nodeId: string;
  nodeName: string;
  studyId: string;
  algorithm: string | null;
  version: string | null;
  digest: string | null;
  state: RowState;
  /** for decisions: the node's answer; for waiting rows: null */
  applied: Applied | null;
  /** the node's reason when it rejected a relayed decision, else the decider's or the holder's reason */
  note: string | null;
  by: string | null;
  at: string;
  /** number of runs held (waiting rows) */
  runs: number;
}

const STATE: Readonly<Record<ApprovalDecision['decision'], RowState>> = {
  approve: 'approved',
  deny: 'denied',
  stop: 'stopped',
};

const key = (nodeId: string, studyId: string, algorithm: string | null, version: string | null) =>
  `${nodeId}\u0000${studyId}\u0000${algorithm ?? ''}\u0000${version ?? ''}`;

function decisionRow(d: ApprovalDecision, nodeName: string): ApprovalRow {
  return {
    nodeId: d.nodeId,
    nodeName,
    studyId: d.studyId,
    algorithm: d.algorithm,
    version: d.version,
    digest: d.digest,
    state: STATE[d.decision],
    applied: d.ack === null ? 'not yet' : d.ack.applied ? 'applied' : 'rejected',
    note: d.ack && !d.ack.applied ? d.ack.reason : d.reason,
    by: d.decidedBy.username,
    at: d.createdAt,
    runs: 0,
  };
}

/**
 * One row per (node, study, algorithm version) holding runs, and one per the latest decision on each
 * (node, study, algorithm version or whole study); a stop covers the whole study and hides nothing else.
 * Rows come per node in `nodeOrder` (unknown nodes last), waiting rows first, then newest first.
 */
export function approvalRows(
  state: ApprovalState,
  nodeNames: ReadonlyMap<string, string>,
  nodeOrder: readonly string[] = [],
): ApprovalRow[] {
  const waiting = new Map<string, ApprovalRow>();
  for (const p of state.pending) {
    const k = key(p.nodeId, p.studyId, p.algorithm, p.version);
    const row = waiting.get(k);
    if (row) {
      row.runs += 1;
      if (p.since < row.at) row.at = p.since;
    } else
      waiting.set(k, {
        nodeId: p.nodeId,
        nodeName: p.nodeName,
        studyId: p.studyId,
        algorithm: p.algorithm,
        version: p.version,
        digest: p.digest,
        state: 'waiting',
        applied: null,
        note: p.reason,
        by: p.requester?.username ?? null,
        at: p.since,
        runs: 1,
      });
  }
  const latest = new Map<string, ApprovalDecision>();
  for (const d of state.decisions) {
    const k = key(d.nodeId, d.studyId, d.algorithm, d.version);
    const cur = latest.get(k);
    if (!cur || cur.createdAt <= d.createdAt) latest.set(k, d);
  }
  const rows = [
    ...waiting.values(),
    ...[...latest.values()].map((d) => decisionRow(d, nodeNames.get(d.nodeId) ?? d.nodeId)),
  ];
  const rank = (id: string) => {
    const i = nodeOrder.indexOf(id);
    return i < 0 ? nodeOrder.length : i;
  };
  return rows.sort(
    (a, b) =>
      rank(a.nodeId) - rank(b.nodeId) ||
      a.nodeName.localeCompare(b.nodeName) ||
      Number(b.state === 'waiting') - Number(a.state === 'waiting') ||
      b.at.localeCompare(a.at),
  );
}

/** The held runs grouped per (study, algorithm version) for the inbox: one decision covers them all. */
export function pendingGroups(pending: readonly PendingApproval[]): PendingApproval[][] {
  const groups = new Map<string, PendingApproval[]>();
  for (const p of pending) {
    const k = key(p.nodeId, p.studyId, p.algorithm, p.version);
    const g = groups.get(k) ?? [];
    g.push(p);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => (a[0]?.since ?? '').localeCompare(b[0]?.since ?? ''));
}
