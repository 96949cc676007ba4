import { randomUUID } from 'node:crypto';
import { hashPassword } from '@fedhub/crypto';
import { type Schema, toJson, withTransaction } from '@fedhub/db';
import { FedhubError, type Role, type User } from '@fedhub/protocol';
import { requireRole } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { userOut } from '../../core/mappers.js';
import { appendAudit } from '../audit/service.js';
import { requireStrongPassword } from '../auth/password-policy.js';

/** Every user (hub-admin only). */
export async function listUsers(ctx: HubContext, user: UserPrincipal): Promise<User[]> {
  requireRole(user);
  const rows = await ctx.db.db
    .selectFrom('users')
    .selectAll()
    .orderBy('created_at')
    .orderBy('username')
    .execute();
  return rows.map(userOut);
}

/** The stored hash of a user who has no password. */
export const NO_PASSWORD = '!';

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  /** null: no password, the user cannot sign in with one (the API-token administrator of `initEphemeralHub`). */
  password: string | null;
  organisationId: string;
  roles: Role[];
  /** The password is a one-time password: signing in with it allows nothing but changing it. */
  passwordChangeRequired?: boolean;
}

/** Creates a user (hub-admin, or `actor` null for `initHub`); 409 when the username is taken. */
export async function createUser(ctx: HubContext, actor: UserPrincipal | null, body: NewUser): Promise<User> {
  if (actor) requireRole(actor);
  // '!' is no scrypt hash: verifyPassword rejects every password against it
  if (body.password !== null) requireStrongPassword(body.password, 'body.password', body.username);
  const passwordHash = body.password === null ? NO_PASSWORD : await hashPassword(body.password);
  return withTransaction(ctx.db, async (trx) => {
    const org = await trx
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', body.organisationId)
      .executeTakeFirst();
    if (!org) throw new FedhubError('FH_ERR_NOT_FOUND', `organisation ${body.organisationId} not found`);
    const clash = await trx
      .selectFrom('users')
      .select('id')
      .where('username', '=', body.username)
      .executeTakeFirst();
    if (clash) throw new FedhubError('FH_ERR_ALREADY_EXISTS', `the username "${body.username}" is taken`);
    const row: Schema['users'] = {
      id: randomUUID(),
      username: body.username,
      display_name: body.displayName ?? null,
      organisation_id: body.organisationId,
      password_hash: passwordHash,
      roles: toJson([...new Set(body.roles)]),
      failed_logins: 0,
      locked_until: null,
      created_at: ctx.nowIso(),
      token_version: 0,
      password_change_required: body.passwordChangeRequired ? 1 : 0,
    };
    await trx.insertInto('users').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: actor ? `user:${actor.id}` : 'hub',
      action: 'user.created',
      object: `user:${row.id}`,
      details: {
        username: row.username,
        roles: [...new Set(body.roles)],
        organisationId: body.organisationId,
      },
    });
    return userOut(row);
  });
}
