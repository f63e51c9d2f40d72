import { useEffect } from 'react';
import { api } from '../api/client';
import type { Page, SourceHealth } from '../api/types';
import { PageHeader } from '../components/Layout';
import { PauseButton, PausedNotice } from '../components/PauseControl';
import { StatusBadge } from '../components/StatusBadge';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { dateTime, percent, timeAgo } from '../lib/format';
import { Link } from '../lib/router';

/** healthy: nothing refused; warning: some; failing: most of what came in. */
function healthOf(source: SourceHealth): { tone: 'good' | 'warn' | 'bad' | 'idle'; label: string } {
  if (source.accepted_24h + source.rejected_24h === 0) return { tone: 'idle', label: 'No traffic in 24 h' };
  const rate = source.rejection_rate_24h ?? 0;
  if (rate === 0) return { tone: 'good', label: 'Healthy' };
  if (rate < 0.5) return { tone: 'warn', label: 'Some requests refused' };
  return { tone: 'bad', label: 'Most requests refused' };
}

export function SourcesPage() {
  useDocumentTitle('Sources');
  const { data, error, loading, reload } = useApi((signal) => api<Page<SourceHealth>>('GET', '/api/sources', { signal }), []);
  const refresh = useDebouncedCallback(() => void reload(), 1500);
  // Refused requests are not streamed (nothing is stored for them but the reason): look again now and then.
  useEffect(() => {
    const timer = setInterval(() => void reload(), 15_000);
    return () => clearInterval(timer);
  }, [reload]);
  useLiveMessages((message) => {
    if (message.type === 'event.received' || message.run_id === null) refresh();
  });

  return (
    <>
      <PageHeader title="Sources">
        Inbound endpoints declared in <code>workflows/sources.yaml</code>: what they accepted and refused over the last 24 hours, and why.
      </PageHeader>
      {loading ? (
        <Loading label="Loading sources…" />
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : data!.items.length === 0 ? (
        <EmptyState title="No sources declared">
          Declare one in <code>workflows/sources.yaml</code>, e.g.{' '}
          <code>
            sources: {'{'} shop: {'{'} verify: {'{'} scheme: none {'}'} {'}'} {'}'}
          </code>
          .
        </EmptyState>
      ) : (
        <div className="cards">
          {data!.items.map((source) => {
            const health = healthOf(source);
            return (
              <article key={source.name} className={`card source source--${health.tone}`} aria-labelledby={`source-${source.name}`} data-source={source.name}>
                <header className="source__head">
                  <h2 id={`source-${source.name}`}>{source.name}</h2>
                  {source.paused ? (
                    <StatusBadge status="paused" />
                  ) : (
                    <span className={`health health--${health.tone}`}>
                      <span className="badge__dot" aria-hidden="true" />
                      {health.label}
                    </span>
                  )}
                </header>
                {source.paused && <PausedNotice kind="source" paused={source.paused} />}
                <p className="source__url">
                  <code>POST {window.location.origin + source.path}</code>
                </p>
                <p className="muted">
                  Verification: <strong>{source.scheme}</strong>
                </p>
                <dl className="stats">
                  <div>
                    <dt>Accepted</dt>
                    <dd className="stats__good">{source.accepted_24h}</dd>
                  </div>
                  <div>
                    <dt>Refused</dt>
                    <dd className={source.rejected_24h > 0 ? 'stats__bad' : undefined}>{source.rejected_24h}</dd>
                  </div>
                  <div>
                    <dt>Refusal rate</dt>
                    <dd>{percent(source.rejection_rate_24h)}</dd>
                  </div>
                  <div>
                    <dt>Last event</dt>
                    <dd className="stats__small" title={dateTime(source.last_event_at)}>
                      {source.last_event_at ? timeAgo(source.last_event_at) : 'never'}
                    </dd>
                  </div>
                </dl>
                <h3 className="small-title">Recent signature failures</h3>
                {source.recent_failures.length === 0 ? (
                  <p className="muted">None.</p>
                ) : (
                  <ul className="failures">
                    {source.recent_failures.map((failure, index) => (
                      <li key={index}>
                        <span className="failures__reason">{failure.reason}</span>
                        <span className="muted" title={dateTime(failure.received_at)}>
                          {timeAgo(failure.received_at)}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
                <footer className="source__links">
                  <Link to={`/events?source=${encodeURIComponent(source.name)}`}>Events</Link>
                  <Link to={`/events?source=${encodeURIComponent(source.name)}&status=failed`}>Failed events</Link>
                  <Link to={`/dry-run?source=${encodeURIComponent(source.name)}`}>Test an event</Link>
                  <PauseButton kind="source" name={source.name} paused={source.paused} onChange={reload} />
                </footer>
              </article>
            );
          })}
        </div>
      )}
    </>
  );
}
