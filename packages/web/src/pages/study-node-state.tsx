/** One line saying what holds for a study at a node, as the node applied it (see api/study-at-node.ts). */
import type { StudyAtNodeSummary } from '../api/study-at-node.js';
import { shortDateTime } from '../api/time.js';

const VERB = { approve: 'approval', deny: 'deny', stop: 'stop' } as const;

export function StudyNodeStateLine({ summary, nodeName }: { summary: StudyAtNodeSummary; nodeName: string }) {
  const c = summary.current;
  return (
    <div data-testid="study-node-state" data-state={c.state}>
      {c.state === 'open' ? (
        <p>
          <span className="status status-approval-approved">open</span> {nodeName} runs the algorithm versions
          approved below; others wait for approval.
          {c.lifted && (
            <span className="muted small">
              {' '}
              Deny lifted by {c.lifted.by} on {shortDateTime(c.lifted.at)}.
            </span>
          )}
        </p>
      ) : (
        <p>
          <span className={`status status-approval-${c.state}`}>
            {c.state === 'denied' ? 'denied' : 'stopped'}
          </span>{' '}
          {nodeName} refuses every run of this study
          {c.state === 'denied' ? ' until the deny is lifted' : ' for good'}: {c.state} by {c.by} on{' '}
          {shortDateTime(c.at)}
          {c.reason ? ` (“${c.reason}”)` : ''}.
        </p>
      )}
      {summary.unapplied && (
        <p className={summary.unapplied.status === 'rejected' ? 'error small' : 'muted small'}>
          A {VERB[summary.unapplied.decision]} of the whole study recorded on{' '}
          {shortDateTime(summary.unapplied.at)}{' '}
          {summary.unapplied.status === 'rejected'
            ? `was rejected by the node${summary.unapplied.note ? `: ${summary.unapplied.note}` : ''}`
            : 'is not yet applied at the node (it is on its next contact with the hub)'}
          .
        </p>
      )}
    </div>
  );
}
