import { Injectable } from '@nestjs/common';
import { WorkflowRegistry } from '../workflows/workflow-registry';
import { GLOBAL_FAILURE_WORKFLOW, WorkflowDefinition } from '../workflows/workflow.types';
import { failureHandoffOf, unavailableRunHandoff } from './failure-handoff';
import { RunInProgress } from './run-in-progress';
import { RunOutputs, RunOutputSource } from './run-output';
import { RunEnd } from './run-store';

/**
 * Completes a run's end: a succeeded run's `output` (RunOutputs), and for a failed run the
 * failure run that handles it, if any (see failureHandoffOf).
 */
@Injectable()
export class FailureHandlers {
  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly outputs: RunOutputs,
  ) {}

  /** on-failure.yaml as in force now, if it is loaded. */
  globalHandler(): WorkflowDefinition | undefined {
    return this.registry.getWorkflow(GLOBAL_FAILURE_WORKFLOW);
  }

  endOf(run: RunOutputSource, outcome: Omit<RunEnd, 'failureHandoff'>): RunEnd {
    const end = this.outputs.complete(run, outcome);
    if (end.outcome !== 'failed') return end;
    const failureHandoff = failureHandoffOf({ ...run, error: end.error }, this.globalHandler());
    return failureHandoff ? { ...end, failureHandoff } : end;
  }

  /** The end of a run whose workflow version is gone: only on-failure.yaml can handle it. */
  unavailableEnd(run: { id: string; kind: RunInProgress['kind']; workflow: string }, error: string): RunEnd {
    const failureHandoff = unavailableRunHandoff({ ...run, error }, this.globalHandler());
    return { outcome: 'failed', error, ...(failureHandoff && { failureHandoff }) };
  }
}
