/** The auditor's view: the hash-chained audit trail with filters, the chain verification, JSON export. */
import { useState } from 'react';
import { filterAudit } from '../api/audit.js';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { usePage } from '../pager.js';
import { downloadBlob } from '../results/export.js';

/** The audit page. */
export function Audit() {
  const { audit } = useSession();
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const events = useLoad(() => audit.listAll(action.trim() || undefined), [action]);
  const verify = useLoad(() => audit.verify(), []);
  // newest first for reading; the export keeps chain order
  const shown = filterAudit(events.data ?? [], { actor, from, to });
  const page = usePage([...shown].reverse(), 50);
  const v = verify.data;
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
      <form className="filters" aria-label="Audit filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input
            id="audit-action"
            placeholder="e.g. task.submitted"
            value={action}
            onChange={(e) => setAction(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Actor contains</label>
          <input
            id="audit-actor"
            placeholder="user:… or node:…"
            value={actor}
            onChange={(e) => setActor(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From (UTC date)</label>
          <input id="audit-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To (UTC date)</label>
          <input id="audit-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button
          type="button"
          onClick={() =>
            downloadBlob(
              'fedhub-audit.json',
              new Blob([JSON.stringify(shown, null, 2)], { type: 'application/json' }),
            )
          }
        >
          Export {shown.length} entries as JSON
        </button>
      </form>
      {events.error ? (
        <p role="alert" className="error">
          {errorText(events.error)}
        </p>
      ) : null}
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">time</th>
            <th scope="col">actor</th>
            <th scope="col">action</th>
            <th scope="col">object</th>
            <th scope="col">details</th>
          </tr>
        </thead>
        <tbody>
          {page.slice.map((e) => (
            <tr key={e.seq} data-testid="audit-row">
              <td>{e.seq}</td>
              <td>{shortDateTime(e.at)}</td>
              <td className="mono">{e.actor}</td>
              <td>{e.action}</td>
              <td className="mono">{e.object ?? ''}</td>
              <td className="mono small">{JSON.stringify(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.control}
    </section>
  );
}
