/**
 * Revocation (issue 15, item 10): disable, enable or delete a user, change roles, revoke another user's
 * API tokens, reset a password (hub-admin); revoke or re-key a node (hub-admin, or node-admin of the
 * node's organisation); remove an organisation from a collaboration (hub-admin). Every change is audited
 * with its reason. Rows stay (the audit trail names them): a deleted user is disabled, renamed and loses
 * password and roles. Whatever a revoked principal held stops working at once: sessions and API tokens
 * are revoked, a disabled user's access tokens are refused at authentication, a node's token is erased
 * and its open runs fail (so their rounds close instead of waiting).
 */

import { hashPassword, randomToken, sha256Hex } from '@fedhub/crypto';
import { fromBool, isoTime, lockForUpdate, type Schema, toBool, toJson, withTransaction } from '@fedhub/db';
import {
  type ApiTokenInfo,
  type Collaboration,
  type ErrorBody,
  FedhubError,
  type Role,
  type User,
} from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import { hasRole, requireRole, requireVisible, visibleCollaborationIds } from '../../access/membership.js';
import type { UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { type Effects, withEffects } from '../../core/effects.js';
import { userOut } from '../../core/mappers.js';
import { type AuditAction, appendAudit } from '../audit/service.js';
import { requireStrongPassword } from '../auth/password-policy.js';
import { TOKEN_PREFIX } from '../auth/tokens.js';
import { getCollaboration } from '../collaborations/service.js';
import { ENROLMENT_TTL_MS } from '../nodes/service.js';
import { closeRoundIfComplete } from '../tasks/aggregation.js';
import { bumpRevision, runUpdatedEvent } from '../tasks/task-events.js';
import { NO_PASSWORD } from '../users/service.js';

async function userRow(trx: Kysely<Schema>, id: string): Promise<Schema['users']> {
  const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new FedhubError('FH_ERR_NOT_FOUND', `user ${id} not found`);
  return row;
}

/** Revokes every refresh token (sessions) and, unless told otherwise, every API token of a user. */
async function revokeCredentials(trx: Kysely<Schema>, userId: string, apiTokens = true): Promise<number> {
  const sessions = await trx
    .updateTable('refresh_tokens')
    .set({ revoked: toBool(true) })
    .where('user_id', '=', userId)
    .where('revoked', '=', toBool(false))
    .executeTakeFirst();
  let n = Number(sessions.numUpdatedRows);
  if (apiTokens) {
    const tokens = await trx
      .updateTable('api_tokens')
      .set({ revoked: toBool(true) })
      .where('user_id', '=', userId)
      .where('revoked', '=', toBool(false))
      .executeTakeFirst();
    n += Number(tokens.numUpdatedRows);
  }
  return n;
}

function notSelf(actor: UserPrincipal, id: string, what: string): void {
  if (actor.id === id)
    throw new FedhubError('FH_ERR_CONFLICT', `you cannot ${what} your own account (ask another hub-admin)`);
}

async function changeUser(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  action: AuditAction,
  reason: string,
  change: (trx: Kysely<Schema>, row: Schema['users']) => Promise<Record<string, unknown>>,
): Promise<User> {
  requireRole(actor);
  return withTransaction(ctx.db, async (trx) => {
    const row = await userRow(trx, id);
    const details = await change(trx, row);
    await appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${actor.id}`,
      action,
      object: `user:${id}`,
      details: { reason, ...details },
    });
    return userOut(await userRow(trx, id));
  });
}

/** Disables a user: no sign-in, every session and API token revoked, access tokens refused. */
export function disableUser(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  reason: string,
): Promise<User> {
  notSelf(actor, id, 'disable');
  return changeUser(ctx, actor, id, 'user.disabled', reason, async (trx) => {
    await trx.updateTable('users').set({ disabled_at: ctx.nowIso() }).where('id', '=', id).execute();
    return { revoked: await revokeCredentials(trx, id) };
  });
}

/**
 * Signs a user out everywhere (issue 20, admin pages): every session (refresh token) revoked and every
 * access token refused (token version bumped); API tokens stay (revoke them apart). The account stays usable.
 */
export function revokeSessions(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  reason: string,
): Promise<User> {
  return changeUser(ctx, actor, id, 'user.sessions-revoked', reason, async (trx) => {
    await trx
      .updateTable('users')
      .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
      .where('id', '=', id)
      .execute();
    return { revoked: await revokeCredentials(trx, id, false) };
  });
}

/** Enables a disabled user again (revoked tokens stay revoked). */
export function enableUser(ctx: HubContext, actor: UserPrincipal, id: string, reason: string): Promise<User> {
  return changeUser(ctx, actor, id, 'user.enabled', reason, async (trx) => {
    await trx.updateTable('users').set({ disabled_at: null }).where('id', '=', id).execute();
    return {};
  });
}

/** Deletes a user: disabled, renamed `deleted-<id>`, no password, no roles; the row stays for the audit. */
export function deleteUser(ctx: HubContext, actor: UserPrincipal, id: string, reason: string): Promise<User> {
  notSelf(actor, id, 'delete');
  return changeUser(ctx, actor, id, 'user.deleted', reason, async (trx, row) => {
    await trx
      .updateTable('users')
      .set({
        disabled_at: ctx.nowIso(),
        username: `deleted-${id}`,
        display_name: null,
        password_hash: NO_PASSWORD,
        roles: toJson([]),
      })
      .where('id', '=', id)
      .execute();
    return { username: row.username, revoked: await revokeCredentials(trx, id) };
  });
}

/** Replaces a user's roles; their sessions are revoked so the new roles apply at once. */
export function setRoles(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  roles: Role[],
  reason: string,
): Promise<User> {
  if (actor.id === id && !roles.includes('hub-admin'))
    throw new FedhubError(
      'FH_ERR_CONFLICT',
      'you cannot remove your own hub-admin role (ask another hub-admin)',
    );
  return changeUser(ctx, actor, id, 'user.roles-changed', reason, async (trx, row) => {
    const unique = [...new Set(roles)];
    await trx
      .updateTable('users')
      .set({ roles: toJson(unique) })
      .where('id', '=', id)
      .execute();
    return {
      before: JSON.parse(row.roles) as unknown,
      after: unique,
      revoked: await revokeCredentials(trx, id, false),
    };
  });
}

/** Sets a new password (the administrator hands it over); sessions and API tokens are revoked, lock lifted. */
export async function resetPassword(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  password: string,
  reason: string,
): Promise<User> {
  requireStrongPassword(password, 'body.password');
  const hash = await hashPassword(password);
  return changeUser(ctx, actor, id, 'user.password-reset', reason, async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null })
      .where('id', '=', id)
      .execute();
    return { revoked: await revokeCredentials(trx, id) };
  });
}

/** A user's API tokens (no secrets: they are stored hashed). */
export async function listApiTokens(
  ctx: HubContext,
  actor: UserPrincipal,
  userId: string,
): Promise<ApiTokenInfo[]> {
  if (actor.id !== userId) requireRole(actor);
  await userRow(ctx.db.db, userId);
  const rows = await ctx.db.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revoked: fromBool(r.revoked),
  }));
}

/** Revokes one API token of another user, or all of them. */
export async function revokeApiTokens(
  ctx: HubContext,
  actor: UserPrincipal,
  userId: string,
  body: { tokenId?: string | undefined; reason: string },
): Promise<{ revoked: number }> {
  requireRole(actor);
  return withTransaction(ctx.db, async (trx) => {
    await userRow(trx, userId);
    let q = trx
      .updateTable('api_tokens')
      .set({ revoked: toBool(true) })
      .where('user_id', '=', userId)
      .where('revoked', '=', toBool(false));
    if (body.tokenId) q = q.where('id', '=', body.tokenId);
    const revoked = Number((await q.executeTakeFirst()).numUpdatedRows);
    if (body.tokenId && revoked === 0)
      throw new FedhubError('FH_ERR_NOT_FOUND', `no active API token ${body.tokenId} of user ${userId}`);
    await appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${actor.id}`,
      action: 'api-token.revoked',
      object: `user:${userId}`,
      details: { reason: body.reason, tokenId: body.tokenId ?? null, revoked, by: 'administrator' },
    });
    return { revoked };
  });
}

