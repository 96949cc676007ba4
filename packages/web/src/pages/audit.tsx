/**
 * The auditor's view: the hash-chained audit trail in words (who, when, what, about what, details), filtered
 * at the hub by person, action and object, by date in the browser; the chain verification; CSV and JSON
 * export of what is shown.
 */
import { type FormEvent, useState } from 'react';
import { type AuditFilter, filterAudit } from '../api/audit.js';
import {
  ACTION_KINDS,
  ACTION_TEXT,
  actionText,
  actorText,
  auditCsv,
  detailsText,
  OBJECT_KINDS,
  objectText,
} from '../api/audit-text.js';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { usePage } from '../pager.js';
import { downloadBlob } from '../results/export.js';

const ACTIONS = Object.keys(ACTION_TEXT).sort();

/** The audit page. */
export function Audit() {
  const { audit } = useSession();
  const [username, setUsername] = useState('');
  const [applied, setApplied] = useState<AuditFilter>({});
  const [objectKind, setObjectKind] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const events = useLoad(() => audit.listAll(applied), [JSON.stringify(applied)]);
  const verify = useLoad(() => audit.verify(), []);
  const apply = (f: Partial<AuditFilter>) => {
    const next: AuditFilter = { ...applied, ...f };
    for (const k of Object.keys(next) as Array<keyof AuditFilter>) if (!next[k]) delete next[k];
    setApplied(next);
  };
  // newest first for reading; the exports keep chain order
  const shown = filterAudit(events.data ?? [], { from, to });
  const page = usePage([...shown].reverse(), 50);
  // the objects of the chosen kind among the events loaded, to pick one by name
  const objects = new Map<string, string>();
  if (objectKind)
    for (const e of events.data ?? [])
      if (e.object?.startsWith(`${objectKind}:`)) objects.set(e.object, objectText(e));
  const people = [
    ...new Set(
      (events.data ?? []).filter((e) => e.actor.startsWith('user:') && e.actorName).map((e) => e.actorName!),
    ),
  ].sort();
  const v = verify.data;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply({ username: username.trim() });
  };
  return (
    <section>
      <h1>Audit trail</h1>
      <p data-testid="audit-verify" className={v ? (v.ok ? 'ok' : 'error') : ''} aria-live="polite">
        {verify.error
          ? `Verification failed: ${errorText(verify.error)}`
          : !v
            ? 'Verifying the hash chain…'
            : v.ok
              ? `Chain verified: ${v.count} entries intact (head ${v.headHash.slice(0, 16)}…)`
              : `Chain BROKEN at entry ${v.broken?.seq}: ${v.broken?.reason}`}
      </p>
      <p className="muted small" data-testid="audit-scope">
        This trail shows the events of your organisation and of the collaborations it belongs to (a hub
        administrator sees every event). What a hospital's node decided and released is in that node's own
        chain, kept and verified at the node (<code>fedhub audit verify --node-config node.yaml</code>).
      </p>
      <form className="filters" aria-label="Audit filters" onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="audit-person">Person (username)</label>
          <input
            id="audit-person"
            list="audit-people"
            placeholder="e.g. rita"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            onBlur={() => apply({ username: username.trim() })}
          />
          <datalist id="audit-people">
            {people.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select
            id="audit-action"
            value={applied.action ?? ''}
            onChange={(e) => apply({ action: e.target.value })}
          >
            <option value="">any action</option>
            <optgroup label="All actions on">
              {ACTION_KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </optgroup>
            <optgroup label="One action">
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {actionText(a)} ({a})
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-object-kind">About</label>
          <select
            id="audit-object-kind"
            value={objectKind}
            onChange={(e) => {
              setObjectKind(e.target.value);
              apply({ object: e.target.value ? `${e.target.value}:` : '' });
            }}
          >
            <option value="">anything</option>
            {OBJECT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace('-', ' ')}s
              </option>
            ))}
          </select>
        </div>
        {objectKind && (
          <div className="field">
            <label htmlFor="audit-object">Which {objectKind.replace('-', ' ')}</label>
            <select
              id="audit-object"
              value={applied.object && !applied.object.endsWith(':') ? applied.object : ''}
              onChange={(e) => apply({ object: e.target.value || `${objectKind}:` })}
            >
              <option value="">all</option>
              {[...objects]
                .sort((a, b) => a[1].localeCompare(b[1]))
                .map(([ref, name]) => (
                  <option key={ref} value={ref}>
                    {name}
                  </option>
                ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="audit-from">From (UTC date)</label>
          <input id="audit-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To (UTC date)</label>
          <input id="audit-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      <div className="row wrap">
        <button
          type="button"
          className="secondary"
          disabled={shown.length === 0}
          onClick={() => downloadBlob('fedhub-audit.csv', new Blob([auditCsv(shown)], { type: 'text/csv' }))}
        >
          Export {shown.length} entries as CSV
        </button>
        <button
          type="button"
          className="secondary"
          disabled={shown.length === 0}
          onClick={() =>
            downloadBlob(
              'fedhub-audit.json',
              new Blob([JSON.stringify(shown, null, 2)], { type: 'application/json' }),
            )
          }
        >
          Export {shown.length} entries as JSON
        </button>
      </div>
      {events.error ? (
        <p role="alert" className="error">
          {errorText(events.error)}
        </p>
      ) : null}
      {events.data && shown.length === 0 && (
        <p className="muted" data-testid="audit-empty">
          {applied.username
            ? `No entry by “${applied.username}” matches: check the username (it is the sign-in name), or widen the other filters.`
            : 'No entry matches these filters.'}{' '}
          An auditor sees the events of their own organisation and of the collaborations it belongs to.
        </p>
      )}
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">when</th>
            <th scope="col">who</th>
            <th scope="col">what</th>
            <th scope="col">about</th>
            <th scope="col">details</th>
          </tr>
        </thead>
        <tbody>
          {page.slice.map((e) => (
            <tr key={e.seq} data-testid="audit-row" data-action={e.action}>
              <td>{e.seq}</td>
              <td>{shortDateTime(e.at)}</td>
              <td title={e.actor} data-testid="audit-who">
                {actorText(e)}
              </td>
              <td title={e.action} data-testid="audit-what">
                {actionText(e.action)}
              </td>
              <td title={e.object ?? undefined} data-testid="audit-about">
                {objectText(e)}
              </td>
              <td className="small">
                {detailsText(e.details, e.detailNames).map(([k, val]) => (
                  <div key={k}>
                    <span className="muted">{k}:</span> {val}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.control}
    </section>
  );
}
