/**
 * Organisations, collaborations and nodes (hub-admin; the CLI's `fedhub admin ...` in the dashboard):
 * create each; add an organisation to a collaboration or remove it (its nodes there are revoked); create a
 * node (its one-time enrolment token is shown once); revoke a node's credentials or re-key it.
 */
import type { Collaboration, HubNode, Organisation } from '@fedhub/protocol';
import { type FormEvent, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { relativeTime, shortDateTime } from '../api/time.js';
import { AdminAction } from './admin-action.js';

/** A one-line create form: `fields` are [id, label] text inputs; `create` returns the announcement. */
function CreateForm(props: {
  title: string;
  fields: Array<[string, string]>;
  extra?: React.ReactNode;
  create: (values: Record<string, string>) => Promise<string>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setMsg({ ok: true, text: await props.create(values) });
      setValues({});
    } catch (err) {
      setMsg({ ok: false, text: errorText(err) });
    }
  };
  return (
    <form className="card stack" aria-label={props.title} onSubmit={submit}>
      <h3>{props.title}</h3>
      <div className="row wrap">
        {props.fields.map(([id, label]) => (
          <div className="field" key={id}>
            <label htmlFor={id}>{label}</label>
            <input
              id={id}
              required
              value={values[id] ?? ''}
              onChange={(e) => setValues({ ...values, [id]: e.target.value })}
            />
          </div>
        ))}
        {props.extra}
      </div>
      <div className="row">
        <button type="submit">Create</button>
        {msg && (
          <span
            role={msg.ok ? 'status' : 'alert'}
            className={msg.ok ? 'ok' : 'error'}
            data-testid="create-result"
          >
            {msg.text}
          </span>
        )}
      </div>
    </form>
  );
}

