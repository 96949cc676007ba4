/**
 * A study: its permission summary, actions (run, edit, stop), approvals per node, tasks (paged; a study
 * with 1,000 tasks renders 50 rows), its models with their cards, and its audit trail (auditors).
 */
import { LEGAL_BASIS_TITLES, type Study } from '@fedhub/protocol';
import { type FormEvent, useState } from 'react';
import { approvalRows } from '../api/approvals.js';
import { studyAuditEvents } from '../api/audit.js';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { usePage } from '../pager.js';
import { AppliedNote, ApprovalBadge } from './approval-state.js';
import { StudyWizard } from './study-wizard.js';
import { TaskTable } from './task-list.js';

/** The permission the study grants, as a definition list. */
export function PermissionSummary({ s, nodeNames }: { s: Study; nodeNames: Map<string, string> }) {
  return (
    <dl className="summary" data-testid="study-permission">
      <dt>Status</dt>
      <dd>
        <span className={`status status-${s.status}`} data-testid="study-status">
          {s.status}
        </span>
        {s.stoppedAt && <> since {shortDateTime(s.stoppedAt)}</>}
      </dd>
      <dt>Legal basis</dt>
      <dd>
        {s.legalBasis.length === 0 ? (
          <span className="error">not declared</span>
        ) : (
          <ul className="plain">
            {s.legalBasis.map((b) => (
              <li key={b}>{LEGAL_BASIS_TITLES[b]}</li>
            ))}
          </ul>
        )}
        {s.legalBasisNote && <p className="muted small">{s.legalBasisNote}</p>}
      </dd>
      <dt>Ethics approval</dt>
      <dd>{s.ethicsApprovalRef ?? '–'}</dd>
      <dt>DPIA</dt>
      <dd>{s.dpiaRef ?? '–'}</dd>
      <dt>Data categories</dt>
      <dd>
        {s.dataCategories.join(', ') || '–'}
        {s.dataSubjectCategories.length > 0 && ` (of ${s.dataSubjectCategories.join(', ')})`}
      </dd>
      <dt>Variables</dt>
      <dd data-testid="study-variables">
        {s.variables === null
          ? 'not restricted'
          : s.variables.map((v) => (
              <div key={v.dataset}>
                <strong>{v.dataset}</strong>: <span className="mono small">{v.columns.join(', ')}</span>
              </div>
            ))}
      </dd>
      <dt>Algorithms</dt>
      <dd data-testid="study-algorithms">
        {s.algorithms === null
          ? 'not restricted'
          : s.algorithms.map((a) => `${a.name}${a.version ? ` ${a.version}` : ''}`).join(', ') || 'none'}
      </dd>
      <dt>Nodes</dt>
      <dd>
        {s.nodeIds.map((id) => nodeNames.get(id) ?? id).join(', ')} (at least {s.minNodes} per analysis)
      </dd>
      <dt>Period</dt>
      <dd>
        {s.startsAt ?? 'open start'} – {s.endsAt ?? 'open end'}
      </dd>
      <dt>Per-node breakdowns</dt>
      <dd>{s.releasePerNodeBreakdown ? 'may be released' : 'not released (pooled results only)'}</dd>
      <dt>Subgroup analyses</dt>
      <dd>{s.releaseSubgroupAnalyses ? 'allowed' : 'not allowed'}</dd>
    </dl>
  );
}

