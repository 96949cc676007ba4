/** Sign-in with lockout, API tokens, and resolving a bearer token to a principal. */
import { randomUUID } from 'node:crypto';
import { hashPassword, randomToken, sha256Hex, verifyAccessToken, verifyPassword } from '@fedhub/crypto';
import { fromBool, fromJson, isoTime, type Schema, toBool, withTransaction } from '@fedhub/db';
import { FedhubError, type Role, type TokenPair } from '@fedhub/protocol';
import type { NodePrincipal, UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { appendAudit, appendAuditAlone } from '../audit/service.js';
import { issueTokenPair, TOKEN_PREFIX } from './tokens.js';

/** Consecutive failures that lock an account, and for how long (ms). */
export const LOCKOUT = { maxFailures: 10, durationMs: 15 * 60_000 } as const;

/** A user row as a principal. */
export function userPrincipal(row: Schema['users']): UserPrincipal {
  return {
    kind: 'user',
    id: row.id,
    username: row.username,
    organisationId: row.organisation_id,
    roles: fromJson<Role[]>(row.roles) ?? [],
  };
}

/**
 * Checks a password. Unknown users are verified against a decoy hash, so the time taken and the error
 * (FH_ERR_BAD_CREDENTIALS) are the same as for a wrong password, and their failures lock the name as they
 * would lock an account. Failures are counted in the database, so
 * the lockout survives restarts and holds across hub processes.
 */
export async function login(
  ctx: HubContext,
  body: { username: string; password: string },
  ip: string,
): Promise<TokenPair> {
  const row = await ctx.db.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', body.username)
    .executeTakeFirst();
  const ok = await verifyPassword(body.password, row?.password_hash ?? (await ctx.decoyHash()));
  const at = ctx.nowIso();
  if (!row) {
    // an unknown name is counted and locked exactly like an account, so neither the answer nor the lockout
    // tells whether the name exists
    const locked = await withTransaction(ctx.db, async (trx) => {
      const prior = await trx
        .selectFrom('login_failures')
        .selectAll()
        .where('username', '=', body.username)
        .executeTakeFirst();
      if (prior?.locked_until && prior.locked_until > at) return prior.locked_until;
      await trx
        .insertInto('login_failures')
        .values({ username: body.username, failures: 1, locked_until: null })
        .onConflict((oc) =>
          oc.column('username').doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1) })),
        )
        .execute();
      const { failures } = await trx
        .selectFrom('login_failures')
        .select('failures')
        .where('username', '=', body.username)
        .executeTakeFirstOrThrow();
      if (Number(failures) >= LOCKOUT.maxFailures)
        await trx
          .updateTable('login_failures')
          .set({ failures: 0, locked_until: isoTime(ctx.clock.now() + LOCKOUT.durationMs) })
          .where('username', '=', body.username)
          .execute();
      await appendAudit(ctx.db.dialect, trx, {
        at,
        actor: 'anonymous',
        action: 'login.failed',
        object: null,
        details: { username: body.username, ip, reason: 'bad-credentials', failures: Number(failures) },
      });
      return null;
    });
    if (locked) {
      await appendAuditAlone(ctx.db, {
        at,
        actor: 'anonymous',
        action: 'login.failed',
        object: null,
        details: { username: body.username, ip, reason: 'locked' },
      });
      throw new FedhubError('FH_ERR_ACCOUNT_LOCKED', undefined, { lockedUntil: locked });
    }
    throw new FedhubError('FH_ERR_BAD_CREDENTIALS');
  }
  if (ok && row.disabled_at) throw new FedhubError('FH_ERR_ACCOUNT_DISABLED');
  if (row.locked_until !== null && row.locked_until > at) {
    await appendAuditAlone(ctx.db, {
      at,
      actor: 'anonymous',
      action: 'login.failed',
      object: `user:${row.id}`,
      details: { username: body.username, ip, reason: 'locked' },
    });
    throw new FedhubError('FH_ERR_ACCOUNT_LOCKED', undefined, { lockedUntil: row.locked_until });
  }
  if (!ok) {
    await withTransaction(ctx.db, async (trx) => {
      await trx
        .updateTable('users')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', row.id)
        .execute();
      const { failed_logins } = await trx
        .selectFrom('users')
        .select('failed_logins')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      const lock = Number(failed_logins) >= LOCKOUT.maxFailures;
      if (lock)
        await trx
          .updateTable('users')
          .set({ failed_logins: 0, locked_until: isoTime(ctx.clock.now() + LOCKOUT.durationMs) })
          .where('id', '=', row.id)
          .execute();
      await appendAudit(ctx.db.dialect, trx, {
        at,
        actor: 'anonymous',
        action: lock ? 'login.locked' : 'login.failed',
        object: `user:${row.id}`,
        details: { username: body.username, ip, reason: 'bad-credentials', failures: Number(failed_logins) },
      });
    });
    throw new FedhubError('FH_ERR_BAD_CREDENTIALS');
  }
  const secret = await ctx.secret();
  return withTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at,
      actor: `user:${row.id}`,
      action: 'login.succeeded',
      object: `user:${row.id}`,
      details: { ip },
    });
    return issueTokenPair(ctx, trx, secret, row.id);
  });
}

