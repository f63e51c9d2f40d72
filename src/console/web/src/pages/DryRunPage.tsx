import { FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { DryRunAnswer, Page, SourceHealth } from '../api/types';
import { WorkflowResult } from '../components/WorkflowResult';
import { PageHeader } from '../components/Layout';
import { ErrorState, Loading } from '../components/States';
import { useApi } from '../hooks/useApi';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { Link, useSearchParams } from '../lib/router';

type Mode = 'paste' | 'stored';

const EXAMPLE_BODY = '{\n  "type": "order.paid",\n  "order": { "id": "A-1", "total": 12 }\n}';

/** `Name: value` lines into headers. */
function parseHeaders(text: string): { headers: Record<string, string>; problem?: string } {
  const headers: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { headers, problem: `Header line ${index + 1} needs the form "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}

/** A JSON body as data; anything else is sent as the raw text it is. */
function bodyOf(text: string): { body: unknown; asText: boolean } {
  try {
    return { body: JSON.parse(text), asText: false };
  } catch {
    return { body: text, asText: true };
  }
}

/** "Test an event": which workflows a stored or pasted event would start, and what each step would send. Nothing is sent. */
export function DryRunPage() {
  useDocumentTitle('Test an event');
  const [params, setParams] = useSearchParams();
  const storedId = params.get('event');
  const [mode, setMode] = useState<Mode>(storedId ? 'stored' : 'paste');
  const sources = useApi((signal) => api<Page<SourceHealth>>('GET', '/api/sources', { signal }), []);
  const [source, setSource] = useState(params.get('source') ?? '');
  const [type, setType] = useState('');
  const [headersText, setHeadersText] = useState('');
  const [bodyText, setBodyText] = useState(EXAMPLE_BODY);
  const [eventId, setEventId] = useState(storedId ?? '');
  const [formError, setFormError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<DryRunAnswer>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [sentAsText, setSentAsText] = useState(false);
  const results = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!source && sources.data?.items[0]) setSource(sources.data.items[0].name);
  }, [sources.data, source]);

  const run = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await api<DryRunAnswer>('POST', '/api/dry-run', { body }));
      requestAnimationFrame(() => results.current?.focus());
    } catch (failure) {
      setAnswer(undefined);
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  // Opened from an event page ("Dry run"): run it at once.
  useEffect(() => {
    if (storedId) void run({ event_id: storedId });
  }, [storedId]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    if (mode === 'stored') {
      const id = eventId.trim();
      if (!/^[0-9a-f-]{36}$/i.test(id)) return setFormError('Paste an event id (a uuid, as on the Events page).');
      if (id === storedId) return void run({ event_id: id });
      return setParams({ event: id });
    }
    if (!source) return setFormError('Choose the source the event comes to.');
    const { headers, problem } = parseHeaders(headersText);
    if (problem) return setFormError(problem);
    const { body, asText } = bodyOf(bodyText);
    setSentAsText(asText);
    void run({ source, body, ...(Object.keys(headers).length > 0 ? { headers } : {}), ...(type.trim() ? { type: type.trim() } : {}) });
  };

  return (
    <>
      <PageHeader title="Test an event">
        See which workflows an event would start and the exact requests each step would send — rendered with secrets as [secret]. Nothing is sent and nothing is
        stored.
      </PageHeader>
      <div className="dry-run">
        <form className="card dry-run__form" onSubmit={submit} aria-label="Event to test">
          <div className="tabs" role="tablist" aria-label="Where the event comes from">
            {(['paste', 'stored'] as Mode[]).map((value) => (
              <button
                key={value}
                type="button"
                role="tab"
                aria-selected={mode === value}
                className={`tab${mode === value ? ' tab--active' : ''}`}
                onClick={() => setMode(value)}
              >
                {value === 'paste' ? 'Paste an event' : 'Stored event'}
              </button>
            ))}
          </div>
          {mode === 'paste' ? (
            <div className="form-grid">
              <label className="field">
                <span>Source</span>
                <select name="source" value={source} onChange={(event) => setSource(event.target.value)} required>
                  {sources.data?.items.length === 0 && <option value="">No source declared</option>}
                  {sources.data?.items.map((item) => (
                    <option key={item.name} value={item.name}>
                      {item.name} ({item.scheme})
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>
                  Event type <span className="muted">(optional)</span>
                </span>
                <input
                  name="type"
                  value={type}
                  onChange={(event) => setType(event.target.value)}
                  placeholder="from the source’s event_type"
                  spellCheck={false}
                />
              </label>
              <label className="field field--wide">
                <span>
                  Headers <span className="muted">(optional, one “Name: value” per line)</span>
                </span>
                <textarea
                  name="headers"
                  rows={2}
                  value={headersText}
                  onChange={(event) => setHeadersText(event.target.value)}
                  spellCheck={false}
                  placeholder="x-event-id: evt-1"
                />
              </label>
              <label className="field field--wide">
                <span>Body (JSON, or any text)</span>
                <textarea name="body" className="mono" rows={10} value={bodyText} onChange={(event) => setBodyText(event.target.value)} spellCheck={false} />
              </label>
            </div>
          ) : (
            <div className="form-grid">
              <label className="field field--wide">
                <span>Event id</span>
                <input
                  name="event_id"
                  className="mono"
                  value={eventId}
                  onChange={(event) => setEventId(event.target.value)}
                  placeholder="0193…"
                  spellCheck={false}
                />
              </label>
              <p className="muted field--wide">
                Pick one on the <Link to="/events">Events</Link> page (“Dry run” on an event) or paste its id. It is tried against the workflows in force now.
              </p>
            </div>
          )}
          {formError && (
            <p className="field__error" role="alert">
              {formError}
            </p>
          )}
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy ? 'Running…' : 'Run dry run'}
            </button>
            <span className="muted">Nothing is sent.</span>
          </div>
        </form>
        <div className="dry-run__results" ref={results} tabIndex={-1} aria-live="polite" aria-busy={busy}>
          {busy && <Loading label="Rendering every step…" />}
          {!busy && error && <ErrorState error={error} title="The dry run could not run" />}
          {!busy && answer && <DryRunResults answer={answer} sentAsText={sentAsText && mode === 'paste'} />}
          {!busy && !answer && !error && (
            <div className="state state--empty">
              <strong>Results appear here</strong>
              <div className="state__text">Each workflow of the source, whether it matches, and the request of every step.</div>
            </div>
          )}
        </div>
      </div>
    </>
  );
}

function DryRunResults({ answer, sentAsText }: { answer: DryRunAnswer; sentAsText: boolean }) {
  const matching = answer.matches.filter((match) => match.matched);
  const others = answer.matches.filter((match) => !match.matched);
  return (
    <div className="results">
      <p className="results__summary" data-testid="dry-run-summary">
        <span className="chip chip--source">{answer.event.source}</span>
        <code>{answer.event.type || '(no type)'}</code>
        {answer.event.id && (
          <Link to={`/events/${answer.event.id}`} className="mono muted-link">
            event {answer.event.id.slice(-8)}
          </Link>
        )}
        <strong>
          {matching.length} of {answer.matches.length} {answer.matches.length === 1 ? 'workflow matches' : 'workflows match'}
        </strong>
      </p>
      {sentAsText && <p className="callout callout--info">The body is not JSON: it was tried as text.</p>}
      {answer.notes.map((note) => (
        <p key={note} className="callout callout--info">
          {note}
        </p>
      ))}
      {matching.map((match) => (
        <WorkflowResult key={match.workflow} match={match} />
      ))}
      {others.length > 0 && (
        <section className="card" aria-label="Workflows that do not match">
          <div className="card__head">
            <h2>Not matching</h2>
          </div>
          <ul className="nomatch">
            {others.map((match) => (
              <li key={match.workflow} data-workflow={match.workflow} data-matched="false">
                <Link to={`/workflows/${encodeURIComponent(match.workflow)}`} className="strong-link">
                  {match.workflow}
                </Link>
                <span className="nomatch__reason">{match.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
