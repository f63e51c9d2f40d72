import { useState } from 'react';
import { api } from '../api/client';
import type { EventDetail, ReplayAnswer } from '../api/types';
import { CodeBlock, KeyValueTable } from '../components/CodeBlock';
import { PageHeader } from '../components/Layout';
import { Loading, RecordNotLoaded } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { useToast } from '../components/Toasts';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { dateTime, shortId, timeAgo } from '../lib/format';
import { Link, navigate } from '../lib/router';

export function EventPage({ id }: { id: string }) {
  const event = useApi((signal) => api<EventDetail>('GET', `/api/events/${id}`, { signal }), [id]);
  useDocumentTitle(event.data ? `Event ${event.data.type || shortId(id)}` : 'Event');
  const toast = useToast();
  const [replaying, setReplaying] = useState(false);
  const [raw, setRaw] = useState(false);
  const refetch = useDebouncedCallback(() => void event.reload(), 200);
  useLiveMessages((message) => {
    const ours = message.run_id === null || (event.data?.runs.some((run) => run.id === message.run_id) ?? false) || message.event_id === id;
    if (ours && message.type !== 'event.received') refetch();
  });

  if (event.loading) return <Loading label="Loading the event…" />;
  if (event.error || !event.data) return <RecordNotLoaded error={event.error} onRetry={event.reload} noun="event" id={id} back="/events" />;
  const detail = event.data;

  const replay = async () => {
    setReplaying(true);
    try {
      const answer = await api<ReplayAnswer>('POST', `/api/events/${id}/replay`);
      const count = answer.runs.length;
      toast(
        count > 0 ? 'success' : 'info',
        count > 0
          ? `Replayed: ${count} new ${count === 1 ? 'run' : 'runs'} (${answer.runs.map((run) => run.workflow).join(', ')}).`
          : 'Replayed: no workflow matches this event now.',
      );
      await event.reload();
    } catch (error) {
      toast('error', `Replay failed: ${(error as Error).message}`);
    } finally {
      setReplaying(false);
    }
  };

  const bodyIsJson = detail.body_json !== undefined;
  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/events">Events</Link> / <span className="mono">{shortId(detail.id)}</span>
          </>
        }
        title={<span className="mono">{detail.type || '(no type)'}</span>}
        actions={
          <>
            <button type="button" className="button" onClick={() => navigate(`/dry-run?event=${detail.id}`)}>
              Dry run
            </button>
            <button type="button" className="button button--primary" onClick={replay} disabled={replaying}>
              {replaying ? 'Replaying…' : 'Replay'}
            </button>
          </>
        }
      >
        <dl className="facts facts--inline">
          <div>
            <dt>Source</dt>
            <dd>
              <span className="chip chip--source">{detail.source}</span>
            </dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd title={dateTime(detail.received_at)}>
              {timeAgo(detail.received_at)} · {dateTime(detail.received_at)}
            </dd>
          </div>
          <div>
            <dt>Event id</dt>
            <dd className="mono">{detail.id}</dd>
          </div>
          {detail.dedupe_key && (
            <div>
              <dt>Dedupe key</dt>
              <dd className="mono">{detail.dedupe_key}</dd>
            </div>
          )}
        </dl>
      </PageHeader>

      <div className="grid-2">
        <section className="card" aria-labelledby="event-runs">
          <div className="card__head">
            <h2 id="event-runs">Runs it started</h2>
            <span className="muted">{detail.runs.length}</span>
          </div>
          {detail.runs.length === 0 ? (
            <p className="muted card__pad">No workflow ran for this event{detail.match_notes.length > 0 ? ' — see the notes below' : ''}.</p>
          ) : (
            <ul className="run-list">
              {detail.runs.map((run) => (
                <li key={run.id} data-run-id={run.id}>
                  <StatusBadge status={run.status} />
                  <Link to={`/runs/${run.id}`} className="strong-link">
                    {run.workflow}
                  </Link>
                  <span className="mono muted">{shortId(run.id)}</span>
                  <span className="muted" title={dateTime(run.created_at)}>
                    {timeAgo(run.created_at)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {detail.match_notes.length > 0 && (
            <div className="card__pad">
              <h3 className="small-title">Match notes</h3>
              <ul className="notes">
                {detail.match_notes.map((note, index) => (
                  <li key={index}>
                    {note.workflow && <strong>{note.workflow}: </strong>}
                    {note.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="event-headers">
          <div className="card__head">
            <h2 id="event-headers">Headers</h2>
            <span className="muted">credentials stored as [secret]</span>
          </div>
          <KeyValueTable values={detail.headers} />
          {detail.query && (
            <div className="card__pad">
              <h3 className="small-title">Query string</h3>
              <code className="mono">?{detail.query}</code>
            </div>
          )}
        </section>
      </div>

      {detail.answer && (
        <section className="section" aria-labelledby="event-answer" data-section="event-answer">
          <div className="section__head">
            <h2 id="event-answer">Answered with</h2>
            <span className="muted">
              HTTP {detail.answer.status}, from a <span className="mono">respond</span>; repeated deliveries get the same answer
            </span>
          </div>
          <KeyValueTable values={detail.answer.headers} />
          <div className="code">
            <div className="code__bar">
              <span>Answer body</span>
            </div>
            <pre tabIndex={0}>
              <code>{detail.answer.body || '(empty)'}</code>
            </pre>
          </div>
        </section>
      )}

      <section className="section" aria-labelledby="event-body">
        <div className="section__head">
          <h2 id="event-body">Body</h2>
          <span className="muted">
            {detail.content_type ?? 'no content type'} · {detail.body_format}
            {detail.body_encoding === 'base64' && ' · not UTF-8, shown as base64'}
          </span>
          {bodyIsJson && (
            <button type="button" className="link-button" onClick={() => setRaw(!raw)} aria-pressed={raw}>
              {raw ? 'Pretty' : 'Raw'}
            </button>
          )}
        </div>
        {raw || !bodyIsJson ? (
          <div className="code code--tall">
            <div className="code__bar">
              <span>Raw body, byte for byte{detail.body_encoding === 'base64' ? ' (base64)' : ''}</span>
            </div>
            <pre tabIndex={0}>
              <code>{detail.body || '(empty)'}</code>
            </pre>
          </div>
        ) : (
          <CodeBlock value={detail.body_json} label="Body (JSON, pretty)" tall />
        )}
      </section>
    </>
  );
}
