import { lazy, Suspense, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Workflow, WorkflowVersionList } from '../api/types';
import { LoadMore } from '../components/LoadMore';
import { PauseButton, PausedNotice } from '../components/PauseControl';
import { PageHeader } from '../components/Layout';
import { RunNowPanel } from '../components/RunNowPanel';
import { RunsTable } from '../components/RunsTable';
import { StatusBadge } from '../components/StatusBadge';
import { EmptyState, ErrorState, Loading, RecordNotLoaded } from '../components/States';
import { TriggerSummary } from '../components/TriggerSummary';
import { VersionList } from '../components/VersionList';
import { YamlView } from '../components/YamlView';
import { useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { useRunList } from '../hooks/useRunList';
import { definitionNodeData, FAILURE_LANE_HEAD } from '../lib/graph-data';
import { Link } from '../lib/router';

const WorkflowGraph = lazy(() => import('../components/WorkflowGraph'));

export function WorkflowPage({ name }: { name: string }) {
  useDocumentTitle(name);
  const { data: workflow, error, loading, reload } = useApi((signal) => api<Workflow>('GET', `/api/workflows/${encodeURIComponent(name)}`, { signal }), [name]);
  const [selected, setSelected] = useState<string | null>(null);
  const [runningNow, setRunningNow] = useState(false);
  const runs = useRunList({ workflow: name }, 10);
  const refetch = useDebouncedCallback(() => void reload(), 1000);
  // Listed again when the version in force changes, and as runs are made (their counts).
  const inForce = workflow?.revision;
  const versions = useApi(
    (signal) => (inForce ? api<WorkflowVersionList>('GET', `/api/workflows/${encodeURIComponent(name)}/versions`, { signal }) : Promise.resolve(undefined)),
    [name, inForce],
  );
  const refetchVersions = useDebouncedCallback(() => void versions.reload(), 1000);
  useLiveMessages((message) => {
    if (message.run_id === null) refetch();
    if (message.run_id === null || (message.type === 'run.created' && message.workflow === name)) refetchVersions();
  });

  const nodeData = useMemo(() => (workflow ? definitionNodeData(workflow.trigger, [...workflow.steps, ...workflow.on_failure]) : {}), [workflow]);
  const focusLine = useMemo(() => {
    if (!workflow || !selected) return null;
    if (selected === 'trigger') return workflow.yaml.split('\n').findIndex((line) => /^on\s*:/.test(line)) + 1 || null;
    if (selected === FAILURE_LANE_HEAD) return workflow.yaml.split('\n').findIndex((line) => /^on_failure\s*:/.test(line)) + 1 || null;
    return [...workflow.steps, ...workflow.on_failure].find((step) => step.id === selected)?.line ?? null;
  }, [workflow, selected]);

  if (loading) return <Loading label="Loading the workflow…" />;
  if (error || !workflow) return <RecordNotLoaded error={error} onRetry={reload} noun="workflow" id={name} back="/workflows" />;

  return (
    <>
      <PageHeader
        crumbs={<Link to="/workflows">Workflows</Link>}
        title={workflow.name}
        actions={
          <>
            {workflow.trigger.webhook && (
              <Link className="button" to={`/dry-run?source=${encodeURIComponent(workflow.trigger.webhook)}`}>
                Test an event
              </Link>
            )}
            <Link className="button" to={`/runs?workflow=${encodeURIComponent(workflow.name)}`}>
              All runs
            </Link>
            <button type="button" className="button" onClick={() => setRunningNow(true)}>
              Run now…
            </button>
            <PauseButton kind="workflow" name={workflow.name} paused={workflow.paused} onChange={() => Promise.all([reload(), runs.reload()])} />
            <Link className="button button--primary" to={`/workflows/${encodeURIComponent(workflow.name)}/edit`}>
              Edit
            </Link>
          </>
        }
      >
        {workflow.description && <p>{workflow.description}</p>}
        <div className="meta-row">
          {workflow.paused && <StatusBadge status="paused" />}
          <TriggerSummary trigger={workflow.trigger} withCondition />
          <span className="muted mono">{workflow.file}</span>
          {workflow.concurrency_key && (
            <span className="chip" title="Runs with the same key run one at a time">
              concurrency {workflow.concurrency_key}
            </span>
          )}
          {workflow.problems.length > 0 && (
            <a className="chip chip--problem" href={`#yaml-line-${workflow.problems[0].line}`}>
              {workflow.problems.length} {workflow.problems.length === 1 ? 'problem' : 'problems'}
            </a>
          )}
        </div>
      </PageHeader>

      {workflow.paused && <PausedNotice kind="workflow" paused={workflow.paused} />}

      {workflow.problems.length > 0 && (
        <div className="callout callout--error" role="alert">
          <strong>This file has problems; the last valid version stays in force.</strong>
          <ul>
            {workflow.problems.map((problem, index) => (
              <li key={index}>
                <a href={`#yaml-line-${problem.line}`}>
                  line {problem.line}:{problem.column}
                </a>{' '}
                {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="split">
        <section className="card card--graph" aria-labelledby="graph-title">
          <div className="card__head">
            <h2 id="graph-title">Graph</h2>
            <span className="muted">
              {workflow.steps.length} steps{workflow.on_failure.length > 0 && ` · ${workflow.on_failure.length} on failure`} · select a step to find it in the
              file
            </span>
          </div>
          {workflow.on_failure.length > 0 && (
            <p className="card__note muted" data-note="on-failure">
              {workflow.steps.length === 0
                ? 'on-failure.yaml: these steps run when a run of any workflow without on_failure steps of its own fails.'
                : 'On failure: when a run fails (a step used up its retries), these steps run as a run of their own.'}{' '}
              They read <code>failure.run_id</code>, <code>.workflow</code>, <code>.step</code>, <code>.error</code> and <code>.attempts</code>, and the failed
              run&apos;s <code>event</code>. A cancelled run starts none; a failure run that fails starts nothing; a retried run that fails again starts
              another.
            </p>
          )}
          <Suspense fallback={<Loading label="Loading the graph…" />}>
            <WorkflowGraph
              graph={workflow.graph}
              nodeData={nodeData}
              selectedId={selected}
              onSelect={setSelected}
              label={`Graph of workflow ${workflow.name}`}
            />
          </Suspense>
        </section>
        <section className="card card--yaml" aria-labelledby="yaml-title">
          <h2 id="yaml-title" className="visually-hidden">
            YAML
          </h2>
          <YamlView yaml={workflow.yaml} problems={workflow.problems} focusLine={focusLine} fileName={workflow.file} />
        </section>
      </div>

      <section className="section" aria-labelledby="versions-title">
        <div className="section__head">
          <h2 id="versions-title">Versions</h2>
          <span className="muted">every version of the file that was in force, newest first</span>
        </div>
        {!versions.data && !versions.error ? (
          <Loading label="Loading versions…" />
        ) : versions.error ? (
          <ErrorState error={versions.error} onRetry={versions.reload} />
        ) : (
          versions.data && <VersionList workflow={workflow.name} versions={versions.data.items} />
        )}
      </section>

      <section className="section" aria-labelledby="recent-runs">
        <div className="section__head">
          <h2 id="recent-runs">Recent runs</h2>
        </div>
        {runs.loading ? (
          <Loading label="Loading runs…" />
        ) : runs.error ? (
          <ErrorState error={runs.error} onRetry={runs.reload} />
        ) : runs.items.length === 0 ? (
          <EmptyState title="No runs yet">
            Runs appear here live as soon as an event starts this workflow.
            {workflow.trigger.webhook && (
              <>
                {' '}
                Send one to <code>POST /hooks/{workflow.trigger.webhook}</code>, or{' '}
                <Link to={`/dry-run?source=${encodeURIComponent(workflow.trigger.webhook)}`}>try one without sending anything</Link>.
              </>
            )}
          </EmptyState>
        ) : (
          <>
            <RunsTable runs={runs.items} showWorkflow={false} fresh={runs.fresh} caption={`Recent runs of ${workflow.name}`} />
            <LoadMore hasMore={runs.hasMore} loading={runs.loadingMore} onClick={runs.loadMore} count={runs.items.length} noun="runs" />
          </>
        )}
      </section>
      <RunNowPanel open={runningNow} workflow={workflow.name} trigger={workflow.trigger} onClose={() => setRunningNow(false)} />
    </>
  );
}
