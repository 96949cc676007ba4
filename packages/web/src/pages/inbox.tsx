/**
 * The node-admin inbox: pending approvals at the admin's nodes (algorithm, version, digest, parameters,
 * variables requested, requester) with approve / deny / stop study, and what was decided before. The node
 * stays the authority: a decision recorded here is applied by the node on its next contact with the hub.
 */
import type { HubNode } from '@fedhub/protocol';
import { type FormEvent, useState } from 'react';
import { type Approval, type Decision, isMissingRoute } from '../api/approvals.js';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { ApprovalState } from './approval-state.js';

const DECISION_LABEL: Readonly<Record<Decision, string>> = {
  approve: 'Approve',
  deny: 'Deny',
  'stop-study': 'Stop study',
};

function PendingItem({ node, a, onDone }: { node: HubNode; a: Approval; onDone: () => void }) {
  const { approvals } = useSession();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `${node.id}-${a.studyId}-${a.algorithm ?? 'study'}-${a.version ?? ''}`.replace(/[^\w-]/g, '_');
  const decide = (decision: Decision) => (e?: FormEvent) => {
    e?.preventDefault();
    if (decision !== 'approve' && reason.trim().length < 3) {
      setError(`${DECISION_LABEL[decision]} needs a reason (it is sent to the requester and audited).`);
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    approvals
      .decide(node.id, {
        studyId: a.studyId,
        decision,
        ...(decision !== 'stop-study' && a.algorithm ? { algorithm: a.algorithm } : {}),
        ...(decision !== 'stop-study' && a.version ? { version: a.version } : {}),
        ...(decision !== 'stop-study' && a.digest ? { digest: a.digest } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      })
      .then(onDone)
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  return (
    <article className="card" data-testid="pending-approval" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {a.studyTitle ?? a.studyId} — {a.algorithm ?? 'whole study'} {a.version ?? ''}
      </h3>
      <dl className="summary">
        <dt>Node</dt>
        <dd>{node.name}</dd>
        <dt>Study</dt>
        <dd>
          <a href={`#/studies/${a.studyId}`}>{a.studyTitle ?? a.studyId}</a>
        </dd>
        <dt>Algorithm</dt>
        <dd>
          {a.algorithm ?? '–'} {a.version ?? ''}
        </dd>
        <dt>Digest</dt>
        <dd className="mono small">{a.digest ?? '–'}</dd>
        <dt>Requested by</dt>
        <dd>
          {a.requester ?? 'unknown'} {a.requestedAt ? `at ${shortDateTime(a.requestedAt)}` : ''}
        </dd>
        <dt>Variables requested</dt>
        <dd className="mono small" data-testid="approval-variables">
          {a.variables?.length ? a.variables.join(', ') : '–'}
        </dd>
        <dt>Parameters</dt>
        <dd>
          {a.params !== undefined && a.params !== null ? (
            <pre className="json">{JSON.stringify(a.params, null, 2)}</pre>
          ) : (
            '–'
          )}
        </dd>
      </dl>
      <form className="stack" onSubmit={decide('approve')} aria-label={`Decide on ${a.algorithm ?? 'study'}`}>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (required to deny or stop)</label>
          <input
            id={`${id}-reason`}
            value={reason}
            aria-describedby={error ? `${id}-error` : undefined}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        <div className="row">
          <button type="submit" disabled={busy}>
            Approve
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => decide('deny')()}>
            Deny
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => decide('stop-study')()}>
            Stop study at {node.name}
          </button>
        </div>
        {error && (
          <p id={`${id}-error`} role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </article>
  );
}

function NodeInbox({ node }: { node: HubNode }) {
  const { approvals } = useSession();
  const list = useLoad(() => approvals.list(node.id), [node.id], 10_000);
  if (list.error)
    return isMissingRoute(list.error) ? (
      <p className="muted" data-testid="approvals-unavailable">
        This hub does not relay approvals; decide at the node with <code>fedhub node approvals</code>.
      </p>
    ) : (
      <p role="alert" className="error">
        {errorText(list.error)}
      </p>
    );
  if (!list.data) return <p>Loading…</p>;
  const pending = list.data.filter((a) => a.state === 'pending');
  const decided = list.data.filter((a) => a.state !== 'pending');
  return (
    <>
      {pending.length === 0 ? (
        <p className="muted">Nothing waits for your decision.</p>
      ) : (
        pending.map((a) => (
          <PendingItem
            key={`${a.studyId}-${a.algorithm}-${a.version}-${a.digest}`}
            node={node}
            a={a}
            onDone={list.reload}
          />
        ))
      )}
      {decided.length > 0 && (
        <details>
          <summary>Decided ({decided.length})</summary>
          <table className="compact" data-testid="decided-approvals">
            <thead>
              <tr>
                <th scope="col">study</th>
                <th scope="col">algorithm</th>
                <th scope="col">version</th>
                <th scope="col">state</th>
                <th scope="col">by</th>
                <th scope="col">when</th>
                <th scope="col">reason</th>
              </tr>
            </thead>
            <tbody>
              {decided.map((a) => (
                <tr key={`${a.studyId}-${a.algorithm}-${a.version}-${a.digest}-${a.decidedAt}`}>
                  <th scope="row">
                    <a href={`#/studies/${a.studyId}`}>{a.studyTitle ?? a.studyId}</a>
                  </th>
                  <td>{a.algorithm ?? 'whole study'}</td>
                  <td>{a.version ?? '–'}</td>
                  <td>
                    <ApprovalState state={a.state} />
                  </td>
                  <td>{a.decidedBy ?? ''}</td>
                  <td>{shortDateTime(a.decidedAt ?? null)}</td>
                  <td>{a.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}

/** The inbox (`#/inbox`). */
export function Inbox() {
  const { client, me } = useSession();
  const nodes = useLoad(() => client.listNodes(), []);
  const mine = (nodes.data ?? []).filter(
    (n) => me.roles.includes('hub-admin') || n.organisationId === me.organisationId,
  );
  return (
    <section>
      <h1>Approvals inbox</h1>
      <p className="muted">
        Decisions recorded here reach the node on its next contact with the hub; the node applies them and
        keeps its own audit log.
      </p>
      {nodes.error ? (
        <p role="alert" className="error">
          {errorText(nodes.error)}
        </p>
      ) : null}
      {nodes.data && mine.length === 0 && <p>Your organisation runs no node.</p>}
      {mine.map((n) => (
        <section key={n.id} aria-labelledby={`inbox-${n.id}`} data-testid="inbox-node">
          <h2 id={`inbox-${n.id}`}>
            {n.name} <span className={`status status-${n.status}`}>{n.status}</span>
          </h2>
          <NodeInbox node={n} />
          <h3>Released outputs and privacy budget</h3>
          <p className="muted small" data-testid="node-ledger-note">
            The node keeps its released-output log, differential-privacy budget and query quota in its own
            data directory; the hub does not relay them. Read them at the node (its audit log records every
            release and charge).
          </p>
        </section>
      ))}
    </section>
  );
}
