/** The hub's notion of time, injected so tests can move it (leases, token expiry, lockout, skew). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
