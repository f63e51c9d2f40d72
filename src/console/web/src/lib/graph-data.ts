import type { FlowNodeData } from '../components/GraphNodes';
import type { Graph, RetryPolicy, Run, Trigger, WorkflowStep } from '../api/types';
import { kindLook } from './catalog';
import { duration, elapsed } from './format';

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
  const data: Record<string, Partial<FlowNodeData>> = { ...base, trigger: { status: 'succeeded', detail: eventLabel } };
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

/** When the workflow changed since the run (or is gone), the run's own steps in their order. */
export function graphOfRun(run: Run, trigger: string): Graph {
  return {
    nodes: [{ id: 'trigger', kind: 'trigger', label: trigger }, ...run.steps.map((step) => ({ id: step.id, kind: '', label: step.id }))],
    edges: run.steps.map((step, index) => ({ from: index === 0 ? 'trigger' : run.steps[index - 1].id, to: step.id })),
  };
}

/** Whether `graph` has exactly the steps of the run. */
export function graphFitsRun(graph: Graph, run: Run): boolean {
  const ids = graph.nodes.filter((node) => node.id !== 'trigger').map((node) => node.id);
  return ids.length === run.steps.length && run.steps.every((step) => ids.includes(step.id));
}
