/**
 * The node's notion of time, injected as the hub's is (`packages/hub/src/clock.ts`), so tests can set it: the
 * clock the node reports in heartbeats (the hub refuses a skewed one), and the times it writes in its own
 * stores (held runs). Timers (heartbeat interval, backoff) use the event loop's own time.
 */
export interface NodeClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The system clock. */
export const systemNodeClock: NodeClock = Object.freeze({ now: () => Date.now() });

/** The clock's time as an ISO-8601 string. */
export function isoNow(clock: NodeClock): string {
  return new Date(clock.now()).toISOString();
}

/** The clock's time as a Date (the node's audit log stamps its entries with it). */
export function stamp(clock: NodeClock): Date {
  return new Date(clock.now());
}
