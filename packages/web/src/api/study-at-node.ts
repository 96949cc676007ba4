/**
 * A study's state at one node as the node applied it (issue 20: after a deny the page showed every version
 * approved while the node refused every run). Only decisions the node acknowledged as applied count; a
 * newer decision the node has not applied yet, or rejected, is reported beside the state, never as it.
 * At the node a stop is final; a deny of the whole study refuses every run until it is lifted (approving
 * the study lifts it: the mode and the version approvals from before the deny hold again).
 */
import type { ApprovalDecision, ApprovalState, PendingApproval } from '@fedhub/protocol';

export type StudyNodeState =
  | { state: 'open'; lifted: { by: string; at: string } | null }
  | { state: 'denied' | 'stopped'; by: string; at: string; reason: string | null };

export interface StudyAtNodeSummary {
  current: StudyNodeState;
  /** The newest whole-study decision that is not (yet) in force: not applied yet, or rejected by the node. */
  unapplied: {
    decision: ApprovalDecision['decision'];
    status: 'not yet' | 'rejected';
    note: string | null;
    at: string;
  } | null;
}

const wholeStudy = (d: ApprovalDecision, nodeId: string, studyId: string) =>
  d.nodeId === nodeId && d.studyId === studyId && d.algorithm === null;

/** What holds for `studyId` at `nodeId`, from the decisions the hub relays with the node's answers. */
export function studyAtNode(state: ApprovalState, nodeId: string, studyId: string): StudyAtNodeSummary {
  const decisions = state.decisions
    .filter((d) => wholeStudy(d, nodeId, studyId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const applied = decisions.filter((d) => d.ack?.applied === true);
  let current: StudyNodeState = { state: 'open', lifted: null };
  for (const d of applied) {
    if (current.state === 'stopped') break; // final at the node
    if (d.decision === 'approve')
      current = {
        state: 'open',
        lifted: current.state === 'denied' ? { by: d.decidedBy.username, at: d.createdAt } : null,
      };
    else
      current = {
        state: d.decision === 'stop' ? 'stopped' : 'denied',
        by: d.decidedBy.username,
        at: d.createdAt,
        reason: d.reason,
      };
  }
  const newest = decisions.at(-1);
  const unapplied =
    newest && newest.ack?.applied !== true
      ? {
          decision: newest.decision,
          status: newest.ack === null ? ('not yet' as const) : ('rejected' as const),
          note: newest.ack?.reason ?? null,
          at: newest.createdAt,
        }
      : null;
  return { current, unapplied };
}

/** The key of a group of held runs (one decision covers them). */
export const pendingKey = (p: Pick<PendingApproval, 'nodeId' | 'studyId' | 'algorithm' | 'version'>) =>
  `${p.nodeId}\u0000${p.studyId}\u0000${p.algorithm}\u0000${p.version}`;

/**
 * The held-run groups still to show after the admin decided some in this page (`decidedBy`: group key to
 * the ids of the decisions sent for it): a decided group leaves the inbox at once, and comes back only when
 * the node rejected such a decision (the runs still wait, and the decisions list says why).
 */
export function visiblePendingGroups(
  groups: readonly PendingApproval[][],
  decidedBy: ReadonlyMap<string, readonly string[]>,
  decisions: readonly ApprovalDecision[],
): PendingApproval[][] {
  const rejected = new Set(decisions.filter((d) => d.ack !== null && !d.ack.applied).map((d) => d.id));
  return groups.filter((g) => {
    const first = g[0];
    if (!first) return false;
    const sent = decidedBy.get(pendingKey(first));
    return sent === undefined || sent.some((id) => rejected.has(id));
  });
}
