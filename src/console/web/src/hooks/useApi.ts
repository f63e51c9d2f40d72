import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True until the first answer; reloads keep showing the previous data. */
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads `fetcher` when `deps` change (aborting the previous load) and on `reload()`, which
 * live updates call: the data stays on screen while it refreshes.
 */
export function useApi<T>(fetcher: (signal: AbortSignal) => Promise<T>, deps: DependencyList): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const controller = useRef<AbortController | null>(null);

  const load = useCallback(async () => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    try {
      const answer = await fetcherRef.current(current.signal);
      if (current.signal.aborted) return;
      setData(answer);
      setError(undefined);
    } catch (failure) {
      if (current.signal.aborted || (failure as Error).name === 'AbortError') return;
      setError(failure as Error);
    } finally {
      if (!current.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    setError(undefined);
    void load();
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { data, error, loading, reload: load };
}