/** The token out of `Authorization: Bearer <token>`, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Resolves a user's bearer token (signed access token or `fhp_` API token); throws 401 otherwise. */
export async function authenticateUser(ctx: HubContext, token: string | undefined): Promise<UserPrincipal> {
  if (!token) throw new FedhubError('FH_ERR_UNAUTHENTICATED');
  let userId: string;
  if (token.startsWith(`${TOKEN_PREFIX.api}_`)) {
    const row = await ctx.db.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row || fromBool(row.revoked)) throw new FedhubError('FH_ERR_TOKEN_INVALID');
    const now = ctx.nowIso();
    if (row.expires_at <= now) throw new FedhubError('FH_ERR_TOKEN_EXPIRED', 'the API token has expired');
    await ctx.db.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    userId = row.user_id;
  } else if (token.startsWith('fha.')) {
    const check = verifyAccessToken(await ctx.secret(), token, 'user', Math.floor(ctx.clock.now() / 1000));
    if (!check.ok)
      throw new FedhubError(check.reason === 'expired' ? 'FH_ERR_TOKEN_EXPIRED' : 'FH_ERR_TOKEN_INVALID');
    userId = check.claims.sub;
  } else if (token.startsWith(`${TOKEN_PREFIX.node}_`)) {
    throw new FedhubError('FH_ERR_TOKEN_INVALID', 'node tokens are accepted on /api/node routes only');
  } else {
    throw new FedhubError('FH_ERR_TOKEN_INVALID');
  }
  const row = await ctx.db.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) throw new FedhubError('FH_ERR_TOKEN_INVALID', 'the token names no user');
  if (row.disabled_at) throw new FedhubError('FH_ERR_ACCOUNT_DISABLED');
  return userPrincipal(row);
}

/** Resolves a node's `fhn_` bearer token; throws 401 otherwise. */
export async function authenticateNode(ctx: HubContext, token: string | undefined): Promise<NodePrincipal> {
  if (!token) throw new FedhubError('FH_ERR_UNAUTHENTICATED', 'a node token is required');
  if (!token.startsWith(`${TOKEN_PREFIX.node}_`))
    throw new FedhubError('FH_ERR_TOKEN_INVALID', 'node routes accept node tokens only');
  const row = await ctx.db.db
    .selectFrom('nodes')
    .selectAll()
    .where('node_token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row?.ed25519_public_key) throw new FedhubError('FH_ERR_TOKEN_INVALID');
  return {
    kind: 'node',
    id: row.id,
    name: row.name,
    collaborationId: row.collaboration_id,
    organisationId: row.organisation_id,
    ed25519PublicKey: row.ed25519_public_key,
  };
}

/** An API token as listed (never its secret). */
export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

function tokenView(r: Schema['api_tokens']): ApiTokenView {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

/** Creates an API token for the user; the secret is returned once and only its hash is stored. */
export async function createApiToken(
  ctx: HubContext,
  user: UserPrincipal,
  body: { name: string; expiresInDays: number },
): Promise<ApiTokenView & { token: string }> {
  const token = randomToken(TOKEN_PREFIX.api);
  const now = ctx.clock.now();
  const row: Schema['api_tokens'] = {
    id: randomUUID(),
    user_id: user.id,
    name: body.name,
    token_hash: sha256Hex(token),
    expires_at: isoTime(now + body.expiresInDays * 86_400_000),
    last_used_at: null,
    revoked: toBool(false),
    created_at: isoTime(now),
  };
  await withTransaction(ctx.db, async (trx) => {
    await trx.insertInto('api_tokens').values(row).execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: row.created_at,
      actor: `user:${user.id}`,
      action: 'api-token.created',
      object: `api-token:${row.id}`,
      details: { name: body.name },
    });
  });
  return { ...tokenView(row), token };
}

/** The user's own live API tokens. */
export async function listApiTokens(ctx: HubContext, user: UserPrincipal): Promise<ApiTokenView[]> {
  const rows = await ctx.db.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('revoked', '=', toBool(false))
    .orderBy('created_at', 'asc')
    .execute();
  return rows.map(tokenView);
}

/** Revokes one of the user's own API tokens; 404 for anyone else's. */
export async function revokeApiToken(ctx: HubContext, user: UserPrincipal, id: string): Promise<void> {
  await withTransaction(ctx.db, async (trx) => {
    const res = await trx
      .updateTable('api_tokens')
      .set({ revoked: toBool(true) })
      .where('id', '=', id)
      .where('user_id', '=', user.id)
      .where('revoked', '=', toBool(false))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new FedhubError('FH_ERR_NOT_FOUND', 'API token not found');
    await appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${user.id}`,
      action: 'api-token.revoked',
      object: `api-token:${id}`,
    });
  });
}

/**
 * Changes the signed-in user's password (e.g. the one-time password from `initHub`) after checking the
 * current one, and signs out every other session by revoking all the user's refresh tokens.
 */
export async function changePassword(
  ctx: HubContext,
  user: UserPrincipal,
  body: { currentPassword: string; newPassword: string },
): Promise<void> {
  const row = await ctx.db.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(body.currentPassword, row.password_hash)))
    throw new FedhubError('FH_ERR_BAD_CREDENTIALS', 'the current password is wrong');
  const hash = await hashPassword(body.newPassword);
  await withTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null })
      .where('id', '=', user.id)
      .execute();
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked: toBool(true) })
      .where('user_id', '=', user.id)
      .execute();
    await appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${user.id}`,
      action: 'user.password-changed',
      object: `user:${user.id}`,
    });
  });
}
