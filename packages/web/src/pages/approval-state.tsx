/** An approval state as a labelled badge (text, not colour alone). */
import type { ApprovalState as State } from '../api/approvals.js';

const LABEL: Readonly<Record<State, string>> = {
  pending: 'waiting for approval',
  approved: 'approved',
  denied: 'denied',
  stopped: 'study stopped',
};

/** The badge. */
export function ApprovalState({ state }: { state: State }) {
  return (
    <span className={`status status-approval-${state}`} data-testid={`approval-${state}`}>
      {LABEL[state]}
    </span>
  );
}
