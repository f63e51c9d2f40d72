import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api/types';

export interface PagedList<T> {
  items: T[];
  error: Error | undefined;
  loading: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  /** Ids that arrived through `refresh()` since the first load, for a short highlight. */
  fresh: ReadonlySet<string>;
  loadMore: () => Promise<void>;
  /** Reloads the first page and merges it in front of the pages already shown. */
  refresh: () => Promise<void>;
  /** Changes or drops (when `update` answers null) one item in place. */
  patch: (id: string, update: (item: T) => T | null) => void;
  reload: () => Promise<void>;
}

const FRESH_MS = 2500;

/** A cursor-paginated list ("load more") that live updates can refresh without losing its place. */
export function usePagedList<T extends { id: string }>(
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const generation = useRef(0);
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    const current = ++generation.current;
    controller.current?.abort();
    controller.current = new AbortController();
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchRef.current(null, controller.current.signal);
      if (current !== generation.current) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setFresh(new Set());
    } catch (failure) {
      if (current === generation.current && (failure as Error).name !== 'AbortError') setError(failure as Error);
    } finally {
      if (current === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const current = generation.current;
    setLoadingMore(true);
    try {
      const page = await fetchRef.current(cursor, new AbortController().signal);
      if (current !== generation.current) return;
      setItems((shown) => [...shown, ...page.items.filter((item) => !shown.some((existing) => existing.id === item.id))]);
      setCursor(page.next_cursor);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setLoadingMore(false);
    }
  }, [cursor]);

  const shownRef = useRef(items);
  shownRef.current = items;

  const refresh = useCallback(async () => {
    const current = generation.current;
    try {
      const page = await fetchRef.current(null, new AbortController().signal);
      if (current !== generation.current) return;
      const shown = shownRef.current;
      const known = new Set(shown.map((item) => item.id));
      const arrived = page.items.filter((item) => !known.has(item.id)).map((item) => item.id);
      const onFirstPage = new Set(page.items.map((item) => item.id));
      setItems([...page.items, ...shown.filter((item) => !onFirstPage.has(item.id))]);
      // Later pages are still reached from the last item shown, except when nothing was shown.
      if (shown.length === 0) setCursor(page.next_cursor);
      if (arrived.length > 0) {
        setFresh(new Set(arrived));
        setTimeout(() => setFresh(new Set()), FRESH_MS);
      }
    } catch {
      // A failed live refresh keeps what is shown; the next change tries again.
    }
  }, []);

  const patch = useCallback((id: string, update: (item: T) => T | null) => {
    setItems((shown) => shown.flatMap((item) => (item.id === id ? (update(item) ?? []) : [item])));
  }, []);

  return { items, error, loading, loadingMore, hasMore: cursor !== null, fresh, loadMore, refresh, patch, reload };
}
