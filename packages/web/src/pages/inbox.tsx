/**
 * The node-admin inbox: runs held for approval at the admin's nodes (algorithm, version, digest, parameters,
 * variables requested, requester) with approve / deny / stop study; the studies the node takes part in,
 * whose algorithm versions can be approved in advance; and the decisions recorded with the node's answer.
 * The node stays the authority: it applies a decision on its next contact with the hub, and says so.
 */
import type {
  AlgorithmInfo,
  ApprovalDecision,
  ApprovalDecisionRequest,
  ApprovalState,
  HubNode,
  PendingApproval,
  Study,
} from '@fedhub/protocol';
import { type ReactNode, useRef, useState } from 'react';
import { withAdminSignature } from '../api/admin-signing.js';
import { type ApprovalRow, approvalRows, pendingGroups } from '../api/approvals.js';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { pendingKey, studyAtNode, visiblePendingGroups } from '../api/study-at-node.js';
import { shortDateTime } from '../api/time.js';
import { AdminKeyPanel } from './admin-key-panel.js';
import { ApprovalPolicyLine } from './approval-policy.js';
import { AppliedNote, ApprovalBadge } from './approval-state.js';
import { ConfirmAction } from './confirm-action.js';
import { StudyNodeStateLine } from './study-node-state.js';

type Decide = (body: ApprovalDecisionRequest) => Promise<ApprovalDecision>;

/** What a deny or a stop does, shown before it is sent (issue 20: deny needs confirmation and says its scope). */
export interface DecisionTexts {
  deny: { label: string; explanation: ReactNode };
  stop: { explanation: ReactNode };
}

/**
 * A reason field and the decision buttons; deny and stop need the reason (sent on and audited) and a
 * confirmation that says what they cover; `lift` replaces approve while the study is denied at the node.
 */
