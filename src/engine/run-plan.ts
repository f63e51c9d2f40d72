import { StepDefinition, WorkflowDefinition } from '../workflows/workflow.types';
import { StepStatus } from './step-run.entity';

export interface StepState {
  status: StepStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  /** What is stored and shown. */
  output: unknown;
  /** What later steps read, when it is not `output`: see `Connector.liveOutputOf`. */
  liveOutput?: unknown;
  error: string | null;
}

/** Prefix of the reason stored on a step skipped because a step it needs failed. */
export const SKIPPED_BY_FAILURE = 'not run: ';

export interface RunDecision {
  /** Steps to start now, in file order; they may run in parallel. */
  ready: StepDefinition[];
  /** Steps that will never run because a step they need failed. */
  skip: { step: StepDefinition; reason: string }[];
  /** The earliest time a waiting step (retry or delay) becomes due, if nothing is ready. */
  wakeAt?: Date;
  /** Set once every step is final. */
  outcome?: 'succeeded' | 'failed';
}

/**
 * The order rules of a workflow: a step without `needs` follows the step above it,
 * `needs: [...]` waits for those, `needs: []` starts with the trigger. A need is met by a
 * step that succeeded, was skipped by its `if`, or failed with `continue_on_error`; a step
 * whose need failed otherwise is skipped, and so are the steps after it.
 */
export class RunPlan {
  private readonly dependencies = new Map<string, string[]>();

  constructor(readonly workflow: WorkflowDefinition) {
    workflow.steps.forEach((step, index) => {
      const previous = workflow.steps[index - 1];
      this.dependencies.set(step.id, step.needs ?? (previous ? [previous.id] : []));
    });
  }

  needsOf(stepId: string): readonly string[] {
    return this.dependencies.get(stepId) ?? [];
  }

  decide(states: ReadonlyMap<string, StepState>, now: Date): RunDecision {
    const decision: RunDecision = { ready: [], skip: [] };
    const effective = new Map(states);
    let changed = true;
    // Skips cascade: a skipped-by-failure step blocks its own dependents in the same pass.
    while (changed) {
      changed = false;
      for (const step of this.workflow.steps) {
        const state = effective.get(step.id);
        if (state && state.status !== 'pending') continue;
        const failedNeed = this.needsOf(step.id).find((need) => this.blocks(need, effective));
        if (failedNeed === undefined) continue;
        const reason = `${SKIPPED_BY_FAILURE}step ${failedNeed} failed`;
        decision.skip.push({ step, reason });
        effective.set(step.id, { status: 'skipped', attempts: 0, nextAttemptAt: null, output: null, error: reason });
        changed = true;
      }
    }

    for (const step of this.workflow.steps) {
      const state = effective.get(step.id) ?? pending();
      if (!this.needsOf(step.id).every((need) => this.satisfies(need, effective))) continue;
      if (state.status === 'pending') decision.ready.push(step);
      else if (state.status === 'running') {
        // Running without a due time means the process died mid-attempt: try again.
        const dueAt = this.dueAt(step, state, effective);
        if (dueAt === null || dueAt <= now) decision.ready.push(step);
        else if (!decision.wakeAt || dueAt < decision.wakeAt) decision.wakeAt = dueAt;
      }
    }

    const allFinal = this.workflow.steps.every((step) => isFinal(effective.get(step.id)?.status ?? 'pending'));
    if (allFinal) {
      const failed = this.workflow.steps.some((step) => effective.get(step.id)?.status === 'failed' && !step.continueOnError);
      decision.outcome = failed ? 'failed' : 'succeeded';
    }
    return decision;
  }

  /**
   * When a running step is due. A `for_each` step is also due when one of its items is: a
   * child run that ends wakes the item's row, and the step's own row may have been written
   * after that wake-up with the time the step knew of.
   */
  private dueAt(step: StepDefinition, state: StepState, states: ReadonlyMap<string, StepState>): Date | null {
    if (!step.forEach) return state.nextAttemptAt;
    let dueAt = state.nextAttemptAt;
    const itemPrefix = `${step.id}[`;
    for (const [key, item] of states) {
      if (!key.startsWith(itemPrefix) || item.status !== 'running') continue;
      if (item.nextAttemptAt === null) return null;
      if (dueAt !== null && item.nextAttemptAt < dueAt) dueAt = item.nextAttemptAt;
    }
    return dueAt;
  }

  private satisfies(stepId: string, states: ReadonlyMap<string, StepState>): boolean {
    const state = states.get(stepId);
    if (!state) return false;
    if (state.status === 'succeeded') return true;
    if (state.status === 'skipped') return !state.error?.startsWith(SKIPPED_BY_FAILURE);
    return state.status === 'failed' && this.stepById(stepId).continueOnError;
  }

  private blocks(stepId: string, states: ReadonlyMap<string, StepState>): boolean {
    const state = states.get(stepId);
    if (!state) return false;
    if (state.status === 'failed') return !this.stepById(stepId).continueOnError;
    return state.status === 'skipped' && (state.error?.startsWith(SKIPPED_BY_FAILURE) ?? false);
  }

  private stepById(stepId: string): StepDefinition {
    const step = this.workflow.steps.find((candidate) => candidate.id === stepId);
    if (!step) throw new Error(`Workflow ${this.workflow.name} has no step ${stepId}`);
    return step;
  }
}

export function isFinal(status: StepStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'skipped';
}

function pending(): StepState {
  return { status: 'pending', attempts: 0, nextAttemptAt: null, output: null, error: null };
}
