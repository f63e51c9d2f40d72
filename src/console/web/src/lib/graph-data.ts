import type { FlowNodeData } from '../components/GraphNodes';
import type { Graph, RetryPolicy, Run, Trigger, WorkflowStep } from '../api/types';
import { kindLook } from './catalog';
import { duration, elapsed } from './format';

/** The head node of the failure lane (src/workflows/workflow-graph.ts). */
export const FAILURE_LANE_HEAD = '#on_failure';

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, backoff: 'exponential', initial_ms: 2000, max_ms: 3_600_000 };

/** `8× exponential from 5 s`: only a policy the file chose (every step has the default otherwise), on a kind with outside effects. */
function retryBadge(step: WorkflowStep): string | undefined {
  const retry = step.retry;
  if (!retry || !kindLook(step.uses).hasEffects) return undefined;
  const isDefault = (Object.keys(DEFAULT_RETRY) as (keyof RetryPolicy)[]).every((key) => retry[key] === DEFAULT_RETRY[key]);
  if (isDefault) return undefined;
  return retry.attempts <= 1 ? 'no retries' : `${retry.attempts}× ${retry.backoff} from ${duration(retry.initial_ms)}`;
}

/** Badges of the trigger and of each step, from the workflow's definition. */
export function definitionNodeData(trigger: Trigger, steps: WorkflowStep[]): Record<string, Partial<FlowNodeData>> {
  const data: Record<string, Partial<FlowNodeData>> = { trigger: { condition: trigger.if ?? undefined } };
  for (const step of steps) {
    data[step.id] = {
      stepId: step.id,
      condition: step.if ?? undefined,
      retry: retryBadge(step),
      continueOnError: step.continue_on_error || undefined,
      forEach: step.for_each ? forEachBadge(step.for_each) : undefined,
    };
  }
  return data;
}

/** The same, painted with a run: each step's status, attempts and time. */
export function runNodeData(
  base: Record<string, Partial<FlowNodeData>>,
  run: Run,
  eventLabel: string | undefined,
  now: number,
): Record<string, Partial<FlowNodeData>> {
  // A painted run shows what happened; the definition's trigger condition and retry policy stay on the workflow page.
  const head = run.kind === 'on_failure' ? FAILURE_LANE_HEAD : 'trigger';
  const detail = run.kind === 'on_failure' && run.failure ? `${run.failure.workflow} failed at ${run.failure.step ?? 'start'}` : eventLabel;
  const data: Record<string, Partial<FlowNodeData>> = { ...base, [head]: { status: 'succeeded', detail } };
  for (const step of run.steps) {
    data[step.id] = {
      ...base[step.id],
      retry: undefined,
      status: step.status,
      attempts: step.attempts.length,
      durationMs: step.started_at && step.status !== 'skipped' ? elapsed(step.started_at, step.finished_at, now) : null,
    };
  }
  return data;
}

/**
 * The lane a run ran: the `on_failure` steps (under `#on_failure`) for a failure run, the
 * trigger and `steps` otherwise.
 */
export function laneOfRun(graph: Graph, run: Pick<Run, 'kind'>): Graph {
  const failureLane = run.kind === 'on_failure';
  const nodes = graph.nodes.filter((node) => (node.group === 'on_failure') === failureLane);
  const ids = new Set(nodes.map((node) => node.id));
  return { nodes, edges: graph.edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)) };
}

/** When the workflow changed since the run (or is gone), the run's own steps in their order. */
export function graphOfRun(run: Run, trigger: string): Graph {
  const head =
    run.kind === 'on_failure'
      ? { id: FAILURE_LANE_HEAD, kind: 'on_failure', label: 'when a run fails', group: 'on_failure' as const }
      : { id: 'trigger', kind: 'trigger', label: trigger };
  return {
    nodes: [head, ...run.steps.map((step) => ({ id: step.id, kind: '', label: step.id }))],
    edges: run.steps.map((step, index) => ({ from: index === 0 ? head.id : run.steps[index - 1].id, to: step.id })),
  };
}

/** Whether the run's lane of `graph` has exactly the steps of the run. */
export function graphFitsRun(graph: Graph, run: Run): boolean {
  const ids = laneOfRun(graph, run)
    .nodes.filter((node) => node.id !== 'trigger' && node.id !== FAILURE_LANE_HEAD)
    .map((node) => node.id);
  return ids.length === run.steps.length && run.steps.every((step) => ids.includes(step.id));
}

/** `event.body.items` for a template, `3 items` for a list written out, with `×2` when items run in parallel. */
function forEachBadge(forEach: NonNullable<WorkflowStep['for_each']>): string {
  const items =
    typeof forEach.items === 'string' ? forEach.items.replace(/^\{\{\s*|\s*\}\}$/g, '') : `${Array.isArray(forEach.items) ? forEach.items.length : 0} items`;
  return forEach.max_parallel > 1 ? `${items} ×${forEach.max_parallel}` : items;
}
