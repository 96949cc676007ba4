/** Small data hooks: load once, poll, and the hash route. */
import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of an async load. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` on mount and when `deps` change, and again every `pollMs` when given (5 s for node status);
 * stale answers of an earlier run are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      loadRef
        .current()
        .then((d) => {
          if (!live) return;
          setData(d);
          setError(null);
        })
        .catch((e: unknown) => live && setError(e))
        .finally(() => {
          if (!live) return;
          setLoading(false);
          if (pollMs) timer = setTimeout(run, pollMs);
        });
    };
    setLoading(true);
    run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, pollMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** The location hash without its `#`, updated on navigation (the dashboard routes by hash). */
export function useHashRoute(): string {
  const [h, setH] = useState(() => window.location.hash.replace(/^#/, ''));
  useEffect(() => {
    const on = () => setH(window.location.hash.replace(/^#/, ''));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return h;
}

/** Goes to a dashboard route ("/studies/..."). */
export function navigate(route: string): void {
  window.location.hash = route;
}
