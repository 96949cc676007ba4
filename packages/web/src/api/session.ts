/**
 * Where the dashboard keeps its tokens: sessionStorage, so closing the tab signs out. A one-time sign-in
 * link carries the access token in the URL fragment (`#access_token=...`), which never reaches a server log.
 */
import type { TokenPair } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';

/** The sessionStorage keys the dashboard owns. */
export const SESSION_KEYS = { access: 'fedhub.accessToken', refresh: 'fedhub.refreshToken' } as const;

/** The tokens of a signed-in session (the refresh token is absent after a link sign-in). */
export interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
}

/** Reads the stored tokens, or null when signed out. */
export function readTokens(storage: Storage): StoredTokens | null {
  const accessToken = storage.getItem(SESSION_KEYS.access);
  if (!accessToken) return null;
  const refreshToken = storage.getItem(SESSION_KEYS.refresh) ?? undefined;
  return refreshToken ? { accessToken, refreshToken } : { accessToken };
}

/** Stores a token pair (after login or refresh). */
export function writeTokens(storage: Storage, t: StoredTokens | TokenPair): void {
  storage.setItem(SESSION_KEYS.access, t.accessToken);
  if (t.refreshToken) storage.setItem(SESSION_KEYS.refresh, t.refreshToken);
  else storage.removeItem(SESSION_KEYS.refresh);
}

/** Forgets the tokens (sign-out). */
export function clearTokens(storage: Storage): void {
  storage.removeItem(SESSION_KEYS.access);
  storage.removeItem(SESSION_KEYS.refresh);
}

/**
 * The access token a sign-in link carries in its fragment (`#access_token=...`, optionally among other
 * `&`-separated fields), or null.
 */
export function tokenFromFragment(hash: string): string | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = new URLSearchParams(h);
  const t = params.get('access_token');
  return t && t.length > 0 ? t : null;
}

/**
 * Takes the token of a sign-in link into `storage`, unless a session is already stored there: a link
 * (which anyone can send) never silently replaces the session of whoever is signed in. Returns what
 * happened, so the page can tell the user that the link was ignored.
 */
export function adoptLinkToken(storage: Storage, linkToken: string): 'adopted' | 'ignored-signed-in' {
  const current = readTokens(storage);
  if (current && current.accessToken !== linkToken) return 'ignored-signed-in';
  writeTokens(storage, { accessToken: linkToken });
  return 'adopted';
}

/** A hub client for the stored tokens that writes rotated tokens back to `storage`. */
export function clientFor(baseUrl: string, storage: Storage, tokens: StoredTokens): HubClient {
  return new HubClient({
    baseUrl,
    token: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    onTokens: (pair) => writeTokens(storage, pair),
  });
}
