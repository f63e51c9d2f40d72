import { EventContext } from '../events/inbound-event';
import { FailureContext } from './failure-handoff';
import { RunKind } from './run.entity';
import { WorkflowDefinition } from '../workflows/workflow.types';
import { RunPlan, StepState } from './run-plan';
import { WorkflowSecretScrubber } from './workflow-secret-scrubber';

/** What a step's templates and the run executor share about the run in progress. */
export interface RunInProgress {
  id: string;
  owner: string;
  /** `steps`, or `on_failure` for a run of a workflow's failure steps (then `workflow.steps` are those). */
  kind: RunKind;
  /** The template context `failure` of an `on_failure` run. */
  failure: FailureContext | null;
  workflow: WorkflowDefinition;
  event: EventContext;
  states: Map<string, StepState>;
  scrubber: WorkflowSecretScrubber;
  plan: RunPlan;
  /** Step results being written right now. */
  writesInFlight: number;
  /** Set when the last step's write also finished the run. */
  finished: boolean;
  /** Redacted inputs of the steps attempted in this execution, for steps that store them at their end. */
  inputs: Map<string, unknown>;
}
