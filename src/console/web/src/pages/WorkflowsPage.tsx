import { api } from '../api/client';
import type { InvalidWorkflowFile, RunBrief, WorkflowList, WorkflowSummary } from '../api/types';
import { PageHeader } from '../components/Layout';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { StatusBadge, toneOf } from '../components/StatusBadge';
import { TriggerSummary } from '../components/TriggerSummary';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { dateTime, percent, plural, timeAgo } from '../lib/format';
import { Link } from '../lib/router';

export function WorkflowsPage() {
  useDocumentTitle('Workflows');
  const { data, error, loading, reload } = useApi((signal) => api<WorkflowList>('GET', '/api/workflows', { signal }), []);
  const refresh = useDebouncedCallback(() => void reload(), 800);
  useLiveMessages((message) => {
    if (message.type === 'run.created' || message.type === 'run.updated') refresh();
  });

  return (
    <>
      <PageHeader
        title="Workflows"
        actions={
          <Link className="button button--primary" to="/workflows/new">
            New workflow
          </Link>
        }
      >
        Every workflow file in force, what starts it and how its runs went over the last 24 hours.
      </PageHeader>
      {loading ? (
        <Loading label="Loading workflows…" />
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : (
        <>
          <InvalidFiles files={data!.invalid_files} />
          {data!.items.length === 0 ? (
            <EmptyState title={data!.invalid_files.length > 0 ? 'No workflow in force' : 'No workflows yet'}>
              Add a <code>*.yaml</code> file to the workflows folder (see <code>workflows/order-paid.yaml</code> in the README); Hookflow loads it as soon as it
              is saved.
            </EmptyState>
          ) : (
            <WorkflowTable workflows={data!.items} />
          )}
        </>
      )}
    </>
  );
}

function WorkflowTable({ workflows }: { workflows: WorkflowSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Workflows">
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Trigger</th>
            <th scope="col">Last runs</th>
            <th scope="col" className="num">
              Runs (24 h)
            </th>
            <th scope="col">Success rate</th>
            <th scope="col" className="num">
              Problems
            </th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((workflow) => (
            <tr key={workflow.name} data-workflow={workflow.name}>
              <td>
                <Link to={`/workflows/${encodeURIComponent(workflow.name)}`} className="strong-link">
                  {workflow.name}
                </Link>
                {workflow.paused && (
                  <>
                    {' '}
                    <StatusBadge status="paused" />
                  </>
                )}
                <div className="cell-note" title={workflow.description ?? undefined}>
                  {workflow.description ?? workflow.file} · {workflow.steps} {workflow.steps === 1 ? 'step' : 'steps'}
                </div>
              </td>
              <td>
                <TriggerSummary trigger={workflow.trigger} />
              </td>
              <td>
                {workflow.recent_runs.length > 0 ? (
                  <span className="last-runs">
                    <RunStrip runs={workflow.recent_runs} workflow={workflow.name} />
                    <span className="muted" title={dateTime(workflow.recent_runs[0].created_at)}>
                      {timeAgo(workflow.recent_runs[0].created_at)}
                    </span>
                  </span>
                ) : (
                  <span className="muted">never run</span>
                )}
              </td>
              <td className="num">
                <span className="counts">
                  {workflow.runs_24h.total}
                  {workflow.runs_24h.failed > 0 && <span className="counts__failed"> · {workflow.runs_24h.failed} failed</span>}
                </span>
              </td>
              <td>
                <SuccessRate rate={workflow.success_rate} />
              </td>
              <td className="num">
                {workflow.problems > 0 ? (
                  <Link to={`/workflows/${encodeURIComponent(workflow.name)}`} className="chip chip--problem">
                    {workflow.problems}
                  </Link>
                ) : (
                  <span className="muted">0</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SuccessRate({ rate }: { rate: number | null }) {
  if (rate === null) return <span className="muted">—</span>;
  const tone = rate >= 0.95 ? 'good' : rate >= 0.7 ? 'fair' : 'poor';
  return (
    <span className="rate">
      <span className={`rate__bar rate__bar--${tone}`} aria-hidden="true">
        <span style={{ width: `${Math.round(rate * 100)}%` }} />
      </span>
      {percent(rate)}
    </span>
  );
}

/** As many as the API sends at most (`recent_runs`). */
const STRIP_SLOTS = 10;

/** The API's recent runs are newest first; the strip reads left to right, oldest to newest. */
function RunStrip({ runs, workflow }: { runs: RunBrief[]; workflow: string }) {
  const oldestFirst = [...runs].reverse();
  return (
    <ol className="run-strip" aria-label={`Last ${plural(runs.length, 'run')} of ${workflow}, oldest first`}>
      {/* Empty slots on the left keep the newest run at the same place on every row. */}
      {Array.from({ length: Math.max(0, STRIP_SLOTS - runs.length) }, (_, index) => (
        <li key={`empty-${index}`} className="run-strip__slot" aria-hidden="true" />
      ))}
      {oldestFirst.map((run) => {
        const label = `${run.status}, ${dateTime(run.created_at)}`;
        return (
          <li key={run.id}>
            <Link
              to={`/runs/${run.id}`}
              className={`run-strip__run run-strip__run--${toneOf(run.status)}`}
              title={label}
              aria-label={label}
              data-status={run.status}
            />
          </li>
        );
      })}
    </ol>
  );
}

/** A file the editor can open by its workflow name (`<name>.yaml`, as a save by name writes it). */
const EDITABLE_FILE = /^[a-z0-9_-]{1,64}\.yaml$/;

function InvalidFiles({ files }: { files: InvalidWorkflowFile[] }) {
  if (files.length === 0) return null;
  return (
    <section className="callout callout--error invalid-files" aria-labelledby="invalid-files-title">
      <h2 id="invalid-files-title">Files with problems (not loaded)</h2>
      <p>
        {files.length === 1 ? 'This file has never been valid, so it is' : 'These files have never been valid, so they are'} not running until fixed. Fix the
        problems and save: Hookflow loads a file as soon as it validates. Check files before saving with <code>npx hookflow validate</code>.
      </p>
      <ul className="invalid-files__list">
        {files.map((file) => (
          <li key={file.file} data-invalid-file={file.file}>
            <div className="invalid-files__file">
              <span className="mono invalid-files__name">{file.file}</span>
              <span className="chip chip--problem">{plural(file.problems.length, 'problem')}</span>
              {EDITABLE_FILE.test(file.file) && (
                <Link className="button button--small" to={`/workflows/${file.file.replace(/\.yaml$/, '')}/edit`} aria-label={`Edit ${file.file}`}>
                  Edit
                </Link>
              )}
            </div>
            <ul className="invalid-files__problems">
              {file.problems.map((problem, index) => (
                <li key={index}>
                  <span className="mono invalid-files__at">
                    {problem.line}:{problem.column}
                  </span>{' '}
                  {problem.message}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