export function AdminOrganisations() {
  const { client } = useSession();
  const orgs = useLoad(() => client.listOrganisations(), []);
  return (
    <section aria-labelledby="admin-orgs">
      <h2 id="admin-orgs">Organisations</h2>
      <CreateForm
        title="New organisation"
        fields={[
          ['org-name', 'Name'],
          ['org-country', 'Country (two letters, e.g. NL)'],
        ]}
        create={async (v) => {
          const country = v['org-country']?.trim().toUpperCase();
          const o = await client.createOrganisation({
            name: v['org-name']!.trim(),
            ...(country ? { country } : {}),
          });
          orgs.reload();
          return `created ${o.name}`;
        }}
      />
      {orgs.error ? (
        <p role="alert" className="error">
          {errorText(orgs.error)}
        </p>
      ) : null}
      <table className="compact" data-testid="admin-orgs-table">
        <thead>
          <tr>
            <th scope="col">organisation</th>
            <th scope="col">country</th>
            <th scope="col">since</th>
          </tr>
        </thead>
        <tbody>
          {(orgs.data ?? []).map((o) => (
            <tr key={o.id}>
              <th scope="row">{o.name}</th>
              <td>{o.country ?? ''}</td>
              <td>{shortDateTime(o.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CollaborationCard({
  c,
  orgs,
  reload,
}: {
  c: Collaboration;
  orgs: Organisation[];
  reload: () => void;
}) {
  const { client } = useSession();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  const name = (id: string) => orgs.find((o) => o.id === id)?.name ?? id;
  const outside = orgs.filter((o) => !c.organisationIds.includes(o.id));
  return (
    <article className="card" data-testid="admin-collaboration" aria-labelledby={`collab-${c.id}`}>
      <h3 id={`collab-${c.id}`}>{c.name}</h3>
      {c.description && <p>{c.description}</p>}
      <ul className="plain">
        {c.organisationIds.map((id) => (
          <li key={id} className="row wrap" data-testid="collaboration-member">
            <span>{name(id)}</span>
            <AdminAction
              label={`Remove ${name(id)}`}
              danger
              testId="remove-organisation"
              explanation={
                <p>
                  Removes {name(id)} from “{c.name}”: its users no longer see the collaboration and its nodes
                  in it are revoked (their open runs fail). Adding it back needs new nodes.
                </p>
              }
              run={async (reason) => {
                await client.removeCollaborationOrganisation(c.id, id, reason);
                reload();
                return `${name(id)} removed`;
              }}
            />
          </li>
        ))}
      </ul>
      {outside.length > 0 && (
        <div className="row wrap">
          <div className="field">
            <label htmlFor={`add-${c.id}`}>Add an organisation</label>
            <select id={`add-${c.id}`} value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">choose…</option>
              {outside.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            disabled={!adding}
            onClick={async () => {
              try {
                await client.addOrganisation(c.id, adding);
                setAdding('');
                setError(null);
                reload();
              } catch (e) {
                setError(errorText(e));
              }
            }}
          >
            Add
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </article>
  );
}

export function AdminCollaborations() {
  const { client } = useSession();
  const collabs = useLoad(() => client.listCollaborations(), []);
  const orgs = useLoad(() => client.listOrganisations(), []);
  return (
    <section aria-labelledby="admin-collabs">
      <h2 id="admin-collabs">Collaborations</h2>
      <CreateForm
        title="New collaboration"
        fields={[
          ['collab-name', 'Name'],
          ['collab-description', 'Description'],
        ]}
        create={async (v) => {
          const c = await client.createCollaboration({
            name: v['collab-name']!.trim(),
            description: v['collab-description']?.trim() || undefined,
          });
          collabs.reload();
          return `created ${c.name}; add its organisations below`;
        }}
      />
      {(collabs.error ?? orgs.error) ? (
        <p role="alert" className="error">
          {errorText(collabs.error ?? orgs.error)}
        </p>
      ) : null}
      {(collabs.data ?? []).map((c) => (
        <CollaborationCard key={c.id} c={c} orgs={orgs.data ?? []} reload={collabs.reload} />
      ))}
    </section>
  );
}

function NodeRow({
  n,
  org,
  collab,
  reload,
}: {
  n: HubNode;
  org: string;
  collab: string;
  reload: () => void;
}) {
  const { client } = useSession();
  const [token, setToken] = useState<{ token: string; expires: string } | null>(null);
  return (
    <tr data-testid="admin-node-row" data-node={n.name}>
      <th scope="row">{n.name}</th>
      <td>{org}</td>
      <td>{collab}</td>
      <td>
        <span className={`status status-${n.status}`}>{n.status}</span>
        {n.lastSeenAt && <div className="muted small">seen {relativeTime(n.lastSeenAt, Date.now())}</div>}
      </td>
      <td>
        <div className="row wrap">
          <AdminAction
            label="Revoke credentials"
            danger
            testId="revoke-node"
            explanation={
              <p>
                {n.name}'s token stops working at once and its open runs fail. To bring it back, re-key it and
                enrol it again.
              </p>
            }
            run={async (reason) => {
              const r = await client.revokeNode(n.id, reason);
              reload();
              return `${n.name} revoked; ${r.failedRuns} open run${r.failedRuns === 1 ? '' : 's'} failed`;
            }}
          />
          <AdminAction
            label="Re-key"
            testId="rekey-node"
            explanation={
              <p>
                Voids {n.name}'s token and keys and issues a one-time enrolment token: the hospital enrols the
                node again with fresh keys (<code>fedhub node enrol</code>).
              </p>
            }
            run={async (reason) => {
              const r = await client.rekeyNode(n.id, reason);
              setToken({ token: r.enrolmentToken, expires: r.enrolmentExpiresAt });
              reload();
              return `${n.name} re-keyed`;
            }}
          />
        </div>
        {token && <EnrolmentToken token={token.token} expires={token.expires} />}
      </td>
    </tr>
  );
}

function EnrolmentToken({ token, expires }: { token: string; expires: string }) {
  return (
    <p className="notice small" data-testid="enrolment-token">
      One-time enrolment token (shown once, valid until {shortDateTime(expires)}):{' '}
      <code className="mono">{token}</code>
    </p>
  );
}

export function AdminNodes() {
  const { client } = useSession();
  const nodes = useLoad(() => client.listNodes(), [], 5000);
  const orgs = useLoad(() => client.listOrganisations(), []);
  const collabs = useLoad(() => client.listCollaborations(), []);
  const [collaborationId, setCollaborationId] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [created, setCreated] = useState<{ token: string; expires: string } | null>(null);
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));
  const collabName = new Map((collabs.data ?? []).map((c) => [c.id, c.name]));
  const members = (collabs.data ?? []).find((c) => c.id === collaborationId)?.organisationIds ?? [];
  return (
    <section aria-labelledby="admin-nodes">
      <h2 id="admin-nodes">Nodes</h2>
      <CreateForm
        title="New node"
        fields={[['node-name', 'Name']]}
        extra={
          <>
            <div className="field">
              <label htmlFor="node-collab">Collaboration</label>
              <select
                id="node-collab"
                required
                value={collaborationId}
                onChange={(e) => setCollaborationId(e.target.value)}
              >
                <option value="">choose…</option>
                {(collabs.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="node-org">Organisation (a member of the collaboration)</label>
              <select
                id="node-org"
                required
                value={organisationId}
                onChange={(e) => setOrganisationId(e.target.value)}
              >
                <option value="">choose…</option>
                {members.map((id) => (
                  <option key={id} value={id}>
                    {orgName.get(id) ?? id}
                  </option>
                ))}
              </select>
            </div>
          </>
        }
        create={async (v) => {
          const r = await client.createNode({
            collaborationId,
            organisationId,
            name: v['node-name']!.trim(),
          });
          setCreated({ token: r.enrolmentToken, expires: r.enrolmentExpiresAt });
          nodes.reload();
          return `created ${r.node.name}: give the hospital the enrolment token below`;
        }}
      />
      {created && <EnrolmentToken token={created.token} expires={created.expires} />}
      {nodes.error ? (
        <p role="alert" className="error">
          {errorText(nodes.error)}
        </p>
      ) : null}
      <table data-testid="admin-nodes-table">
        <thead>
          <tr>
            <th scope="col">node</th>
            <th scope="col">organisation</th>
            <th scope="col">collaboration</th>
            <th scope="col">status</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {(nodes.data ?? []).map((n) => (
            <NodeRow
              key={n.id}
              n={n}
              org={orgName.get(n.organisationId) ?? n.organisationId}
              collab={collabName.get(n.collaborationId) ?? n.collaborationId}
              reload={nodes.reload}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}
