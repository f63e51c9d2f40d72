import { useEffect, useRef } from 'react';
import type { Attempt, StepRun, WorkflowStep } from '../api/types';
import { clockTime, dateTime, duration, elapsed, plural, timeAgo } from '../lib/format';
import { CodeBlock, KeyValueTable } from './CodeBlock';
import { KindTile, KindTitle } from './KindIcon';
import { StatusBadge } from './StatusBadge';

interface StepPanelProps {
  step: StepRun;
  definition?: WorkflowStep;
  /** Instead of the step's name: an item of a `for_each` step says which. */
  title?: string;
  onClose: () => void;
}

/** A step of a run in detail: its error, the attempts timeline, the rendered input and the output. */
export function StepPanel({ step, definition, title, onClose }: StepPanelProps) {
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeButton.current?.focus();
  }, [step.id]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const kind = definition?.uses ?? '';
  return (
    <aside className="panel" aria-label={`Step ${step.id}`} data-step-id={step.id}>
      <header className="panel__header">
        <KindTile kind={kind} />
        <div className="panel__titles">
          <span className="gnode__kind">
            <KindTitle kind={kind} />
          </span>
          <h2>{title ?? definition?.name ?? step.id}</h2>
        </div>
        <StatusBadge status={step.status} />
        <button ref={closeButton} type="button" className="icon-button" onClick={onClose} aria-label="Close step details">
          ×
        </button>
      </header>
      <dl className="facts">
        <div>
          <dt>Step</dt>
          <dd className="mono">{step.id}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd title={dateTime(step.started_at)}>{step.started_at ? clockTime(step.started_at) : '—'}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(elapsed(step.started_at, step.finished_at))}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{step.attempts.length}</dd>
        </div>
      </dl>
      {definition?.if && (
        <p className="panel__note">
          Runs only if <code>{definition.if}</code>
        </p>
      )}
      {step.next_attempt_at && step.status !== 'succeeded' && step.status !== 'failed' && (
        <p className="panel__note">
          Next attempt {timeAgo(step.next_attempt_at)} ({clockTime(step.next_attempt_at)}).
        </p>
      )}
      <div className="panel__body">
        {step.error && (
          <section className="panel__section">
            <h3>Error</h3>
            <pre className="error-box">{step.error}</pre>
          </section>
        )}
        <section className="panel__section">
          <h3>Attempts</h3>
          {step.attempts.length === 0 ? (
            <p className="muted">{step.status === 'skipped' ? 'Skipped: no attempt was made.' : 'No attempt yet.'}</p>
          ) : (
            <ol className="timeline">
              {step.attempts.map((attempt) => (
                <AttemptItem key={attempt.n} attempt={attempt} />
              ))}
            </ol>
          )}
        </section>
        <section className="panel__section">
          <h3>Input</h3>
          <p className="panel__hint">Rendered from the templates; secrets show as [secret].</p>
          <CodeBlock value={step.input} label="Rendered input" empty="Not rendered (the step did not start)." />
        </section>
        <section className="panel__section">
          <h3>Output</h3>
          <CodeBlock value={step.output} label="Output" empty="No output." />
        </section>
      </div>
    </aside>
  );
}

function AttemptItem({ attempt }: { attempt: Attempt }) {
  const response = attempt.response;
  return (
    <li className={`timeline__item timeline__item--${attempt.status}`} data-attempt={attempt.n}>
      <span className="timeline__marker" aria-hidden="true">
        {attempt.n}
      </span>
      <div className="timeline__content">
        <div className="timeline__head">
          <strong>Attempt {attempt.n}</strong>
          <StatusBadge status={attempt.status} />
          {response && (
            <span className={`http-status http-status--${Math.floor(response.status / 100)}xx`} data-http-status={response.status}>
              HTTP {response.status}
            </span>
          )}
          <span className="muted">{duration(attempt.duration_ms)}</span>
          <span className="muted" title={dateTime(attempt.started_at)}>
            {clockTime(attempt.started_at)}
          </span>
        </div>
        {attempt.error && attempt.error !== `HTTP ${response?.status}` && <p className="timeline__error">{attempt.error}</p>}
        {response?.body && <CodeBlock value={response.body} label={`Response body (${plural(response.body.length, 'character')})`} />}
        {(attempt.request !== null || response?.headers) && (
          <details className="timeline__more">
            <summary>Request and response headers</summary>
            {attempt.request !== null && <CodeBlock value={attempt.request} label="Request as sent" />}
            {response?.headers && (
              <>
                <h4>Response headers</h4>
                <KeyValueTable values={response.headers} />
              </>
            )}
          </details>
        )}
      </div>
    </li>
  );
}
