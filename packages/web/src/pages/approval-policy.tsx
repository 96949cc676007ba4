/** The node's approval mode, as the node reports it in its heartbeat (issue 20). */
import type { HubNode } from '@fedhub/protocol';

const MODE: Readonly<Record<string, string>> = {
  manual: 'manual: every algorithm version waits for your approval',
  automatic: 'automatic: runs within the automatic policy go ahead without asking; others wait for you',
  deny: 'deny: studies are refused unless you approve them',
};

export function ApprovalPolicyLine({ node }: { node: HubNode }) {
  const p = node.approvals;
  if (!p)
    return (
      <p className="muted small" data-testid="approval-policy">
        {node.name} has not reported its approval mode yet (it does at its next heartbeat; older node versions
        do not).
      </p>
    );
  return (
    <dl className="summary" data-testid="approval-policy">
      <dt>Approval mode</dt>
      <dd data-testid="approval-mode">{MODE[p.defaultMode] ?? p.defaultMode}</dd>
      {p.defaultMode === 'automatic' && (
        <>
          <dt>Automatic policy</dt>
          <dd>
            {p.automaticAlgorithms ? p.automaticAlgorithms.join(', ') : 'every built-in algorithm'}
            {p.maxVariables !== null ? `, at most ${p.maxVariables} columns` : ''}
          </dd>
        </>
      )}
      <dt>Decisions from the hub</dt>
      <dd>
        {p.acceptHubDecisions
          ? `applied when signed with an administrator key enrolled at ${node.name} (${p.enrolledAdminKeys} enrolled)`
          : `not accepted: decide at the node (fedhub node approve)`}
      </dd>
    </dl>
  );
}
