import { useState } from 'react';
import { api } from '../api/client';
import type { EventSummary, Page, Problem, WorkflowPreview } from '../api/types';
import type * as Api from '../api/api-models.generated';
import { useApi } from '../hooks/useApi';
import { shortId, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { CodeBlock } from './CodeBlock';
import { ErrorState } from './States';
import { WorkflowResult } from './WorkflowResult';

type Comparison = Api.WorkflowComparisonAnswer;
type TestFiles = Api.WorkflowTestsAnswer;
type Outcome = { preview: WorkflowPreview } | { comparison: Comparison } | { tests: TestFiles } | { problems: Problem[] } | { error: Error };
type Action = 'preview' | 'compare' | 'tests';

export interface TestPanelProps {
  /** The unsaved text: what is tried is the edit, not the version in force. */
  yaml: string;
  /** The source the trigger listens to, for the list of stored events. */
  source: string | undefined;
  onClose: () => void;
}

/**
 * "Test" in the editor: the edit tried on a stored event without sending anything — the exact
 * requests it would make, and (time travel) how they differ from what the saved version's run
 * of that event actually sent — or against the workflow's test files (`tests/*.test.yaml`).
 */
export function TestPanel({ yaml, source, onClose }: TestPanelProps) {
  const events = useApi(
    (signal) => (source ? api<Page<EventSummary>>('GET', `/api/events?source=${encodeURIComponent(source)}&limit=20`, { signal }) : Promise.resolve(undefined)),
    [source],
  );
  const [eventId, setEventId] = useState<string>('');
  const [busy, setBusy] = useState<Action | null>(null);
  const [outcome, setOutcome] = useState<Outcome>();
  const chosen = eventId || events.data?.items[0]?.id || '';

  const run = async (action: Action) => {
    setBusy(action);
    try {
      const body = { yaml, event_id: chosen };
      if (action === 'preview') setOutcome({ preview: await api<WorkflowPreview>('POST', '/api/workflows/preview', { body }) });
      else if (action === 'compare') setOutcome({ comparison: await api<Comparison>('POST', '/api/workflows/compare', { body }) });
      else setOutcome({ tests: await api<TestFiles>('POST', '/api/workflows/tests', { body: { yaml } }) });
    } catch (error) {
      const problems = (error as { details?: { problems?: Problem[] } }).details?.problems;
      setOutcome(Array.isArray(problems) ? { problems } : { error: error as Error });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="card test-panel" aria-labelledby="test-panel-title">
      <div className="card__head">
        <h2 id="test-panel-title">Test the edit</h2>
        <span className="muted">Nothing is sent, stored or saved.</span>
        <button type="button" className="icon-button" aria-label="Close the test panel" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="card__pad test-panel__controls">
        <label className="field field--grow">
          Event
          <select value={chosen} onChange={(event) => setEventId(event.target.value)} disabled={!events.data?.items.length}>
            {events.data?.items.length ? (
              events.data.items.map((event) => (
                <option key={event.id} value={event.id}>
                  {event.type || '(no type)'} · {timeAgo(event.received_at)} · {event.id.slice(-8)}
                </option>
              ))
            ) : (
              <option value="">{source ? `No stored events of ${source} yet` : 'The trigger names no webhook source'}</option>
            )}
          </select>
        </label>
        <button type="button" className="button" onClick={() => run('preview')} disabled={!chosen || busy !== null}>
          {busy === 'preview' ? 'Trying…' : 'Preview'}
        </button>
        <button type="button" className="button button--primary" onClick={() => run('compare')} disabled={!chosen || busy !== null}>
          {busy === 'compare' ? 'Comparing…' : 'Compare with its run'}
        </button>
        <button type="button" className="button" onClick={() => run('tests')} disabled={busy !== null}>
          {busy === 'tests' ? 'Running…' : 'Run test files'}
        </button>
      </div>
      {events.error && <ErrorState error={events.error} title="Could not list the events" />}
      {outcome && <TestOutcome outcome={outcome} />}
    </section>
  );
}

function TestOutcome({ outcome }: { outcome: Outcome }) {
  if ('error' in outcome) return <p className="callout callout--error">{outcome.error.message}</p>;
  if ('problems' in outcome)
    return (
      <div className="callout callout--error">
        The YAML has problems; fix them to test:
        <ul>
          {outcome.problems.map((problem) => (
            <li key={`${problem.line}:${problem.column}:${problem.message}`}>
              line {problem.line}: {problem.message}
            </li>
          ))}
        </ul>
      </div>
    );
  if ('preview' in outcome) {
    const preview = outcome.preview;
    return preview.matched ? (
      <WorkflowResult match={preview} />
    ) : (
      <p className="callout callout--info" data-matched="false">
        The edit does not match this event: {preview.reason}
      </p>
    );
  }
  if ('tests' in outcome) return <TestFilesView answer={outcome.tests} />;
  return <ComparisonView comparison={outcome.comparison} />;
}

/** The workflow's test files run against the edit: ✓ or ✗ per test, and for a failure each field that differs. */
function TestFilesView({ answer }: { answer: TestFiles }) {
  if (answer.files.length === 0) {
    return (
      <p className="callout callout--info">
        {answer.workflow} has no test files: add <span className="mono">tests/{answer.workflow}.test.yaml</span> to the workflows folder
        (docs/testing-workflows.md).
      </p>
    );
  }
  return (
    <div className="workflow-tests" aria-label="Test files">
      <p className="workflow-tests__summary" data-failed={answer.failed}>
        {answer.failed === 0
          ? `All ${answer.passed} tests pass with the edit.`
          : `${answer.failed} of ${answer.passed + answer.failed} tests fail with the edit.`}
      </p>
      {answer.files.map((file) => (
        <section key={file.file} className="workflow-tests__file" data-file={file.file}>
          <h3 className="mono">{file.file}</h3>
          {file.problems.length > 0 && (
            <ul className="callout callout--error">
              {file.problems.map((problem) => (
                <li key={`${problem.line}:${problem.column}:${problem.message}`}>
                  line {problem.line}, column {problem.column}: {problem.message}
                </li>
              ))}
            </ul>
          )}
          <ol className="workflow-tests__list">
            {file.tests.map((test) => (
              <li
                key={`${test.line}:${test.name}`}
                className={`workflow-test workflow-test--${test.passed ? 'passed' : 'failed'}`}
                data-test={test.name}
                data-passed={test.passed}
              >
                <span className="workflow-test__mark" aria-hidden="true">
                  {test.passed ? '✓' : '✗'}
                </span>{' '}
                {test.name} <span className="muted">line {test.line}</span>
                {test.differences.length > 0 && (
                  <table className="table table--compact comparison__changes" aria-label={`Differences of ${test.name}`}>
                    <thead>
                      <tr>
                        <th scope="col">Where</th>
                        <th scope="col">The test expects</th>
                        <th scope="col">The edit does</th>
                      </tr>
                    </thead>
                    <tbody>
                      {test.differences.map((difference) => (
                        <tr key={difference.path} data-path={difference.path}>
                          <td className="mono">
                            {difference.path}
                            {difference.note && <div className="muted">{difference.note}</div>}
                          </td>
                          <td className="mono diff-after">{shown(difference.expected)}</td>
                          <td className="mono diff-before">{shown(difference.actual)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}

const STATUS_WORDS: Record<string, string> = { same: 'same', changed: 'changed', added: 'added', removed: 'removed' };

/** Step by step: what the saved version's run sent, what the edit would send, and the fields that differ. */
function ComparisonView({ comparison }: { comparison: Comparison }) {
  const changed = comparison.steps.filter((step) => step.status !== 'same').length;
  return (
    <div className="comparison" aria-label="Comparison with the run">
      <p className="comparison__summary">
        Against <Link to={`/runs/${comparison.run_id}`}>run {shortId(comparison.run_id)}</Link> ({comparison.run_status}, version{' '}
        <span className="mono">{comparison.run_version.slice(0, 8)}</span>):{' '}
        {changed === 0 ? 'every step sends what the run sent.' : `${changed} of ${comparison.steps.length} steps differ from what the run sent.`}
      </p>
      {!comparison.matched && <p className="callout callout--info">The edited trigger does not match this event: {comparison.reason}</p>}
      <ol className="comparison__steps">
        {comparison.steps.map((step) => (
          <li key={step.id} className={`comparison__step comparison__step--${step.status}`} data-step={step.id} data-comparison={step.status}>
            <div className="comparison__head">
              <strong className="mono">{step.id}</strong>
              <span className={`chip chip--diff-${step.status}`}>{STATUS_WORDS[step.status] ?? step.status}</span>
              {step.note && <span className="muted">{step.note}</span>}
            </div>
            {step.changes.length > 0 && (
              <table className="table table--compact comparison__changes" aria-label={`Changes of ${step.id}`}>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">The run sent</th>
                    <th scope="col">The edit sends</th>
                  </tr>
                </thead>
                <tbody>
                  {step.changes.map((change) => (
                    <tr key={change.path} data-path={change.path}>
                      <td className="mono">{change.path}</td>
                      <td className="mono diff-before">{shown(change.before)}</td>
                      <td className="mono diff-after">{shown(change.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {step.status !== 'same' && (
              <details>
                <summary>Both requests</summary>
                <div className="comparison__sides">
                  <CodeBlock value={step.before} label="The run sent" empty="Nothing (the step did not run)." />
                  <CodeBlock value={step.after} label="The edit sends" empty="Nothing (the step does not run)." />
                </div>
              </details>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function shown(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
