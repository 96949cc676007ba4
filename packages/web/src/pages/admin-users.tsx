/**
 * Users (hub-admin): who has which roles in which organisation, whether the account is usable; create a
 * user; and the revocation actions of issue 15: sign out everywhere, revoke API tokens, reset a password,
 * change roles, disable or enable, delete. Each asks for a reason and is audited at the hub.
 */
import { type Organisation, ROLES, type Role, type User } from '@fedhub/protocol';
import { type FormEvent, useState } from 'react';
import { errorText, useSession } from '../api/context.js';
import { useLoad } from '../api/hooks.js';
import { shortDateTime } from '../api/time.js';
import { AdminAction } from './admin-action.js';

function RolesPicker({ id, roles, onChange }: { id: string; roles: Role[]; onChange: (r: Role[]) => void }) {
  return (
    <fieldset className="row wrap">
      <legend>Roles</legend>
      {ROLES.map((r) => (
        <label key={r} htmlFor={`${id}-${r}`} className="check">
          <input
            id={`${id}-${r}`}
            type="checkbox"
            checked={roles.includes(r)}
            onChange={(e) => onChange(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))}
          />{' '}
          {r}
        </label>
      ))}
    </fieldset>
  );
}

function UserActions({ u, self, reload }: { u: User; self: boolean; reload: () => void }) {
  const { client } = useSession();
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(u.roles);
  const disabled = Boolean(u.disabledAt);
  const deleted = u.username.startsWith('deleted-');
  const after = (text: string) => {
    reload();
    return text;
  };
  if (deleted) return <span className="muted">deleted</span>;
  return (
    <div className="row wrap">
      <AdminAction
        label="Sign out everywhere"
        testId="revoke-sessions"
        explanation={
          <p>
            Ends every session of {u.username} at once (their access tokens stop working); the account and its
            API tokens stay.
          </p>
        }
        run={async (reason) => {
          await client.revokeUserSessions(u.id, reason);
          return after(`${u.username} is signed out everywhere`);
        }}
      />
      <AdminAction
        label="Revoke API tokens"
        testId="revoke-api-tokens"
        explanation={
          <p>Revokes every API token of {u.username} (scripts and CLI logins with them stop working).</p>
        }
        run={async (reason) => {
          const r = await client.revokeUserApiTokens(u.id, { reason });
          return after(`${r.revoked} token${r.revoked === 1 ? '' : 's'} revoked`);
        }}
      />
      <AdminAction
        label="Reset password"
        testId="reset-password"
        explanation={
          <p>
            Sets a new password for {u.username}; their sessions and API tokens are revoked. Give it to them
            by a separate channel.
          </p>
        }
        fields={
          <div className="field">
            <label htmlFor={`pw-${u.id}`}>New password (at least 12 characters)</label>
            <input
              id={`pw-${u.id}`}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
        }
        run={async (reason) => {
          await client.resetPassword(u.id, { password, reason });
          setPassword('');
          return after(`password of ${u.username} reset`);
        }}
      />
      <AdminAction
        label="Change roles"
        testId="change-roles"
        disabled={self}
        explanation={
          <p>Replaces the roles of {u.username}; their sessions end so that the new roles apply at once.</p>
        }
        fields={<RolesPicker id={`roles-${u.id}`} roles={roles} onChange={setRoles} />}
        run={async (reason) => {
          await client.setUserRoles(u.id, { roles, reason });
          return after(`roles of ${u.username}: ${roles.join(', ')}`);
        }}
      />
      {disabled ? (
        <AdminAction
          label="Enable"
          testId="enable-user"
          explanation={<p>{u.username} can sign in again (revoked tokens stay revoked).</p>}
          run={async (reason) => {
            await client.enableUser(u.id, reason);
            return after(`${u.username} enabled`);
          }}
        />
      ) : (
        <AdminAction
          label="Disable"
          danger
          disabled={self}
          testId="disable-user"
          explanation={
            <p>
              {u.username} can no longer sign in; every session and API token is revoked. It can be enabled
              again.
            </p>
          }
          run={async (reason) => {
            await client.disableUser(u.id, reason);
            return after(`${u.username} disabled`);
          }}
        />
      )}
      <AdminAction
        label="Delete"
        danger
        disabled={self}
        testId="delete-user"
        explanation={
          <p>
            Deletes {u.username} for good: disabled, renamed, no password and no roles. The audit trail keeps
            what they did. This cannot be undone.
          </p>
        }
        run={async (reason) => {
          await client.deleteUser(u.id, reason);
          return after(`${u.username} deleted`);
        }}
      />
    </div>
  );
}

function CreateUser({ orgs, reload }: { orgs: Organisation[]; reload: () => void }) {
  const { client } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [roles, setRoles] = useState<Role[]>(['researcher']);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const u = await client.createUser({ username: username.trim(), password, organisationId, roles });
      setMsg({ ok: true, text: `created ${u.username}` });
      setUsername('');
      setPassword('');
      reload();
    } catch (err) {
      setMsg({ ok: false, text: errorText(err) });
    }
  };
  return (
    <form className="card stack" aria-label="New user" onSubmit={submit}>
      <h3>New user</h3>
      <div className="row wrap">
        <div className="field">
          <label htmlFor="new-user-name">Username</label>
          <input id="new-user-name" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-user-password">First password (at least 12 characters)</label>
          <input
            id="new-user-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-user-org">Organisation</label>
          <select
            id="new-user-org"
            required
            value={organisationId}
            onChange={(e) => setOrganisationId(e.target.value)}
          >
            <option value="">choose…</option>
            {orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <RolesPicker id="new-user-roles" roles={roles} onChange={setRoles} />
      <div className="row">
        <button type="submit">Create user</button>
        {msg && (
          <span role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'error'}>
            {msg.text}
          </span>
        )}
      </div>
    </form>
  );
}

export function AdminUsers() {
  const { client, me } = useSession();
  const users = useLoad(() => client.listUsers(), []);
  const orgs = useLoad(() => client.listOrganisations(), []);
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));
  const [filter, setFilter] = useState('');
  const shown = (users.data ?? []).filter((u) =>
    u.username.toLowerCase().includes(filter.trim().toLowerCase()),
  );
  return (
    <section aria-labelledby="admin-users">
      <h2 id="admin-users">Users</h2>
      {(users.error ?? orgs.error) ? (
        <p role="alert" className="error">
          {errorText(users.error ?? orgs.error)}
        </p>
      ) : null}
      <CreateUser orgs={orgs.data ?? []} reload={users.reload} />
      <div className="field">
        <label htmlFor="user-filter">Find a user</label>
        <input id="user-filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <table data-testid="admin-users-table">
        <thead>
          <tr>
            <th scope="col">user</th>
            <th scope="col">organisation</th>
            <th scope="col">roles</th>
            <th scope="col">state</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((u) => (
            <tr key={u.id} data-testid="admin-user-row" data-username={u.username}>
              <th scope="row">
                {u.username}
                {u.displayName && <div className="muted small">{u.displayName}</div>}
                <div className="muted small">since {shortDateTime(u.createdAt)}</div>
              </th>
              <td>{orgName.get(u.organisationId) ?? u.organisationId}</td>
              <td>{u.roles.join(', ') || '–'}</td>
              <td data-testid="admin-user-state">
                {u.disabledAt ? (
                  <span className="status status-offline">disabled {shortDateTime(u.disabledAt)}</span>
                ) : (
                  <span className="status status-online">active</span>
                )}
              </td>
              <td>
                <UserActions
                  key={`${u.id}-${u.roles.join()}`}
                  u={u}
                  self={u.id === me.id}
                  reload={users.reload}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
