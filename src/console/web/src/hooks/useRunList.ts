import { api, queryString } from '../api/client';
import type { Page, RunStatus, RunSummary } from '../api/types';
import { useDebouncedCallback } from './useDebouncedCallback';
import { useLiveMessages } from './useLive';
import { PagedList, usePagedList } from './usePagedList';

export interface RunFilter {
  workflow?: string;
  status?: RunStatus;
  event?: string;
}

/** Runs, newest first, kept current by the change stream: new runs slide in, statuses change in place. */
export function useRunList(filter: RunFilter, limit = 50): PagedList<RunSummary> {
  const list = usePagedList(
    (cursor, signal) => api<Page<RunSummary>>('GET', `/api/runs${queryString({ ...filter, limit, cursor })}`, { signal }),
    [filter.workflow, filter.status, filter.event, limit],
  );
  const refresh = useDebouncedCallback(() => void list.refresh(), 400);
  useLiveMessages((message) => {
    if (message.type !== 'run.created' && message.type !== 'run.updated') return;
    if (message.run_id === null) return refresh(); // reconnected: catch up
    if (filter.workflow && message.workflow && message.workflow !== filter.workflow) return;
    if (filter.event && message.event_id && message.event_id !== filter.event) return;
    if (message.type === 'run.updated' && message.status) {
      const status = message.status as RunStatus;
      list.patch(message.run_id, (run) => (filter.status && filter.status !== status ? null : { ...run, status }));
    }
    refresh();
  });
  return list;
}
