/** Sign-in with lockout, API tokens, and resolving a bearer token to a principal. */
import { randomUUID } from 'node:crypto';
import { hashPassword, randomToken, sha256Hex, verifyAccessToken, verifyPassword } from '@fedhub/crypto';
import { fromBool, fromJson, isoTime, type Schema, toBool, withTransaction } from '@fedhub/db';
import { FedhubError, type Role, type TokenPair } from '@fedhub/protocol';
import type { NodePrincipal, UserPrincipal } from '../../access/principal.js';
import type { HubContext } from '../../core/context.js';
import { appendAudit, appendAuditAlone } from '../audit/service.js';
import { requireStrongPassword } from './password-policy.js';
import { issueTokenPair, TOKEN_PREFIX } from './tokens.js';

/**
 * Sign-in throttling per (user name, client address): the first `freeFailures` failures cost nothing,
 * each further one doubles the wait before the next attempt from that address, from `baseDelayMs` up to
 * `maxDelayMs`. Nobody can lock an account for its owner: another address is not slowed at all.
 */
export const LOGIN_THROTTLE = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 } as const;

/** The wait after `failures` consecutive failures from one address, ms (0 while free). */
export function throttleDelayMs(failures: number): number {
  const over = failures - LOGIN_THROTTLE.freeFailures;
  if (over < 0) return 0;
  return Math.min(LOGIN_THROTTLE.maxDelayMs, LOGIN_THROTTLE.baseDelayMs * 2 ** Math.min(over, 30));
}

/** A user row as a principal. */
export function userPrincipal(row: Schema['users']): UserPrincipal {
  return {
    kind: 'user',
    id: row.id,
    username: row.username,
    organisationId: row.organisation_id,
    roles: fromJson<Role[]>(row.roles) ?? [],
    ...(fromBool(row.password_change_required) ? { passwordChangeRequired: true as const } : {}),
  };
}

/**
 * Checks a password. Unknown users are verified against a decoy hash and throttled exactly like
 * accounts, so neither the time taken, the answer (FH_ERR_BAD_CREDENTIALS) nor the throttling tells
 * whether a name exists. Failures are counted per (user name, client address) in the database, so the
 * backoff survives restarts and holds across hub processes; while a pair must wait, its attempts are
 * refused (429 FH_ERR_RATE_LIMITED) without verifying the password.
 */
