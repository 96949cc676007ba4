/**
 * Recognises errors that mean "the database cannot be reached right now" (server stopped, connection
 * reset or refused, SQLite locked by another process), as opposed to a bug. The hub answers those with
 * 503 and Retry-After so that nodes and clients back off and retry, instead of a 500 that reads as a fault.
 */

/** Socket errors seen while the PostgreSQL server is down or the link to it is cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // SQLite: another process holds the write lock past the busy timeout
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** Messages of node-postgres that carry no code. */
const NETWORK_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection ended|connect ECONNREFUSED/i;

/** True when `err` (or an error it wraps) says the database is unreachable or busy. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || /^08/.test(e.code))) return true;
  if (typeof e.message === 'string' && NETWORK_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
