import { useEffect, useMemo, useRef } from 'react';

/**
 * `callback`, run once `delayMs` after the first of a burst of calls: a burst of live messages
 * causes one refetch, and a steady stream one per `delayMs` (a plain debounce would wait for
 * the stream to stop, which on a busy server is never).
 */
export function useDebouncedCallback(callback: () => void, delayMs: number): () => void {
  const latest = useRef(callback);
  latest.current = callback;
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );
  return useMemo(
    () => () => {
      if (timer.current !== undefined) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        latest.current();
      }, delayMs);
    },
    [delayMs],
  );
}