export async function login(
  ctx: HubContext,
  body: { username: string; password: string },
  ip: string,
): Promise<TokenPair> {
  const at = ctx.nowIso();
  const throttle = await ctx.db.db
    .selectFrom('login_throttle')
    .selectAll()
    .where('username', '=', body.username)
    .where('address', '=', ip)
    .executeTakeFirst();
  if (throttle?.blocked_until && throttle.blocked_until > at) {
    const retryAfterSec = Math.ceil((Date.parse(throttle.blocked_until) - ctx.clock.now()) / 1000);
    await appendAuditAlone(ctx.db, {
      at,
      actor: 'anonymous',
      action: 'login.failed',
      object: null,
      details: { username: body.username, ip, reason: 'throttled' },
    });
    throw new FedhubError(
      'FH_ERR_RATE_LIMITED',
      `too many failed sign-ins for this user from this address: retry in ${retryAfterSec} s`,
      { retryAfterSec },
    );
  }
  const row = await ctx.db.db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', body.username)
    .executeTakeFirst();
  const ok = await verifyPassword(body.password, row?.password_hash ?? (await ctx.decoyHash()));
  if (!row || !ok) {
    await withTransaction(ctx.db, async (trx) => {
      // counted atomically, so failures sent in parallel are each counted
      await trx
        .insertInto('login_throttle')
        .values({ username: body.username, address: ip, failures: 1, blocked_until: null, updated_at: at })
        .onConflict((oc) =>
          oc
            .columns(['username', 'address'])
            .doUpdateSet((eb) => ({ failures: eb('login_throttle.failures', '+', 1), updated_at: at })),
        )
        .execute();
      const { failures } = await trx
        .selectFrom('login_throttle')
        .select('failures')
        .where('username', '=', body.username)
        .where('address', '=', ip)
        .executeTakeFirstOrThrow();
      const delay = throttleDelayMs(Number(failures));
      if (delay > 0)
        await trx
          .updateTable('login_throttle')
          .set({ blocked_until: isoTime(ctx.clock.now() + delay) })
          .where('username', '=', body.username)
          .where('address', '=', ip)
          .execute();
      await appendAudit(ctx.db.dialect, trx, {
        at,
        actor: 'anonymous',
        action: 'login.failed',
        object: row ? `user:${row.id}` : null,
        details: { username: body.username, ip, reason: 'bad-credentials', failures: Number(failures) },
      });
    });
    throw new FedhubError('FH_ERR_BAD_CREDENTIALS');
  }
  if (row.disabled_at) throw new FedhubError('FH_ERR_ACCOUNT_DISABLED');
  if (throttle)
    await ctx.db.db
      .deleteFrom('login_throttle')
      .where('username', '=', body.username)
      .where('address', '=', ip)
      .execute();
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

/**
 * Resolves a user's bearer token (signed access token or `fhp_` API token); throws 401 otherwise. An
 * access token must carry the user's current token version (a password change ends older ones) and
 * belong to a session not signed out. `ignoreExpiry` re-checks a token already accepted (an open
 * WebSocket) for revocation only.
 */
export async function authenticateUser(
  ctx: HubContext,
  token: string | undefined,
  opts: { ignoreExpiry?: boolean } = {},
): Promise<UserPrincipal> {
  if (!token) throw new FedhubError('FH_ERR_UNAUTHENTICATED');
  let userId: string;
  let claims: { ver?: number; sid?: string } | undefined;
  if (token.startsWith(`${TOKEN_PREFIX.api}_`)) {
    const row = await ctx.db.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row || fromBool(row.revoked)) throw new FedhubError('FH_ERR_TOKEN_INVALID');
    const now = ctx.nowIso();
    if (row.expires_at <= now && !opts.ignoreExpiry)
      throw new FedhubError('FH_ERR_TOKEN_EXPIRED', 'the API token has expired');
    if (!opts.ignoreExpiry)
      await ctx.db.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
    userId = row.user_id;
  } else if (token.startsWith('fha.')) {
    // with ignoreExpiry, "now" is the epoch: every expiry lies after it
    const nowSec = opts.ignoreExpiry ? 0 : Math.floor(ctx.clock.now() / 1000);
    const check = verifyAccessToken(await ctx.secret(), token, 'user', nowSec);
    if (!check.ok)
      throw new FedhubError(check.reason === 'expired' ? 'FH_ERR_TOKEN_EXPIRED' : 'FH_ERR_TOKEN_INVALID');
    userId = check.claims.sub;
    claims = check.claims;
  } else if (token.startsWith(`${TOKEN_PREFIX.node}_`)) {
    throw new FedhubError('FH_ERR_TOKEN_INVALID', 'node tokens are accepted on /api/node routes only');
  } else {
    throw new FedhubError('FH_ERR_TOKEN_INVALID');
  }
  const row = await ctx.db.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!row) throw new FedhubError('FH_ERR_TOKEN_INVALID', 'the token names no user');
  if (row.disabled_at) throw new FedhubError('FH_ERR_ACCOUNT_DISABLED');
  if (claims) {
    if ((claims.ver ?? 0) !== Number(row.token_version))
      throw new FedhubError('FH_ERR_TOKEN_INVALID', 'the token was revoked: the password changed since');
    if (claims.sid !== undefined) {
      const ended = await ctx.db.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('family_id', '=', claims.sid)
        .where('revoked', '=', toBool(true))
        .executeTakeFirst();
      if (ended)
        throw new FedhubError('FH_ERR_TOKEN_INVALID', 'the token was revoked: its session signed out');
    }
  }
  return userPrincipal(row);
}

/** The session (refresh-token family) an access token belongs to, if it verifies; else undefined. */
export async function sessionOfAccessToken(
  ctx: HubContext,
  token: string | undefined,
): Promise<string | undefined> {
  if (!token?.startsWith('fha.')) return undefined;
  const check = verifyAccessToken(await ctx.secret(), token, 'user', 0);
  return check.ok ? check.claims.sid : undefined;
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
 * current one, and ends every session: the user's token version is bumped (every access token issued
 * before stops verifying, open WebSockets close at their next check), all refresh tokens and API tokens
 * are revoked. The caller signs in again with the new password.
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
  requireStrongPassword(body.newPassword, 'body.newPassword', user.username);
  if (body.newPassword === body.currentPassword)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      'body.newPassword: the new password must differ from the current one',
      {
        fields: [{ path: 'body.newPassword', message: 'same as the current password' }],
      },
    );
  const hash = await hashPassword(body.newPassword);
  await withTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('users')
      .set((eb) => ({
        password_hash: hash,
        failed_logins: 0,
        locked_until: null,
        password_change_required: toBool(false),
        token_version: eb('token_version', '+', 1),
      }))
      .where('id', '=', user.id)
      .execute();
    await trx
      .updateTable('refresh_tokens')
      .set({ revoked: toBool(true) })
      .where('user_id', '=', user.id)
      .execute();
    const apiTokens = await trx
      .updateTable('api_tokens')
      .set({ revoked: toBool(true) })
      .where('user_id', '=', user.id)
      .where('revoked', '=', toBool(false))
      .executeTakeFirst();
    await appendAudit(ctx.db.dialect, trx, {
      at: ctx.nowIso(),
      actor: `user:${user.id}`,
      action: 'user.password-changed',
      object: `user:${user.id}`,
      details: { apiTokensRevoked: Number(apiTokens.numUpdatedRows) },
    });
  });
}