/** Fails the node's open runs (their rounds then close without it) and tells the waiting clients. */
async function failOpenRuns(ctx: HubContext, trx: Kysely<Schema>, fx: Effects, nodeId: string, why: string) {
  const open = await trx
    .selectFrom('runs')
    .innerJoin('nodes', 'nodes.id', 'runs.node_id')
    .selectAll('runs')
    .select('nodes.name as node_name')
    .where('runs.node_id', '=', nodeId)
    .where('runs.status', 'in', ['queued', 'claimed', 'pending-approval'])
    .execute();
  const at = ctx.nowIso();
  const error: ErrorBody = { code: 'FH_ERR_FORBIDDEN', message: why };
  for (const taskId of [...new Set(open.map((r) => r.task_id))]) {
    const task = await lockForUpdate(
      ctx.db.dialect,
      trx.selectFrom('tasks').selectAll().where('id', '=', taskId),
    ).executeTakeFirstOrThrow();
    for (const r of open.filter((x) => x.task_id === taskId)) {
      await trx
        .updateTable('runs')
        .set({ status: 'failed', lease_expires_at: null, finished_at: at, error: toJson(error) })
        .where('id', '=', r.id)
        .execute();
      fx.events.push(runUpdatedEvent({ ...r, status: 'failed', lease_expires_at: null }, r.node_name, at));
    }
    await bumpRevision(trx, taskId);
    await closeRoundIfComplete(ctx, trx, task, fx);
  }
  return open.length;
}

