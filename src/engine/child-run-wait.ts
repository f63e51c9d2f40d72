import { StepDefinition } from '../workflows/workflow.types';
import { ChildRunState } from './child-runs';
import { StepState } from './run-plan';

/**
 * How often a step waiting for its child run looks at it without being woken. The statement
 * that ends the child wakes the parent; this only covers a wake-up that found nothing to wake
 * (the child ended while the parent was writing its wait).
 */
export const CHILD_RUN_CHECK_MS = 60_000;

/** The run a `workflow` step with `wait: true` is waiting for, from its stored state. */
export function awaitedChildOf(step: StepDefinition, state: StepState | undefined): string | undefined {
  if (step.uses !== 'workflow' || step.with.wait !== true || state?.status !== 'running') return undefined;
  const runId = (state.output as { run_id?: unknown } | null)?.run_id;
  return typeof runId === 'string' ? runId : undefined;
}

/** What the waiting step becomes once its child run has ended; undefined while the child is unfinished. */
export function childRunResult(
  childRunId: string,
  child: ChildRunState | undefined,
): { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string } | undefined {
  if (!child) return { status: 'failed', error: `run ${childRunId} it waited for no longer exists` };
  const which = `run ${child.id} of workflow ${child.workflow}`;
  switch (child.status) {
    case 'succeeded':
      // A workflow without `output:` answers nothing: the step keeps what it started.
      return { status: 'succeeded', output: child.output ?? undefined };
    case 'failed':
      return { status: 'failed', error: `${which} failed: ${child.error ?? 'no error recorded'}` };
    case 'cancelled':
      return { status: 'failed', error: `${which} was cancelled` };
    default:
      return undefined;
  }
}
