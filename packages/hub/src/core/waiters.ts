/**
 * In-process wake-ups keyed by a string (a node id for waiting claims, a task id for long-polls). A wait
 * ends when it is notified, when its time is up, or when the hub closes; callers then re-read the
 * database, which stays the only source of truth (so several hub processes also work, by polling).
 */
export interface Waiters {
  /** Resolves after `ms` milliseconds or earlier when `key` is notified or the hub closes. */
  wait(key: string, ms: number): Promise<void>;
  /** Wakes every waiter on `key`. */
  notify(key: string): void;
  /** Wakes everyone and makes later waits return at once (used on shutdown). */
  close(): void;
  /** True after {@link close}. */
  readonly closed: boolean;
}

/** A new, empty set of waiters. */
export function createWaiters(): Waiters {
  const byKey = new Map<string, Set<() => void>>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    wait(key, ms) {
      if (closed || ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let set = byKey.get(key);
        if (!set) {
          set = new Set();
          byKey.set(key, set);
        }
        const done = () => {
          clearTimeout(timer);
          const s = byKey.get(key);
          s?.delete(done);
          if (s?.size === 0) byKey.delete(key);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
      });
    },
    notify(key) {
      for (const fn of [...(byKey.get(key) ?? [])]) fn();
    },
    close() {
      closed = true;
      for (const set of [...byKey.values()]) for (const fn of [...set]) fn();
    },
  };
}
