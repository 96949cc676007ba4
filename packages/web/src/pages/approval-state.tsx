/** Approval states as labelled badges (text, not colour alone). */
import type { Applied, RowState } from '../api/approvals.js';

const LABEL: Readonly<Record<RowState, string>> = {
  waiting: 'waiting for approval',
  approved: 'approved',
  denied: 'denied',
  stopped: 'study stopped',
};

/** The state badge. */
export function ApprovalBadge({ state }: { state: RowState }) {
  return (
    <span className={`status status-approval-${state}`} data-testid={`approval-${state}`}>
      {LABEL[state]}
    </span>
  );
}

/** Whether the node applied a relayed decision. */
export function AppliedNote({ applied, note }: { applied: Applied | null; note: string | null }) {
  if (applied === null) return null;
  if (applied === 'applied') return <span className="ok">applied at the node</span>;
  if (applied === 'not yet') return <span className="muted">not yet applied at the node</span>;
  return <span className="error">rejected by the node{note ? `: ${note}` : ''}</span>;
}
