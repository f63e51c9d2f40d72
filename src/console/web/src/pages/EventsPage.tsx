import { FormEvent, useEffect, useState } from 'react';
import { api, queryString } from '../api/client';
import { EVENT_STATUSES, EventStatus, EventSummary, Page, SourceHealth } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { LoadMore } from '../components/LoadMore';
import { PageHeader } from '../components/Layout';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { useToast } from '../components/Toasts';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { usePagedList } from '../hooks/usePagedList';
import { dateTime, shortId, timeAgo } from '../lib/format';
import { Link, useSearchParams } from '../lib/router';

const REPLAY_LIMIT = 100;

export function EventsPage() {
  useDocumentTitle('Events');
  const [params, setParams] = useSearchParams();
  const filter = {
    source: params.get('source') ?? undefined,
    type: params.get('type') ?? undefined,
    status: (params.get('status') as EventStatus | null) ?? undefined,
    q: params.get('q') ?? undefined,
  };
  const events = usePagedList(
    (cursor, signal) => api<Page<EventSummary>>('GET', `/api/events${queryString({ ...filter, limit: 50, cursor })}`, { signal }),
    [filter.source, filter.type, filter.status, filter.q],
  );
  const sources = useApi((signal) => api<Page<SourceHealth>>('GET', '/api/sources', { signal }), []);
  const refresh = useDebouncedCallback(() => void events.refresh(), 300);
  useLiveMessages((message) => {
    if (message.type === 'event.received' || message.type === 'run.updated' || message.run_id === null) refresh();
  });

  // Text fields apply on submit (Enter), so that typing does not fire a search per key.
  const [typeText, setTypeText] = useState(filter.type ?? '');
  const [queryText, setQueryText] = useState(filter.q ?? '');
  useEffect(() => setTypeText(filter.type ?? ''), [filter.type]);
  useEffect(() => setQueryText(filter.q ?? ''), [filter.q]);
  const search = (event: FormEvent) => {
    event.preventDefault();
    setParams({ type: typeText.trim(), q: queryText.trim() });
  };

  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const replayAll = async () => {
    setBusy(true);
    try {
      const answer = await api<{ replayed: number; runs: number }>('POST', '/api/events/replay', { body: { ...clean(filter), limit: REPLAY_LIMIT } });
      toast('success', `Replayed ${answer.replayed} ${answer.replayed === 1 ? 'event' : 'events'}: ${answer.runs} new ${answer.runs === 1 ? 'run' : 'runs'}.`);
      setConfirming(false);
      void events.refresh();
    } catch (error) {
      toast('error', `Replay failed: ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const filtered = Object.values(filter).some((value) => value !== undefined);
  return (
    <>
      <PageHeader
        title="Events"
        actions={
          events.items.length > 0 ? (
            <button type="button" className="button" onClick={() => setConfirming(true)}>
              Replay {filtered ? 'matching' : 'all'}…
            </button>
          ) : undefined
        }
      >
        Every event received, newest first: search by source, type, status or text in the body.
      </PageHeader>
      <form className="filters" role="search" aria-label="Search events" onSubmit={search}>
        <label className="field field--inline">
          <span>Source</span>
          <select name="source" value={filter.source ?? ''} onChange={(event) => setParams({ source: event.target.value })}>
            <option value="">All sources</option>
            {sources.data?.items.map((source) => (
              <option key={source.name} value={source.name}>
                {source.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline">
          <span>Type</span>
          <input name="type" value={typeText} onChange={(event) => setTypeText(event.target.value)} placeholder="order.* " spellCheck={false} />
        </label>
        <label className="field field--inline">
          <span>Status</span>
          <select name="status" value={filter.status ?? ''} onChange={(event) => setParams({ status: event.target.value })}>
            <option value="">Any status</option>
            {EVENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline field--grow">
          <span>Body contains</span>
          <input
            name="q"
            type="search"
            value={queryText}
            onChange={(event) => setQueryText(event.target.value)}
            placeholder="Text in the body, e.g. an order id"
          />
        </label>
        <button type="submit" className="button button--primary">
          Search
        </button>
        {filtered && (
          <button type="button" className="link-button" onClick={() => setParams({ source: undefined, type: undefined, status: undefined, q: undefined })}>
            Clear
          </button>
        )}
      </form>
      {events.loading ? (
        <Loading label="Loading events…" />
      ) : events.error ? (
        <ErrorState error={events.error} onRetry={events.reload} />
      ) : events.items.length === 0 ? (
        <EmptyState title={filtered ? 'No event matches' : 'No events yet'}>
          {filtered ? (
            'Change or clear the search.'
          ) : (
            <>
              Events appear here live when a sender posts to <code>/hooks/&lt;source&gt;</code>. See <Link to="/sources">Sources</Link> for the URLs.
            </>
          )}
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Events">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Source</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Runs
                  </th>
                  <th scope="col">Event</th>
                </tr>
              </thead>
              <tbody>
                {events.items.map((event) => (
                  <tr key={event.id} className={events.fresh.has(event.id) ? 'row--fresh' : undefined} data-event-id={event.id}>
                    <td title={dateTime(event.received_at)}>{timeAgo(event.received_at)}</td>
                    <td>
                      <span className="chip chip--source">{event.source}</span>
                    </td>
                    <td>
                      <Link to={`/events/${event.id}`} className="strong-link mono">
                        {event.type || '(no type)'}
                      </Link>
                    </td>
                    <td>
                      <StatusBadge status={event.status} />
                    </td>
                    <td className="num">{event.runs_count}</td>
                    <td>
                      <Link to={`/events/${event.id}`} className="mono muted-link" title={event.id}>
                        {shortId(event.id)}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore hasMore={events.hasMore} loading={events.loadingMore} onClick={events.loadMore} count={events.items.length} noun="events" />
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title="Replay these events?"
        confirmLabel="Replay"
        busy={busy}
        onConfirm={replayAll}
        onCancel={() => setConfirming(false)}
      >
        <p>
          The newest {REPLAY_LIMIT} events {filtered ? 'matching the current search' : ''} are matched again against the workflows in force now, and every match
          starts a new run. Receivers will be called again.
        </p>
        {filtered && (
          <ul className="plain-list">
            {Object.entries(clean(filter)).map(([key, value]) => (
              <li key={key}>
                {key}: <code>{value}</code>
              </li>
            ))}
          </ul>
        )}
      </ConfirmDialog>
    </>
  );
}

function clean(filter: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
