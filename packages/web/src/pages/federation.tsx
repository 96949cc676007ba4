/** Federation: collaborations, organisations, and nodes with live status (polled every 5 s). */
import type { DataDictionary, HubNode } from '@fedhub/protocol';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { relativeTime } from '../api/time.js';
import { NoCollaboration } from './empty-states.js';

/** Node status poll interval (ms). */
export const NODE_POLL_MS = 5000;

function Dictionary({ d }: { d: DataDictionary }) {
  return (
    <details>
      <summary>
        {d.name} ({d.columns.length} columns)
      </summary>
      {d.description && <p>{d.description}</p>}
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">column</th>
            <th scope="col">type</th>
            <th scope="col">unit</th>
            <th scope="col">range / levels</th>
            <th scope="col">description</th>
          </tr>
        </thead>
        <tbody>
          {d.columns.map((c) => (
            <tr key={c.name}>
              <th scope="row">
                {c.name}
                {c.identifier ? ' (identifier)' : ''}
              </th>
              <td>{c.type}</td>
              <td>{c.unit ?? ''}</td>
              <td>
                {c.levels
                  ? c.levels.join(', ')
                  : c.min !== undefined || c.max !== undefined
                    ? `${c.min ?? ''} – ${c.max ?? ''}`
                    : ''}
              </td>
              <td>{c.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function NodeRow({ n, org, now }: { n: HubNode; org: string; now: number }) {
  return (
    <tr data-testid="node-row">
      <th scope="row">{n.name}</th>
      <td>{org}</td>
      <td>
        <span className={`status status-${n.status}`}>{n.status}</span>
      </td>
      <td title={n.lastSeenAt ?? ''}>{relativeTime(n.lastSeenAt, now)}</td>
      <td>{n.version ?? '–'}</td>
      <td>
        {n.datasets.length === 0
          ? 'none published'
          : n.datasets.map((d) => <Dictionary key={d.name} d={d} />)}
      </td>
    </tr>
  );
}

/** The federation page. */
export function Federation() {
  const { client, me } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const orgs = useLoad(() => client.listOrganisations(), []);
  const nodes = useLoad(() => client.listNodes(), [], NODE_POLL_MS);
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));
  const now = Date.now();
  return (
    <section>
      <h1>Federation</h1>
      {collabs.error || orgs.error ? (
        <p role="alert" className="error">
          {errorText(collabs.error ?? orgs.error)}
        </p>
      ) : null}
      <h2>Collaborations</h2>
      {collabs.data?.length === 0 &&
        (me.roles.includes('hub-admin') ? (
          <p className="muted">
            No collaboration yet: create one under Administration, then add organisations.
          </p>
        ) : (
          <NoCollaboration me={me} />
        ))}
      <ul>
        {(collabs.data ?? []).map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong>
            {c.description ? ` — ${c.description}` : ''}:{' '}
            {c.organisationIds.map((id) => orgName.get(id) ?? id).join(', ')}
          </li>
        ))}
      </ul>
      <h2>Organisations</h2>
      <ul className="inline-list">
        {(orgs.data ?? []).map((o) => (
          <li key={o.id}>
            {o.name}
            {o.country ? ` (${o.country})` : ''}
          </li>
        ))}
      </ul>
      {(collabs.data ?? []).map((c) => {
        const ns = (nodes.data ?? []).filter((n) => n.collaborationId === c.id);
        return (
          <div key={c.id}>
            <h2>Nodes of {c.name}</h2>
            <p className="muted" aria-live="polite">
              {ns.filter((n) => n.status === 'online').length} of {ns.length} online; refreshed every 5 s
              {nodes.error ? ` (last refresh failed: ${errorText(nodes.error)})` : ''}
            </p>
            <table data-testid="nodes-table">
              <thead>
                <tr>
                  <th scope="col">node</th>
                  <th scope="col">organisation</th>
                  <th scope="col">status</th>
                  <th scope="col">last seen</th>
                  <th scope="col">version</th>
                  <th scope="col">datasets</th>
                </tr>
              </thead>
              <tbody>
                {ns.map((n) => (
                  <NodeRow key={n.id} n={n} org={orgName.get(n.organisationId) ?? ''} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}
