/** Issuing and rotating the token pair: a signed short-lived access token and a hashed refresh token. */
import { randomUUID } from 'node:crypto';
import { randomToken, sha256Hex, signAccessToken } from '@fedhub/crypto';
import { fromBool, isoTime, type Schema, toBool, withTransaction } from '@fedhub/db';
import { FedhubError, type TokenPair } from '@fedhub/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../core/context.js';

/** Prefixes that tell token kinds apart at a glance (and in secret scanners). */
export const TOKEN_PREFIX = { refresh: 'fhr', api: 'fhp', node: 'fhn', enrolment: 'fhe' } as const;

/**
 * Issues a new pair for `userId`; a new refresh-token family unless `familyId` continues one. The secret
 * is passed in (load it before the transaction: on SQLite the transaction holds the only connection).
 */
export async function issueTokenPair(
  ctx: HubContext,
  trx: Kysely<Schema>,
  secret: Uint8Array,
  userId: string,
  familyId: string = randomUUID(),
): Promise<TokenPair> {
  const now = ctx.clock.now();
  const nowSec = Math.floor(now / 1000);
  const user = await trx
    .selectFrom('users')
    .select('token_version')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const accessToken = signAccessToken(secret, {
    sub: userId,
    aud: 'user',
    iat: nowSec,
    exp: nowSec + ctx.config.accessTokenTtlSec,
    jti: randomUUID(),
    ver: Number(user.token_version),
    sid: familyId,
  });
  const refreshToken = randomToken(TOKEN_PREFIX.refresh);
  await trx
    .insertInto('refresh_tokens')
    .values({
      id: randomUUID(),
      user_id: userId,
      family_id: familyId,
      token_hash: sha256Hex(refreshToken),
      expires_at: isoTime(now + ctx.config.refreshTokenTtlSec * 1000),
      rotated: toBool(false),
      revoked: toBool(false),
      created_at: isoTime(now),
    })
    .execute();
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ctx.config.accessTokenTtlSec };
}

/**
 * Exchanges a refresh token for a new pair. A token that was already rotated is being reused (stolen or
 * replayed): the whole family is revoked, so the thief's and the owner's sessions both end.
 */
export async function rotateRefreshToken(ctx: HubContext, token: string): Promise<TokenPair> {
  const secret = await ctx.secret();
  type Outcome =
    | { pair: TokenPair }
    | { error: 'FH_ERR_TOKEN_INVALID' | 'FH_ERR_TOKEN_EXPIRED'; message: string };
  const outcome = await withTransaction(ctx.db, async (trx): Promise<Outcome> => {
    const row = await trx
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row) return { error: 'FH_ERR_TOKEN_INVALID' as const, message: 'unknown refresh token' };
    if (fromBool(row.revoked))
      return { error: 'FH_ERR_TOKEN_INVALID' as const, message: 'the refresh token was revoked' };
    if (fromBool(row.rotated)) {
      await trx
        .updateTable('refresh_tokens')
        .set({ revoked: toBool(true) })
        .where('family_id', '=', row.family_id)
        .execute();
      return {
        error: 'FH_ERR_TOKEN_INVALID' as const,
        message: 'the refresh token was already used; every session of this sign-in was revoked',
      };
    }
    if (row.expires_at <= ctx.nowIso())
      return { error: 'FH_ERR_TOKEN_EXPIRED' as const, message: 'the refresh token has expired' };
    const res = await trx
      .updateTable('refresh_tokens')
      .set({ rotated: toBool(true) })
      .where('id', '=', row.id)
      .where('rotated', '=', toBool(false))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      return { error: 'FH_ERR_TOKEN_INVALID' as const, message: 'the refresh token was already used' };
    return { pair: await issueTokenPair(ctx, trx, secret, row.user_id, row.family_id) };
  });
  if (!('pair' in outcome)) throw new FedhubError(outcome.error, outcome.message);
  return outcome.pair;
}

/** Revokes a sign-in session by its family id (sign-out with an access token). */
export async function revokeSession(ctx: HubContext, familyId: string): Promise<void> {
  await ctx.db.db
    .updateTable('refresh_tokens')
    .set({ revoked: toBool(true) })
    .where('family_id', '=', familyId)
    .execute();
}

/**
 * Revokes the family of a refresh token (sign-out); unknown tokens are ignored. The access tokens of
 * the session stop verifying too (they name their family, checked on every request).
 */
export async function revokeRefreshFamily(ctx: HubContext, token: string): Promise<void> {
  await withTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (row)
      await trx
        .updateTable('refresh_tokens')
        .set({ revoked: toBool(true) })
        .where('family_id', '=', row.family_id)
        .execute();
  });
}