function DecisionBar(props: {
  id: string;
  decide: Decide;
  approve?: { label: string; bodies: ApprovalDecisionRequest[] };
  lift?: { body: ApprovalDecisionRequest; explanation: ReactNode };
  deny?: ApprovalDecisionRequest;
  stop: ApprovalDecisionRequest;
  texts: DecisionTexts;
  nodeName: string;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hasReason = () => {
    if (reason.trim().length >= 3) return true;
    setError('Give a reason (at least 3 characters): the requester sees it and the audit trail keeps it.');
    document.getElementById(`${props.id}-reason`)?.focus();
    return false;
  };
  const run = async (bodies: ApprovalDecisionRequest[]) => {
    setBusy(true);
    setError(null);
    try {
      for (const b of bodies) await props.decide(reason.trim() ? { ...b, reason: reason.trim() } : b);
      setReason('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <div className="field">
        <label htmlFor={`${props.id}-reason`}>Reason (required to deny or stop)</label>
        <input
          id={`${props.id}-reason`}
          value={reason}
          aria-describedby={error ? `${props.id}-error` : undefined}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <div className="row wrap">
        {props.lift ? (
          <ConfirmAction
            label="Lift the deny"
            confirmLabel="Lift the deny"
            testId="lift-deny"
            disabled={busy}
            explanation={props.lift.explanation}
            onConfirm={() => props.lift && run([props.lift.body])}
          />
        ) : (
          props.approve && (
            <button
              type="button"
              disabled={busy || props.approve.bodies.length === 0}
              onClick={() => props.approve && run(props.approve.bodies)}
            >
              {props.approve.label}
            </button>
          )
        )}
        {props.deny && (
          <ConfirmAction
            label={props.texts.deny.label}
            confirmLabel="Confirm deny"
            className="secondary"
            testId="deny"
            disabled={busy}
            precheck={hasReason}
            explanation={props.texts.deny.explanation}
            onConfirm={() => props.deny && run([props.deny])}
          />
        )}
        <ConfirmAction
          label={`Stop study at ${props.nodeName}`}
          confirmLabel="Stop the study for good"
          className="danger"
          testId="stop-study"
          disabled={busy}
          precheck={hasReason}
          explanation={props.texts.stop.explanation}
          onConfirm={() => run([props.stop])}
        />
      </div>
      {error && (
        <p id={`${props.id}-error`} role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

const stopText = (title: string, node: string) => (
  <p>
    Stopping “{title}” at {node} refuses every run of the study at {node} for good: a stop cannot be lifted.
    To pause the study, deny it instead.
  </p>
);

const safeId = (s: string) => s.replace(/[^\w-]/g, '_');

function PendingCard({ node, group, decide }: { node: HubNode; group: PendingApproval[]; decide: Decide }) {
  const a = group[0]!;
  const id = safeId(`pending-${node.id}-${a.studyId}-${a.algorithm}-${a.version}`);
  const forAlgo = { studyId: a.studyId, algorithm: a.algorithm, version: a.version };
  return (
    <article className="card" data-testid="pending-approval" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>
        {a.algorithm} {a.version} for “{a.studyTitle}”
      </h4>
      <dl className="summary">
        <dt>Study</dt>
        <dd>
          <a href={`#/studies/${a.studyId}`}>{a.studyTitle}</a>
        </dd>
        <dt>Algorithm</dt>
        <dd>
          {a.algorithm} {a.version}
        </dd>
        <dt>Digest</dt>
        <dd className="mono small">{a.digest}</dd>
        <dt>Requested by</dt>
        <dd data-testid="pending-requester">
          {a.requester?.username ?? 'unknown'} · waiting since {shortDateTime(a.since)}
          {group.length > 1 && ` · ${group.length} runs`}
        </dd>
        <dt>Why it waits</dt>
        <dd>{a.reason}</dd>
        <dt>Variables requested</dt>
        <dd className="mono small" data-testid="pending-variables">
          {a.variables.join(', ') || '–'}
        </dd>
        <dt>Parameters</dt>
        <dd>
          <pre className="json" data-testid="pending-params">
            {JSON.stringify(a.params, null, 2)}
          </pre>
        </dd>
      </dl>
      <DecisionBar
        id={id}
        decide={decide}
        nodeName={node.name}
        approve={{
          label: `Approve ${a.algorithm} ${a.version}`,
          bodies: [{ ...forAlgo, decision: 'approve' }],
        }}
        deny={{ ...forAlgo, decision: 'deny' }}
        stop={{ studyId: a.studyId, decision: 'stop' }}
        texts={{
          deny: {
            label: `Deny ${a.algorithm} ${a.version}`,
            explanation: (
              <p>
                Denying {a.algorithm} {a.version} for “{a.studyTitle}” at {node.name} refuses its waiting runs
                and every later run of this algorithm version in this study; other algorithms of the study are
                not affected (to refuse the whole study, deny it under “Studies at {node.name}”). You can lift
                it later by approving the version.
              </p>
            ),
          },
          stop: { explanation: stopText(a.studyTitle, node.name) },
        }}
      />
    </article>
  );
}

/** The algorithm versions a study allows, at the hub's current versions. */
function studyVersions(
  s: Study,
  algorithms: readonly AlgorithmInfo[],
): Array<{ name: string; version: string }> {
  if (s.algorithms === null) return algorithms.map((a) => ({ name: a.name, version: a.version }));
  const current = new Map(algorithms.map((a) => [a.name, a.version]));
  return s.algorithms.flatMap((a) => {
    const v = a.version ?? current.get(a.name);
    return v ? [{ name: a.name, version: v }] : [];
  });
}

function StudyAtNode(props: {
  node: HubNode;
  s: Study;
  algorithms: readonly AlgorithmInfo[];
  rows: readonly ApprovalRow[];
  state: ApprovalState;
  decide: Decide;
}) {
  const { node, s, rows, decide } = props;
  const id = safeId(`study-${node.id}-${s.id}`);
  const versions = studyVersions(s, props.algorithms);
  const atNode = studyAtNode(props.state, node.id, s.id);
  const overridden = atNode.current.state !== 'open';
  const latest = (name: string, version: string) =>
    rows.find(
      (r) => r.studyId === s.id && r.algorithm === name && r.version === version && r.state !== 'waiting',
    );
  // an approval the node rejected (unsigned) leaves the version open
  const open = versions.filter((v) => {
    const r = latest(v.name, v.version);
    return r?.state !== 'approved' || r.applied === 'rejected';
  });
  const approvedBefore = versions.filter((v) => {
    const r = latest(v.name, v.version);
    return r?.state === 'approved' && r.applied === 'applied';
  });
  return (
    <article className="card" data-testid="study-at-node" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>
        <a href={`#/studies/${s.id}`}>{s.title}</a>
      </h4>
      <StudyNodeStateLine summary={atNode} nodeName={node.name} />
      <table className="compact">
        <caption className="sr-only">
          Algorithm versions of {s.title} at {node.name}
        </caption>
        <thead>
          <tr>
            <th scope="col">algorithm</th>
            <th scope="col">version</th>
            <th scope="col">decision</th>
            <th scope="col">at the node</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const r = latest(v.name, v.version);
            return (
              <tr key={`${v.name}@${v.version}`} data-testid="study-algorithm-row">
                <th scope="row">{v.name}</th>
                <td>{v.version}</td>
                <td>
                  {r && r.applied !== 'rejected' ? (
                    <ApprovalBadge state={r.state} />
                  ) : (
                    <span className="muted">none in force</span>
                  )}
                  {overridden && r?.state === 'approved' && r.applied === 'applied' && (
                    <span className="muted small" data-testid="version-overridden">
                      {' '}
                      (not in force: the study is {atNode.current.state} at this node)
                    </span>
                  )}
                </td>
                <td>{r && <AppliedNote applied={r.applied} note={r.note} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {atNode.current.state !== 'stopped' && (
        <DecisionBar
          id={id}
          decide={decide}
          nodeName={node.name}
          approve={{
            label:
              open.length === 0
                ? 'All algorithm versions approved'
                : `Approve ${open.length} algorithm version${open.length === 1 ? '' : 's'} in advance`,
            bodies: open.map((v) => ({
              studyId: s.id,
              decision: 'approve' as const,
              algorithm: v.name,
              version: v.version,
            })),
          }}
          lift={
            atNode.current.state === 'denied'
              ? {
                  body: { studyId: s.id, decision: 'approve' },
                  explanation: (
                    <p>
                      Lifting the deny lets {node.name} run “{s.title}” again under the decisions from before
                      the deny:{' '}
                      {approvedBefore.length > 0
                        ? `${approvedBefore.map((v) => `${v.name} ${v.version}`).join(', ')} run${approvedBefore.length === 1 ? 's' : ''} without asking again`
                        : 'no algorithm version is approved yet, so runs wait for your approval'}
                      , and the node's approval mode for the study is back to what it was.
                    </p>
                  ),
                }
              : undefined
          }
          deny={atNode.current.state === 'denied' ? undefined : { studyId: s.id, decision: 'deny' }}
          stop={{ studyId: s.id, decision: 'stop' }}
          texts={{
            deny: {
              label: 'Deny the whole study',
              explanation: (
                <p>
                  Denying “{s.title}” at {node.name} applies to the whole study: every run of every algorithm
                  is refused at {node.name}, including the versions approved so far, until you lift the deny.
                  The approvals are kept and hold again once it is lifted.
                </p>
              ),
            },
            stop: { explanation: stopText(s.title, node.name) },
          }}
        />
      )}
    </article>
  );
}

function Decisions({ rows }: { rows: readonly ApprovalRow[] }) {
  const decided = rows.filter((r) => r.state !== 'waiting');
  if (decided.length === 0) return null;
  return (
    <details>
      <summary>Decisions recorded ({decided.length})</summary>
      <table className="compact" data-testid="decided-approvals">
        <thead>
          <tr>
            <th scope="col">algorithm</th>
            <th scope="col">version</th>
            <th scope="col">decision</th>
            <th scope="col">by</th>
            <th scope="col">when</th>
            <th scope="col">at the node</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((r) => (
            <tr key={`${r.studyId}-${r.algorithm}-${r.version}-${r.at}`}>
              <th scope="row">{r.algorithm ?? 'whole study'}</th>
              <td>{r.version ?? '–'}</td>
              <td>
                <ApprovalBadge state={r.state} />
              </td>
              <td>{r.by}</td>
              <td>{shortDateTime(r.at)}</td>
              <td>
                <AppliedNote applied={r.applied} note={r.note} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function NodeInbox({
  node,
  studies,
  algorithms,
}: {
  node: HubNode;
  studies: Study[];
  algorithms: AlgorithmInfo[];
}) {
  const { client } = useSession();
  const state = useLoad<ApprovalState>(() => client.nodeApprovals(node.id), [node.id], 5000);
  // held-run groups decided in this page: they leave the list at once (key -> decisions sent)
  const [decided, setDecided] = useState<ReadonlyMap<string, readonly string[]>>(new Map());
  const decide: Decide = async (body) => {
    // signed with the administrator key loaded in this tab, where one is (admin-key-panel.tsx)
    const d = await client.decideApproval(node.id, await withAdminSignature(node.id, body));
    state.reload();
    return d;
  };
  // a decision's card leaves the list when the button is pressed, not when the hub has answered (under
  // load that is seconds); should the hub refuse it, the card comes back with the reason above the list
  const sending = useRef(0);
  const [failure, setFailure] = useState<string | null>(null);
  const decideGroup =
    (group: PendingApproval[]): Decide =>
    async (body) => {
      const k = pendingKey(group[0]!);
      const placeholder = `sending:${++sending.current}`;
      setFailure(null);
      setDecided((m) => new Map([...m, [k, [...(m.get(k) ?? []), placeholder]]]));
      try {
        const d = await decide(body);
        setDecided(
          (m) => new Map([...m, [k, (m.get(k) ?? []).map((id) => (id === placeholder ? d.id : id))]]),
        );
        return d;
      } catch (err) {
        setDecided((m) => {
          const rest = (m.get(k) ?? []).filter((id) => id !== placeholder);
          const next = new Map(m);
          if (rest.length > 0) next.set(k, rest);
          else next.delete(k);
          return next;
        });
        setFailure(`The decision was not recorded: ${errorText(err)}`);
        throw err;
      }
    };
  if (state.error)
    return (
      <p role="alert" className="error">
        {errorText(state.error)}
      </p>
    );
  const data = state.data;
  if (!data) return <p>Loading…</p>;
  const rows = approvalRows(data, new Map([[node.id, node.name]]));
  const groups = visiblePendingGroups(pendingGroups(data.pending), decided, data.decisions);
  const mine = studies.filter((s) => s.status === 'active' && s.nodeIds.includes(node.id));
  return (
    <>
      <h3 data-testid="pending-count">Waiting for your decision ({groups.length})</h3>
      {failure && (
        <p role="alert" className="error" data-testid="decision-failure">
          {failure}
        </p>
      )}
      {groups.length === 0 ? (
        <p className="muted" data-testid="inbox-empty">
          Nothing waits for your decision: runs that {node.name} holds for approval appear here.
        </p>
      ) : (
        groups.map((g) => (
          <PendingCard
            key={`${g[0]!.studyId}-${g[0]!.algorithm}-${g[0]!.version}`}
            node={node}
            group={g}
            decide={decideGroup(g)}
          />
        ))
      )}
      <h3>Studies at {node.name}</h3>
      {mine.length === 0 && (
        <p className="muted" data-testid="no-study-at-node">
          No active study includes {node.name}. A study lists the nodes it runs at when a researcher of the
          collaboration creates it; it appears here then.
        </p>
      )}
      {mine.map((s) => (
        <StudyAtNode
          key={s.id}
          node={node}
          s={s}
          algorithms={algorithms}
          rows={rows.filter((r) => r.studyId === s.id)}
          state={data}
          decide={decide}
        />
      ))}
      <Decisions rows={rows} />
    </>
  );
}

/** The inbox (`#/inbox`). */
export function Inbox() {
  const { client, me } = useSession();
  const nodes = useLoad(() => client.listNodes(), []);
  const studies = useLoad(() => client.listStudies(), []);
  const algorithms = useLoad(() => client.listAlgorithms(), []);
  const mine = (nodes.data ?? []).filter(
    (n) => me.roles.includes('hub-admin') || n.organisationId === me.organisationId,
  );
  const error = nodes.error ?? studies.error ?? algorithms.error;
  return (
    <section>
      <h1>Approvals inbox</h1>
      <p className="muted">
        Decisions recorded here reach the node on its next contact with the hub. The node honours a relayed
        decision only when it is signed by an administrator key enrolled at the node: load your key below and
        every decision taken here is signed with it. Without a key a decision is recorded at the hub, the node
        rejects it (shown as “rejected by the node”) and the runs keep waiting. You can also decide with your
        key from the command line (<code>fedhub node admins decide</code>) or at the node (
        <code>fedhub node approve</code>); the node keeps every decision in its own audit log.
      </p>
      <AdminKeyPanel />
      {error ? (
        <p role="alert" className="error">
          {errorText(error)}
        </p>
      ) : null}
      {nodes.data && mine.length === 0 && (
        <p data-testid="inbox-no-node">
          Your organisation runs no node yet, so nothing waits for your approval. A hub administrator creates
          a node for your organisation in a collaboration and gives your hospital its enrolment token.
        </p>
      )}
      {mine.map((n) => (
        <section key={n.id} aria-labelledby={`inbox-${n.id}`} data-testid="inbox-node">
          <h2 id={`inbox-${n.id}`}>
            {n.name} <span className={`status status-${n.status}`}>{n.status}</span>
          </h2>
          <ApprovalPolicyLine node={n} />
          <NodeInbox node={n} studies={studies.data ?? []} algorithms={algorithms.data ?? []} />
          <h3>Released outputs and privacy budget</h3>
          <p className="muted small" data-testid="node-ledger-note">
            The node keeps its released-output log, differential-privacy budget and query quota in its own
            data directory, and the hub does not relay them: read them at the node (its audit log records
            every release and every budget charge).
          </p>
        </section>
      ))}
    </section>
  );
}