function StopStudy({ s, onStopped }: { s: Study; onStopped: () => void }) {
  const { client } = useSession();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!open)
    return (
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Stop study…
      </button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 3) {
      setError('Give the reason (at least 3 characters): it goes into the audit trail.');
      document.getElementById('stop-reason')?.focus();
      return;
    }
    client
      .stopStudy(s.id, reason.trim())
      .then(onStopped)
      .catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <form onSubmit={submit} className="stack" aria-label="Stop the study">
      <div className="field">
        <label htmlFor="stop-reason">Reason for stopping (final: no analysis can run afterwards)</label>
        <textarea
          id="stop-reason"
          rows={2}
          value={reason}
          aria-describedby={error ? 'stop-error' : undefined}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setReason(e.target.value)}
        />
        {error && (
          <p id="stop-error" className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="row">
        <button type="submit" className="danger">
          Stop the study now
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NodeApprovals({ s, nodeNames }: { s: Study; nodeNames: Map<string, string> }) {
  const { client } = useSession();
  const state = useLoad(() => client.studyApprovals(s.id), [s.id], 10_000);
  if (state.error)
    return (
      <p role="alert" className="error">
        {errorText(state.error)}
      </p>
    );
  if (!state.data) return <p>Loading approvals…</p>;
  const rows = approvalRows(state.data, nodeNames, s.nodeIds);
  const quiet = s.nodeIds.filter((id) => !rows.some((r) => r.nodeId === id));
  if (rows.length === 0)
    return (
      <p className="muted small" data-testid="approvals-empty">
        No approval has been requested or decided at any node of this study yet: each node runs what its
        automatic policy allows, or asks its data officer when the first task arrives.
      </p>
    );
  return (
    <>
      <table data-testid="approvals-table">
        <caption>Approval state per node and algorithm version</caption>
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">algorithm</th>
            <th scope="col">version</th>
            <th scope="col">digest</th>
            <th scope="col">state</th>
            <th scope="col">by</th>
            <th scope="col">when</th>
            <th scope="col">at the node</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={`${r.nodeId}-${r.algorithm ?? ''}-${r.version ?? ''}-${r.state}`}
              data-testid="approval-row"
            >
              <th scope="row">{r.nodeName}</th>
              <td>{r.algorithm ?? 'whole study'}</td>
              <td>{r.version ?? '–'}</td>
              <td className="mono small" title={r.digest ?? undefined}>
                {r.digest ? `${r.digest.slice(0, 12)}…` : '–'}
              </td>
              <td>
                <ApprovalBadge state={r.state} />
                {r.runs > 1 && ` (${r.runs} runs)`}
              </td>
              <td>{r.by ?? ''}</td>
              <td>{shortDateTime(r.at)}</td>
              <td>
                <AppliedNote applied={r.applied} note={r.note} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {quiet.length > 0 && (
        <p className="muted small">
          No request or decision recorded at {quiet.map((id) => nodeNames.get(id) ?? id).join(', ')}: such a
          node runs what its automatic policy allows, or has not been asked yet.
        </p>
      )}
    </>
  );
}

function StudyModels({ studyId }: { studyId: string }) {
  const { client } = useSession();
  const models = useLoad(() => client.listModels(), []);
  if (models.error) return <p className="error">{errorText(models.error)}</p>;
  const mine = (models.data ?? []).filter((m) => m.studyId === studyId);
  if (!models.data) return <p>Loading models…</p>;
  if (mine.length === 0) return <p className="muted">No model of this study is registered.</p>;
  return (
    <table data-testid="models-table">
      <thead>
        <tr>
          <th scope="col">model</th>
          <th scope="col">kind</th>
          <th scope="col">formula</th>
          <th scope="col">validations</th>
          <th scope="col">registered</th>
        </tr>
      </thead>
      <tbody>
        {mine.map((m) => (
          <tr key={m.id}>
            <th scope="row">
              <a href={`#/models/${encodeURIComponent(m.name)}/${m.version}`}>
                {m.name} v{m.version} (model card)
              </a>
            </th>
            <td>{m.kind}</td>
            <td className="mono small">{m.formula}</td>
            <td>{m.validations.length}</td>
            <td>{shortDateTime(m.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "node:<id>" as the node's name (the trail stores ids; auditors read names). */
function actorName(actor: string, nodeNames: ReadonlyMap<string, string>): string {
  const name = actor.startsWith('node:') ? nodeNames.get(actor.slice(5)) : undefined;
  return name ? `node ${name}` : actor;
}

function StudyAudit(props: {
  studyId: string;
  taskIds: readonly string[];
  nodeNames: ReadonlyMap<string, string>;
}) {
  const { studyId, taskIds } = props;
  const { audit } = useSession();
  const events = useLoad(() => audit.listAll(), [studyId]);
  // newest first: what happened last is what a reviewer opens the page for; seq keeps the chain order visible
  const mine = studyAuditEvents(events.data ?? [], studyId, taskIds).reverse();
  const page = usePage(mine, 100, 'Audit trail pages');
  if (events.error) return <p className="error">{errorText(events.error)}</p>;
  if (!events.data) return <p>Loading the audit trail…</p>;
  return (
    <>
      <table data-testid="study-audit" className="compact">
        <thead>
          <tr>
            <th scope="col">seq</th>
            <th scope="col">time</th>
            <th scope="col">actor</th>
            <th scope="col">action</th>
            <th scope="col">object</th>
          </tr>
        </thead>
        <tbody>
          {page.slice.map((e) => (
            <tr key={e.seq} data-testid="study-audit-row">
              <td>{e.seq}</td>
              <td>{shortDateTime(e.at)}</td>
              <td className="mono small" title={e.actor}>
                {actorName(e.actor, props.nodeNames)}
              </td>
              <td>{e.action}</td>
              <td className="mono small">{e.object}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.control}
    </>
  );
}

/** The study page; `edit` shows the wizard on the study instead. */
export function StudyPage({ id, edit = false }: { id: string; edit?: boolean }) {
  const { client, me } = useSession();
  const study = useLoad(() => client.getStudy(id), [id]);
  // the hub lists newest first; re-listed every 5 s while a task runs (so its status moves), else every 30 s
  const [pollMs, setPollMs] = useState(5000);
  const tasks = useLoad(
    async () => {
      const list = await client.listTasks(id);
      setPollMs(list.some((t) => t.status === 'running') ? 5000 : 30_000);
      return list;
    },
    [id],
    pollMs,
  );
  const nodes = useLoad(
    () => (study.data ? client.listNodes(study.data.collaborationId) : Promise.resolve([])),
    [study.data?.collaborationId],
  );
  const page = usePage(tasks.data ?? [], 50, 'Task pages');
  if (study.error)
    return (
      <p role="alert" className="error">
        {errorText(study.error)}
      </p>
    );
  if (!study.data) return <p>Loading study…</p>;
  const s = study.data;
  const isAdmin = me.roles.includes('hub-admin');
  const canManage =
    s.status === 'active' && (isAdmin || (s.createdBy === me.id && me.roles.includes('researcher')));
  if (edit && canManage) return <StudyWizard existing={s} />;
  const nodeNames = new Map((nodes.data ?? []).map((n) => [n.id, n.name]));
  const canAudit = isAdmin || me.roles.includes('auditor');
  return (
    <section>
      <h1 data-testid="study-title">{s.title}</h1>
      <p>{s.purpose}</p>
      <p className="muted">
        Created {shortDateTime(s.createdAt)} · updated {shortDateTime(s.updatedAt)}
      </p>
      <div className="row wrap">
        {s.status === 'active' && (me.roles.includes('researcher') || isAdmin) && (
          <a className="button" href={`#/run?study=${s.id}`}>
            Run an analysis
          </a>
        )}
        {canManage && (
          <a className="button secondary" href={`#/studies/${s.id}/edit`}>
            Edit study
          </a>
        )}
        {canManage && <StopStudy s={s} onStopped={study.reload} />}
      </div>
      <h2>Permission</h2>
      <PermissionSummary s={s} nodeNames={nodeNames} />
      <h2>Approvals per node</h2>
      <NodeApprovals s={s} nodeNames={nodeNames} />
      <h2>Tasks</h2>
      {tasks.error ? (
        <p role="alert" className="error">
          {errorText(tasks.error)}
        </p>
      ) : null}
      <TaskTable tasks={page.slice} />
      {page.control}
      <h2>Models</h2>
      <StudyModels studyId={s.id} />
      <h2>Audit trail</h2>
      {canAudit ? (
        <StudyAudit studyId={s.id} taskIds={(tasks.data ?? []).map((t) => t.id)} nodeNames={nodeNames} />
      ) : (
        <p className="muted">The audit trail is shown to auditors.</p>
      )}
    </section>
  );
}
