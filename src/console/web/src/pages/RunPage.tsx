import { lazy, Suspense, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { EventDetail, Graph, Run, StepRun, Workflow, WorkflowStep, WorkflowVersion } from '../api/types';
import { CodeBlock } from '../components/CodeBlock';
import { PageHeader } from '../components/Layout';
import { Loading, RecordNotLoaded } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { StepPanel } from '../components/StepPanel';
import type { FlowNodeData } from '../components/GraphNodes';
import { KindIcon, KindTitle } from '../components/KindIcon';
import { useToast } from '../components/Toasts';
import { ApiState, useApi } from '../hooks/useApi';
import { useDebouncedCallback } from '../hooks/useDebouncedCallback';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useLiveMessages } from '../hooks/useLive';
import { useNow } from '../hooks/useNow';
import { clockTime, dateTime, duration, elapsed, shortId, timeAgo } from '../lib/format';
import { definitionNodeData, graphFitsRun, graphOfRun, laneOfRun, runNodeData } from '../lib/graph-data';
import { Link, useSearchParams } from '../lib/router';
import { comparePath, shortRevision, versionApiPath, versionPath } from '../lib/versions';

const WorkflowGraph = lazy(() => import('../components/WorkflowGraph'));

export function RunPage({ id }: { id: string }) {
  const run = useApi((signal) => api<Run>('GET', `/api/runs/${id}`, { signal }), [id]);
  const workflowName = run.data?.workflow;
  const eventId = run.data?.event_id;
  const revision = run.data?.workflow_version;
  // The version the run ran on draws its graph; the workflow in force only links to what changed since.
  const version = useApi(
    (signal) => (workflowName && revision ? api<WorkflowVersion>('GET', versionApiPath(workflowName, revision), { signal }) : Promise.resolve(undefined)),
    [workflowName, revision],
  );
  const workflow = useApi(
    (signal) => (workflowName ? api<Workflow>('GET', `/api/workflows/${encodeURIComponent(workflowName)}`, { signal }) : Promise.resolve(undefined)),
    [workflowName],
  );
  const event = useApi((signal) => (eventId ? api<EventDetail>('GET', `/api/events/${eventId}`, { signal }) : Promise.resolve(undefined)), [eventId]);
  useDocumentTitle(run.data ? `Run ${shortId(run.data.id)} of ${run.data.workflow}` : 'Run');

  const [params, setParams] = useSearchParams();
  const selected = params.get('step');
  const select = (stepId: string | null) => setParams({ step: stepId ?? undefined });
  const toast = useToast();
  const [acting, setActing] = useState<'retry' | 'cancel' | null>(null);

  const refetch = useDebouncedCallback(() => void run.reload(), 150);
  useLiveMessages((message) => {
    if (message.run_id === id || message.run_id === null) refetch();
  });

  const eventLabel = event.data ? `${event.data.source} · ${event.data.type || 'no type'}` : undefined;
  const received = event.data ? `received ${clockTime(event.data.received_at)}` : undefined;
  const now = useNow(run.data?.status === 'running');
  const drawing = useMemo(
    () => (run.data ? drawingOf(run.data, { data: version.data, error: version.error }, { data: workflow.data, error: workflow.error }) : undefined),
    [run.data, version.data, version.error, workflow.data, workflow.error],
  );
  const { graph, nodeData } = useMemo(() => {
    // Drawn once the definition has answered, so the graph does not swap shapes under the reader.
    if (!run.data || !drawing) return { graph: undefined, nodeData: {} };
    return { graph: drawing.graph, nodeData: runNodeData(drawing.base, run.data, received, now) };
  }, [run.data, drawing, received, now]);

  if (run.loading) return <Loading label="Loading the run…" />;
  if (run.error || !run.data) return <RecordNotLoaded error={run.error} onRetry={run.reload} noun="run" id={id} back="/runs" />;
  const current = run.data;
  const definitions = new Map((drawing?.steps ?? []).map((step) => [step.id, step]));
  const ranOn = version.data?.revision === current.workflow_version ? version.data : undefined;
  const inForce = workflow.data?.name === current.workflow ? workflow.data : undefined;
  const selectedStep = current.steps.find((step) => step.id === selected) ?? selectedItemOf(current, selected);
  const selectedDefinition = selectedStep && definitions.get(selectedStep.id.replace(/\[\d+\]$/, ''));

  const act = async (action: 'retry' | 'cancel') => {
    setActing(action);
    try {
      await api('POST', `/api/runs/${current.id}/${action}`);
      toast('success', action === 'retry' ? 'Retry queued: the steps that did not succeed run again.' : 'Run cancelled: nothing further starts.');
      await run.reload();
    } catch (error) {
      toast('error', `${action === 'retry' ? 'Retry' : 'Cancel'} refused: ${(error as Error).message}`);
    } finally {
      setActing(null);
    }
  };
  const canRetry = current.status === 'failed' || current.status === 'cancelled';
  const canCancel = current.status === 'queued' || current.status === 'running' || current.status === 'paused';

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link to="/runs">Runs</Link> / <span className="mono">{shortId(current.id)}</span>
          </>
        }
        title={
          <>
            <Link to={`/workflows/${encodeURIComponent(current.workflow)}`} className="title-link">
              {current.workflow}
            </Link>{' '}
            {current.kind === 'on_failure' && (
              <span className="chip chip--failure-run" title="A run of the on_failure steps, for a run that failed">
                on failure
              </span>
            )}{' '}
            <StatusBadge status={current.status} />
          </>
        }
        actions={
          <>
            {canRetry && (
              <button type="button" className="button button--primary" onClick={() => act('retry')} disabled={acting !== null}>
                {acting === 'retry' ? 'Retrying…' : 'Retry'}
              </button>
            )}
            {canCancel && (
              <button type="button" className="button button--danger" onClick={() => act('cancel')} disabled={acting !== null}>
                {acting === 'cancel' ? 'Cancelling…' : 'Cancel run'}
              </button>
            )}
          </>
        }
      >
        <dl className="facts facts--inline">
          <div>
            <dt>Run</dt>
            <dd className="mono">{current.id}</dd>
          </div>
          <div>
            <dt>Event</dt>
            <dd>
              <Link to={`/events/${current.event_id}`}>{eventLabel ?? shortId(current.event_id)}</Link>
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd title={dateTime(current.started_at ?? current.created_at)}>{timeAgo(current.started_at ?? current.created_at)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{current.started_at ? duration(elapsed(current.started_at, current.finished_at, now)) : '—'}</dd>
          </div>
          <div>
            <dt>Ran on</dt>
            <dd>
              {ranOn ? (
                <Link to={versionPath(current.workflow, current.workflow_version)} title={`Version ${current.workflow_version}`}>
                  Version <span className="mono">{shortRevision(current.workflow_version)}</span>
                </Link>
              ) : (
                <span className="mono" title={current.workflow_version}>
                  {shortRevision(current.workflow_version)}
                </span>
              )}
              {ranOn?.in_force && <span className="muted"> · in force</span>}
            </dd>
          </div>
          {current.deadline && (
            <div data-fact="deadline">
              <dt>Deadline</dt>
              <dd title={dateTime(current.deadline)}>
                {current.finished_at ? dateTime(current.deadline) : `cancelled ${timeAgo(current.deadline, now)} unless done`}
              </dd>
            </div>
          )}
          {current.kind === 'on_failure' && current.failed_run_id && (
            <div data-fact="handles-failure-of">
              <dt>Handles the failure of</dt>
              <dd>
                <Link to={`/runs/${current.failed_run_id}`}>
                  {current.failure?.workflow ?? 'run'} <span className="mono">{shortId(current.failed_run_id)}</span>
                </Link>
                {current.failure?.step && <span className="muted"> · step {current.failure.step}</span>}
              </dd>
            </div>
          )}
          {current.failure_run_ids.length > 0 && (
            <div data-fact="failure-runs">
              <dt>{current.failure_run_ids.length === 1 ? 'Failure run' : 'Failure runs'}</dt>
              <dd>
                {current.failure_run_ids.map((failureRunId, index) => (
                  <span key={failureRunId}>
                    {index > 0 && ', '}
                    <Link to={`/runs/${failureRunId}`} className="mono">
                      {shortId(failureRunId)}
                    </Link>
                  </span>
                ))}
              </dd>
            </div>
          )}
          {current.parent && (
            <div data-fact="started-by">
              <dt>Started by</dt>
              <dd>
                <Link to={`/runs/${current.parent.run_id}`}>
                  {current.parent.workflow ?? 'run'} <span className="mono">{shortId(current.parent.run_id)}</span>
                </Link>
                <span className="muted"> · step {current.parent.step_id}</span>
              </dd>
            </div>
          )}
          {current.children.length > 0 && (
            <div data-fact="started-runs">
              <dt>{current.children.length === 1 ? 'Started run' : 'Started runs'}</dt>
              <dd>
                {current.children.map((child, index) => (
                  <span key={child.run_id}>
                    {index > 0 && ', '}
                    <Link to={`/runs/${child.run_id}`} title={`Started by step ${child.step_id}`}>
                      {child.workflow} <span className="mono">{shortId(child.run_id)}</span>
                    </Link>
                    <span className="muted"> · {child.status}</span>
                  </span>
                ))}
              </dd>
            </div>
          )}
          {current.concurrency_key && (
            <div>
              <dt>Concurrency key</dt>
              <dd className="mono">{current.concurrency_key}</dd>
            </div>
          )}
        </dl>
      </PageHeader>

      {current.status === 'paused' && (
        <p className="callout callout--paused" data-callout="paused">
          This run waits because workflow <Link to={`/workflows/${encodeURIComponent(current.workflow)}`}>{current.workflow}</Link> is paused. Its finished
          steps are kept; resuming the workflow queues it again, in arrival order.
        </p>
      )}

      {current.error && (
        <div className="callout callout--error" role="alert">
          <strong>Run {current.status}:</strong> {current.error}
        </div>
      )}
      {current.output !== null && current.output !== undefined && (
        <section className="section" data-section="run-output" aria-label="Output of this run">
          <CodeBlock value={current.output} label="Output (what a waiting parent receives)" />
        </section>
      )}
      {ranOn && !ranOn.in_force && (inForce || workflow.error) && (
        <p className="callout callout--info" data-callout="earlier-version">
          This run ran on an earlier version of {current.workflow}
          {inForce ? (
            <>
              : <Link to={comparePath(current.workflow, current.workflow_version, inForce.revision)}>see what changed since</Link>.
            </>
          ) : (
            ', which has since been deleted.'
          )}
        </p>
      )}
      {drawing?.from === 'run' && (
        <p className="callout callout--info" data-callout="steps-in-order">
          {ranOn ? 'The version this run ran on no longer validates' : 'The version this run ran on is not stored, and the workflow changed since'}: the graph
          shows the run’s own steps in order.
        </p>
      )}

      <div className={`run-layout${selectedStep ? ' run-layout--panel' : ''}`}>
        <div className="run-layout__main">
          <section className="card card--graph card--graph-run" aria-labelledby="run-graph-title">
            <div className="card__head">
              <h2 id="run-graph-title">Steps</h2>
              <span className="muted">Select a step for details</span>
              <Legend />
            </div>
            {graph && (
              <Suspense fallback={<Loading label="Loading the graph…" />}>
                <WorkflowGraph
                  graph={graph}
                  nodeData={nodeData}
                  selectedId={selected}
                  onSelect={(nodeId) => select(nodeId === 'trigger' ? null : nodeId)}
                  label={`Run of ${current.workflow}, steps painted by status`}
                />
              </Suspense>
            )}
          </section>
          <section className="section" aria-labelledby="step-list-title">
            <h2 id="step-list-title" className="visually-hidden">
              Step list
            </h2>
            <div className="table-wrap">
              <table className="table table--steps" aria-label="Steps of this run">
                <thead>
                  <tr>
                    <th scope="col">Step</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Attempts
                    </th>
                    <th scope="col">Started</th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {current.steps.map((step) => {
                    const kind = definitions.get(step.id)?.uses ?? '';
                    // A for_each step began with its first item.
                    const startedAt =
                      step.items?.reduce<string | null>(
                        (first, item) => (first === null || (item.started_at !== null && item.started_at < first) ? item.started_at : first),
                        step.started_at,
                      ) ?? step.started_at;
                    return [
                      <tr key={step.id} className={step.id === selected ? 'row--selected' : undefined} data-step-row={step.id}>
                        <td>
                          <button type="button" className="step-link" onClick={() => select(step.id)} aria-label={`Open step ${step.id}`}>
                            <KindIcon kind={kind} className="kind-icon--small" />
                            <span className="mono">{step.id}</span>
                            <span className="muted">
                              <KindTitle kind={kind} />
                            </span>
                          </button>
                          {step.error && <div className={`cell-note${step.status === 'failed' ? ' cell-note--error' : ''}`}>{step.error}</div>}
                        </td>
                        <td>
                          <StatusBadge status={step.status} />
                        </td>
                        <td className="num">{step.items ? `${step.items.length} ${step.items.length === 1 ? 'item' : 'items'}` : step.attempts.length}</td>
                        <td>{clockTime(startedAt)}</td>
                        <td className="num">{step.status === 'skipped' ? '—' : duration(elapsed(startedAt, step.finished_at, now))}</td>
                      </tr>,
                      ...(step.items ?? []).map((item) => {
                        const itemId = `${step.id}[${item.index}]`;
                        return (
                          <tr key={itemId} className={`row--item${itemId === selected ? ' row--selected' : ''}`} data-item-row={itemId}>
                            <td>
                              <button
                                type="button"
                                className="step-link"
                                onClick={() => select(itemId)}
                                aria-label={`Open item ${item.index} of step ${step.id}`}
                              >
                                <span className="muted">item</span>
                                <span className="mono">{item.index}</span>
                              </button>
                              {item.error && <div className={`cell-note${item.status === 'failed' ? ' cell-note--error' : ''}`}>{item.error}</div>}
                            </td>
                            <td>
                              <StatusBadge status={item.status} />
                            </td>
                            <td className="num">{item.attempts.length}</td>
                            <td>{clockTime(item.started_at)}</td>
                            <td className="num">{item.status === 'skipped' ? '—' : duration(elapsed(item.started_at, item.finished_at, now))}</td>
                          </tr>
                        );
                      }),
                    ];
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </div>
        {selectedStep && (
          <StepPanel
            step={selectedStep}
            definition={selectedDefinition}
            title={
              selectedStep.id === selectedDefinition?.id
                ? undefined
                : `${selectedDefinition?.name ?? selectedDefinition?.id ?? ''} · item ${selectedStep.id.replace(/^.*\[(\d+)\]$/, '$1')}`
            }
            onClose={() => select(null)}
          />
        )}
      </div>
    </>
  );
}

/** An item of a `for_each` step (`label[2]`), shaped as a step for the step panel. */
function selectedItemOf(run: Run, selected: string | null): StepRun | undefined {
  const match = selected === null ? null : /^(.+)\[(\d+)\]$/.exec(selected);
  if (!match) return undefined;
  const item = run.steps.find((step) => step.id === match[1])?.items?.find((candidate) => candidate.index === Number(match[2]));
  return item && { ...item, id: selected!, items: null };
}

type Answer<T> = Pick<ApiState<T | undefined>, 'data' | 'error'>;

interface Drawing {
  graph: Graph;
  base: Record<string, Partial<FlowNodeData>>;
  steps: WorkflowStep[];
  /** `version`: the run's own version; `workflow`: the one in force, which has the run's steps; `run`: the run's steps in order. */
  from: 'version' | 'workflow' | 'run';
}

/**
 * What to draw for a run: the version it ran on; only when that version is not stored (a run
 * older than the store), the workflow in force if it has the same steps, else the run's steps in
 * order. Undefined until the answers it depends on are in, so the graph is drawn once.
 */
function drawingOf(run: Run, version: Answer<WorkflowVersion>, workflow: Answer<Workflow>): Drawing | undefined {
  const ranOn = version.data?.revision === run.workflow_version && version.data.name === run.workflow ? version.data : undefined;
  const failureRun = run.kind === 'on_failure';
  if (ranOn?.graph && ranOn.trigger) {
    const steps = failureRun ? ranOn.on_failure : ranOn.steps;
    return { graph: laneOfRun(ranOn.graph, run), base: definitionNodeData(ranOn.trigger, steps), steps, from: 'version' };
  }
  if (!ranOn && !version.error) return undefined;
  const inForce = workflow.data?.name === run.workflow ? workflow.data : undefined;
  if (!inForce && !workflow.error) return undefined;
  const inForceSteps = inForce && (failureRun ? inForce.on_failure : inForce.steps);
  if (inForce && inForceSteps && graphFitsRun(inForce.graph, run)) {
    return { graph: laneOfRun(inForce.graph, run), base: definitionNodeData(inForce.trigger, inForceSteps), steps: inForceSteps, from: 'workflow' };
  }
  return { graph: graphOfRun(run, inForce?.graph.nodes[0]?.label ?? run.workflow), base: {}, steps: inForceSteps ?? [], from: 'run' };
}

function Legend() {
  return (
    <ul className="legend" aria-label="Colours">
      {['succeeded', 'failed', 'running', 'pending', 'skipped'].map((status) => (
        <li key={status}>
          <StatusBadge status={status} />
        </li>
      ))}
    </ul>
  );
}