async function nodeForChange(ctx: HubContext, actor: UserPrincipal, trx: Kysely<Schema>, id: string) {
  const node = await trx.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
  // a node of a collaboration the caller does not belong to is not found (no existence oracle)
  requireVisible(await visibleCollaborationIds(trx, actor), node?.collaboration_id, 'node');
  if (!node) throw new FedhubError('FH_ERR_NOT_FOUND', `node ${id} not found`);
  if (
    !hasRole(actor) &&
    !(actor.roles.includes('node-admin') && actor.organisationId === node.organisation_id)
  )
    throw new FedhubError(
      'FH_ERR_FORBIDDEN',
      "this needs the role hub-admin, or node-admin of the node's organisation",
    );
  return node;
}

/** Revokes a node: its token stops authenticating, its open runs fail; it can be re-keyed later. */
export async function revokeNode(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  reason: string,
): Promise<{ nodeId: string; failedRuns: number }> {
  return withEffects(ctx, async (trx, fx) => {
    await nodeForChange(ctx, actor, trx, id);
    const at = ctx.nowIso();
    await trx
      .updateTable('nodes')
      .set({ node_token_hash: null, revoked_at: at })
      .where('id', '=', id)
      .execute();
    const failedRuns = await failOpenRuns(ctx, trx, fx, id, `node ${id} was revoked: ${reason}`);
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `user:${actor.id}`,
      action: 'node.revoked',
      object: `node:${id}`,
      details: { reason, failedRuns },
    });
    return { nodeId: id, failedRuns };
  });
}

/**
 * Re-keys a node: the old token and keys are void, its open runs fail, and a new one-time enrolment
 * token lets the node enrol again with fresh keys (as at first enrolment).
 */
export async function rekeyNode(
  ctx: HubContext,
  actor: UserPrincipal,
  id: string,
  reason: string,
): Promise<{ nodeId: string; enrolmentToken: string; enrolmentExpiresAt: string }> {
  const token = randomToken(TOKEN_PREFIX.enrolment);
  return withEffects(ctx, async (trx, fx) => {
    await nodeForChange(ctx, actor, trx, id);
    const now = ctx.clock.now();
    const expires = isoTime(now + ENROLMENT_TTL_MS);
    await trx
      .updateTable('nodes')
      .set({
        node_token_hash: null,
        x25519_public_key: null,
        ed25519_public_key: null,
        enrolment_token_hash: sha256Hex(token),
        enrolment_expires_at: expires,
        enrolment_used: toBool(false),
        revoked_at: null,
      })
      .where('id', '=', id)
      .execute();
    const failedRuns = await failOpenRuns(ctx, trx, fx, id, `node ${id} was re-keyed: ${reason}`);
    await appendAudit(ctx.db.dialect, trx, {
      at: isoTime(now),
      actor: `user:${actor.id}`,
      action: 'node.rekeyed',
      object: `node:${id}`,
      details: { reason, failedRuns, enrolmentExpiresAt: expires },
    });
    return { nodeId: id, enrolmentToken: token, enrolmentExpiresAt: expires };
  });
}

/** Removes an organisation from a collaboration; its nodes there are revoked. */
export async function removeOrganisation(
  ctx: HubContext,
  actor: UserPrincipal,
  collaborationId: string,
  organisationId: string,
  reason: string,
): Promise<Collaboration> {
  await getCollaboration(ctx, actor, collaborationId);
  requireRole(actor);
  await withEffects(ctx, async (trx, fx) => {
    const removed = await trx
      .deleteFrom('collaboration_organisations')
      .where('collaboration_id', '=', collaborationId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0)
      throw new FedhubError(
        'FH_ERR_NOT_FOUND',
        `organisation ${organisationId} is not a member of collaboration ${collaborationId}`,
      );
    const nodes = await trx
      .selectFrom('nodes')
      .select('id')
      .where('collaboration_id', '=', collaborationId)
      .where('organisation_id', '=', organisationId)
      .execute();
    const at = ctx.nowIso();
    for (const n of nodes) {
      await trx
        .updateTable('nodes')
        .set({ node_token_hash: null, revoked_at: at })
        .where('id', '=', n.id)
        .execute();
      await failOpenRuns(
        ctx,
        trx,
        fx,
        n.id,
        `organisation ${organisationId} left the collaboration: ${reason}`,
      );
    }
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `user:${actor.id}`,
      action: 'collaboration.organisation-removed',
      object: `collaboration:${collaborationId}`,
      details: { reason, organisationId, revokedNodes: nodes.map((n) => n.id) },
    });
  });
  return getCollaboration(ctx, actor, collaborationId);
}
