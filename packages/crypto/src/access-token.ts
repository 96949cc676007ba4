/**
 * Short-lived signed access tokens: `fha.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`.
 * One algorithm, fixed by the format, so there is nothing to negotiate (no `alg: none`, no key confusion).
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from './secrets.js';

export interface AccessClaims {
  /** subject: user id (or node id for node tokens) */
  sub: string;
  /** audience: 'user' or 'node' */
  aud: 'user' | 'node';
  /** issued at, seconds since epoch */
  iat: number;
  /** expiry, seconds since epoch */
  exp: number;
  /** token id */
  jti: string;
  /** the user's token version when issued: a password change bumps it and ends older tokens */
  ver?: number;
  /** the sign-in session (refresh-token family) it belongs to: signing out ends its access tokens */
  sid?: string;
}

export type TokenCheck =
  | { ok: true; claims: AccessClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'audience' };

function mac(secret: Uint8Array, body: string): string {
  return createHmac('sha256', secret).update(`fha.${body}`).digest('base64url');
}

/** Signs claims with the hub's secret. */
export function signAccessToken(secret: Uint8Array, claims: AccessClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `fha.${body}.${mac(secret, body)}`;
}

/** Verifies signature, audience and expiry (with `nowSec` from the hub's clock). */
export function verifyAccessToken(
  secret: Uint8Array,
  token: string,
  audience: AccessClaims['aud'],
  nowSec: number,
): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'fha' || !parts[1] || !parts[2] || token.length > 4096)
    return { ok: false, reason: 'malformed' };
  if (!safeEqual(mac(secret, parts[1]), parts[2])) return { ok: false, reason: 'signature' };
  let claims: AccessClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as AccessClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number')
    return { ok: false, reason: 'malformed' };
  if (claims.aud !== audience) return { ok: false, reason: 'audience' };
  if (claims.exp <= nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
