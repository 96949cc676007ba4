/** The signed-in session as React context: the hub client, the user and the audit wrapper. */
import type { Me } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';
import { createContext, useContext } from 'react';
import type { AuditApi } from './audit.js';

/** What every page gets from the shell. */
export interface Session {
  client: HubClient;
  audit: AuditApi;
  /** The signed-in user's access token (for the few pages fetched outside the sdk: model cards). */
  accessToken: () => string | undefined;
  me: Me;
  signOut: () => void;
}

/** The session context (provided by the shell once signed in). */
export const SessionContext = createContext<Session | null>(null);

/** The current session; pages render only inside the signed-in shell. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in shell');
  return s;
}

/**
 * The message of any thrown value, with its stable code when it has one. A request the hub's schema refused
 * names the fields as a form would ("password: too short"), not as the request's JSON paths.
 */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = String((e as { code: unknown }).code);
    const fields = (e as { details?: { fields?: unknown } }).details?.fields;
    if (code === 'FH_ERR_VALIDATION' && Array.isArray(fields) && fields.length > 0)
      return `Please check ${fields
        .map((f: { path?: unknown; message?: unknown }) => {
          const field = String(f.path ?? '')
            .replace(/^(body|querystring|query|params|headers)(\.|$)/, '')
            .replaceAll('.', ' › ');
          return `${field || 'the request'}: ${String(f.message ?? 'invalid')}`;
        })
        .join('; ')}`;
    return `${code}: ${String((e as { message: unknown }).message)}`;
  }
  return e instanceof Error ? e.message : String(e);
}
