import { randomUUID } from 'node:crypto';
import { GLOBAL_FAILURE_WORKFLOW, WorkflowDefinition } from '../workflows/workflow.types';
import { RunKind } from './run.entity';
import { StepState } from './run-plan';

/** The template context `failure` of an `on_failure` run: what failed, as stored (secrets already scrubbed). */
export interface FailureContext {
  run_id: string;
  workflow: string;
  /** The first step in file order that failed the run; null when the run failed before any step (its version unavailable). */
  step: string | null;
  error: string | null;
  /** Attempts that step made. */
  attempts: number;
}

/** The failure run to create in the statement that records a run as failed. */
export interface FailureHandoff {
  runId: string;
  workflow: string;
  workflowVersion: string;
  failure: FailureContext;
}

/** What a run that ends as failed knows about itself. */
export interface FailedRun {
  id: string;
  kind: RunKind;
  /** The definition the run ran on, as loaded (with its `on_failure:` steps). */
  workflow: WorkflowDefinition;
  states: ReadonlyMap<string, StepState>;
  error: string | null;
}

/**
 * Who handles a failed run: its own workflow's `on_failure:` steps, on the version the run ran
 * on; otherwise on-failure.yaml as in force now; nobody for a failure run itself (a failing
 * handler never triggers itself or the global one).
 */
export function failureHandoffOf(
  failed: FailedRun,
  globalHandler: WorkflowDefinition | undefined,
  newRunId: string = randomUUID(),
): FailureHandoff | undefined {
  if (failed.kind !== 'steps') return undefined;
  const own = (failed.workflow.onFailure?.length ?? 0) > 0;
  const handler = own ? failed.workflow : (globalHandler?.onFailure?.length ?? 0) > 0 ? globalHandler : undefined;
  if (!handler) return undefined;
  const step = failed.workflow.steps.find((candidate) => failed.states.get(candidate.id)?.status === 'failed' && !candidate.continueOnError);
  const state = step && failed.states.get(step.id);
  return {
    runId: newRunId,
    workflow: handler.name,
    workflowVersion: handler.version,
    failure: {
      run_id: failed.id,
      workflow: failed.workflow.name,
      step: step?.id ?? null,
      error: state?.error ?? failed.error,
      attempts: state?.attempts ?? 0,
    },
  };
}

/** The handoff when a run's workflow version is gone: only the global handler can take it. */
export function unavailableRunHandoff(
  failed: { id: string; kind: RunKind; workflow: string; error: string },
  globalHandler: WorkflowDefinition | undefined,
): FailureHandoff | undefined {
  if (failed.kind !== 'steps' || !globalHandler?.onFailure?.length || failed.workflow === GLOBAL_FAILURE_WORKFLOW) return undefined;
  return {
    runId: randomUUID(),
    workflow: globalHandler.name,
    workflowVersion: globalHandler.version,
    failure: { run_id: failed.id, workflow: failed.workflow, step: null, error: failed.error, attempts: 0 },
  };
}

/**
 * The definition a run executes: its workflow's `steps:`, or for an `on_failure` run its
 * `on_failure:` steps in their place (the same definition otherwise: name, file, yaml), so
 * that the plan, templates and secret scrubbing work on them unchanged.
 */
export function definitionForKind(workflow: WorkflowDefinition, kind: RunKind): WorkflowDefinition {
  if (kind === 'steps') return workflow;
  let cached = failureDefinitions.get(workflow);
  if (!cached) {
    cached = { ...workflow, steps: workflow.onFailure ?? [], onFailure: [] };
    failureDefinitions.set(workflow, cached);
  }
  return cached;
}

const failureDefinitions = new WeakMap<WorkflowDefinition, WorkflowDefinition>();
