import type { StepPreview, WorkflowPreview } from '../api/types';
import { kindLook } from '../lib/catalog';
import { Link } from '../lib/router';
import { CodeBlock, KeyValueTable } from './CodeBlock';
import { KindTile } from './KindIcon';
import { StatusBadge } from './StatusBadge';

/** A workflow that matches a dry run: its notes, unset secrets and the exact request of every step. */
export function WorkflowResult({ match }: { match: WorkflowPreview }) {
  const unset = match.secrets.filter((secret) => !secret.set);
  return (
    <section className="card result" aria-labelledby={`result-${match.workflow}`} data-workflow={match.workflow} data-matched="true">
      <div className="card__head">
        <h2 id={`result-${match.workflow}`}>
          <Link to={`/workflows/${encodeURIComponent(match.workflow)}`}>{match.workflow}</Link>
        </h2>
        <span className="badge badge--succeeded">
          <span className="badge__dot" aria-hidden="true" />
          matches
        </span>
        <span className="muted">{match.steps.length} steps</span>
      </div>
      {(match.notes.length > 0 || unset.length > 0) && (
        <ul className="notes card__pad">
          {match.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
          {unset.length > 0 && <li>Secrets not set on this server: {unset.map((secret) => secret.name).join(', ')} (a real run would fail on them).</li>}
        </ul>
      )}
      <ol className="plan">
        {match.steps.map((step, index) => (
          <PlannedStep key={step.id} step={step} index={index + 1} />
        ))}
      </ol>
    </section>
  );
}

function PlannedStep({ step, index }: { step: StepPreview; index: number }) {
  const kindTitle = kindLook(step.kind).title;
  return (
    <li className={`plan__step plan__step--${step.status}`} data-step={step.id} data-status={step.status}>
      <div className="plan__head">
        <span className="plan__index">{index}</span>
        <KindTile kind={step.kind} />
        <strong className="mono">{step.id}</strong>
        <span className="muted">{step.name ?? kindTitle}</span>
        <StatusBadge status={step.status} />
      </div>
      {step.condition && (
        <p className="plan__condition">
          if <code>{step.condition.template}</code> → <strong>{step.condition.result}</strong>
        </p>
      )}
      {step.note && <p className={`plan__note${step.status === 'would-fail' ? ' plan__note--error' : ''}`}>{step.note}</p>}
      {step.request ? (
        <div className="request">
          <p className="request__line">
            <span className="method">{step.request.method}</span>
            <code className="request__url">{step.request.url}</code>
          </p>
          <details open>
            <summary>Headers ({Object.keys(step.request.headers).length})</summary>
            <KeyValueTable values={step.request.headers} />
          </details>
          <CodeBlock value={step.request.body} label="Body" empty="No body." />
        </div>
      ) : (
        step.summary && (
          <div className="request">
            {step.summary !== step.kind && (
              <p className="request__line">
                <code>{step.summary}</code>
              </p>
            )}
            {step.detail !== undefined && <CodeBlock value={step.detail} label={kindTitle} />}
          </div>
        )
      )}
    </li>
  );
}
