import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { AttemptRecord } from '../delivery/attempt-record';
import { InboundEvent, syntheticEvent } from '../events/inbound-event';
import { RunStatus } from './run.entity';
import { StepState } from './run-plan';
import { ClaimedRun, ClaimRefusal, RUN_LEASE_SECONDS, RunEnd, RunStore, StepResult } from './run-store';
import { FailureContext } from './failure-handoff';
import { RunKind } from './run.entity';

/** The run and step state RunStore keeps in PostgreSQL, as a test reads it back. */
export interface StoredRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  eventId: string;
  event: InboundEvent;
  status: RunStatus;
  error: string | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /** When the run's queue job looks at it again; null when it has none. */
  jobAt: Date | null;
  steps: Map<string, StoredStep>;
  kind: RunKind;
  failure: FailureContext | null;
  failedRunId: string | null;
  /** The run's deadline and the timeout it came from (the workflow's `timeout:`). */
  deadline: Date | null;
  timeoutMs: number | null;
}

export interface StoredStep extends StepState {
  input: unknown;
  /** The attempts' records, in order. */
  attemptRecords: { succeeded: boolean; record: AttemptRecord }[];
}

type RunStoreMethods =
  | 'pause'
  | 'pauseWaiting'
  | 'claim'
  | 'startStep'
  | 'finishStep'
  | 'skipSteps'
  | 'finishRun'
  | 'suspend'
  | 'release'
  | 'retryLater'
  | 'renewLeases'
  | 'timeOut';

/**
 * RunStore's rules without PostgreSQL, for tests of the engine: a claim holds for the lease
 * unless renewed, steps and runs move through the same states as their rows, and a write
 * that needs the lease (suspend, release, renew) does nothing for a process that lost it.
 * Times come from the test's clock.
 */
export class InMemoryRunStore implements Pick<RunStore, RunStoreMethods> {
  private readonly runs = new Map<string, StoredRun>();
  /** The workflows paused in the database (the `pauses` rows). */
  readonly pausedWorkflows = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** Stores a queued run of `workflow`, for an event with an empty JSON body; its deadline from the workflow's `timeout:`. */
  addRun(
    workflow: { name: string; version: string; timeoutMs?: number },
    event = syntheticEvent({ source: 'shop', type: 'order.paid', body: {}, receivedAt: this.clock.now() }),
  ): string {
    const id = randomUUID();
    this.runs.set(id, {
      id,
      workflow: workflow.name,
      workflowVersion: workflow.version,
      eventId: event.id,
      event,
      status: 'queued',
      error: null,
      leaseOwner: null,
      leaseUntil: null,
      jobAt: this.clock.now(),
      steps: new Map(),
      kind: 'steps',
      failure: null,
      failedRunId: null,
      timeoutMs: workflow.timeoutMs ?? null,
      deadline: workflow.timeoutMs === undefined ? null : new Date(this.clock.now().getTime() + workflow.timeoutMs),
    });
    return id;
  }

  /** Every run stored, in the order they were added. */
  allRuns(): StoredRun[] {
    return [...this.runs.values()];
  }

  /** The run as stored. */
  run(runId: string): StoredRun {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  }

  step(runId: string, stepId: string): StoredStep | undefined {
    return this.run(runId).steps.get(stepId);
  }

  pause(runId: string, owner: string, workflow: string): Promise<boolean> {
    const run = this.run(runId);
    if (!this.pausedWorkflows.has(workflow) || run.leaseOwner !== owner || run.status !== 'running') return Promise.resolve(false);
    Object.assign(run, { status: 'paused', leaseOwner: null, leaseUntil: null, jobAt: null });
    return Promise.resolve(true);
  }

  pauseWaiting(runId: string): Promise<string | undefined> {
    const run = this.run(runId);
    if (!this.pausedWorkflows.has(run.workflow) || run.status !== 'queued' || run.leaseOwner !== null) return Promise.resolve(undefined);
    Object.assign(run, { status: 'paused', jobAt: null });
    return Promise.resolve(run.workflow);
  }

  /** What resuming the workflow does to its paused runs (PauseCommands.resume). */
  resume(workflow: string): void {
    this.pausedWorkflows.delete(workflow);
    for (const run of this.runs.values()) {
      if (run.workflow === workflow && run.status === 'paused') Object.assign(run, { status: 'queued', jobAt: this.clock.now() });
    }
  }

  /** What an operator's cancel does (RunCommands.cancelRun). */
  cancel(runId: string): Promise<boolean> {
    const run = this.run(runId);
    if (run.status !== 'queued' && run.status !== 'running') return Promise.resolve(false);
    run.status = 'cancelled';
    for (const step of run.steps.values()) {
      if ((step.status === 'pending' || step.status === 'running') && step.nextAttemptAt !== null) {
        Object.assign(step, { status: 'skipped', error: 'run cancelled', nextAttemptAt: null });
      }
    }
    return Promise.resolve(true);
  }

  async claim(runId: string, owner: string): Promise<ClaimedRun | ClaimRefusal> {
    const run = this.runs.get(runId);
    if (!run) return 'missing';
    if (run.status !== 'queued' && run.status !== 'running') return 'final';
    if (run.leaseOwner !== null && run.leaseOwner !== owner && !this.lapsed(run)) return 'held-by-another-process';
    Object.assign(run, { status: 'running', leaseOwner: owner, leaseUntil: this.leaseEnd(), jobAt: null });
    const steps = new Map<string, StepState>();
    for (const [id, step] of run.steps) {
      steps.set(id, { status: step.status, attempts: step.attempts, nextAttemptAt: step.nextAttemptAt, output: step.output, error: step.error });
    }
    return {
      id: run.id,
      workflow: run.workflow,
      workflowVersion: run.workflowVersion,
      eventId: run.eventId,
      event: run.event,
      steps,
      kind: run.kind,
      failure: run.failure,
      deadline: run.deadline,
    };
  }

  /** TIME_OUT_RUNS for one run (its error names the timeout in milliseconds here). */
  async timeOut(runId: string): Promise<boolean> {
    const run = this.run(runId);
    if (run.deadline === null || run.deadline > this.clock.now() || !['queued', 'running', 'paused'].includes(run.status)) return false;
    Object.assign(run, { status: 'cancelled', error: `run timed out after ${run.timeoutMs}ms`, leaseOwner: null, leaseUntil: null });
    for (const step of run.steps.values()) {
      if ((step.status === 'pending' || step.status === 'running') && step.nextAttemptAt !== null) {
        Object.assign(step, { status: 'skipped', error: 'run timed out', nextAttemptAt: null });
      }
    }
    return true;
  }

  async startStep(runId: string, stepId: string, redactedInput: unknown): Promise<number> {
    const step = this.stepOf(runId, stepId);
    Object.assign(step, { status: 'running', attempts: step.attempts + 1, input: redactedInput, nextAttemptAt: null, error: null });
    return step.attempts;
  }

  async finishStep(
    runId: string,
    stepId: string,
    result: StepResult,
    attempt?: { record: AttemptRecord; succeeded: boolean; startedAt: Date },
    runEnd?: RunEnd,
  ): Promise<RunStatus> {
    const step = this.stepOf(runId, stepId);
    Object.assign(step, {
      status: result.status,
      output: result.output ?? step.output,
      error: result.error ?? null,
      attempts: Math.max(result.attempts ?? 0, step.attempts),
      input: result.input ?? step.input,
      nextAttemptAt: result.nextAttemptAt ?? null,
    });
    if (attempt) step.attemptRecords.push({ succeeded: attempt.succeeded, record: attempt.record });
    const run = this.run(runId);
    if (runEnd) await this.finishRun(runId, runEnd);
    return run.status;
  }

  async skipSteps(runId: string, skips: { stepId: string; reason: string }[]): Promise<void> {
    for (const { stepId, reason } of skips) Object.assign(this.stepOf(runId, stepId), { status: 'skipped', error: reason });
  }

  async finishRun(runId: string, { outcome, error, failureHandoff }: RunEnd): Promise<void> {
    const run = this.run(runId);
    if (run.status !== 'running') return;
    Object.assign(run, { status: outcome, error, leaseOwner: null, leaseUntil: null });
    if (outcome !== 'failed' || !failureHandoff || run.kind !== 'steps') return;
    this.runs.set(failureHandoff.runId, {
      ...this.run(runId),
      id: failureHandoff.runId,
      workflow: failureHandoff.workflow,
      workflowVersion: failureHandoff.workflowVersion,
      status: 'queued',
      error: null,
      jobAt: this.clock.now(),
      steps: new Map(),
      kind: 'on_failure',
      failure: failureHandoff.failure,
      failedRunId: runId,
      deadline: null,
      timeoutMs: null,
    });
  }

  async suspend(runId: string, owner: string, wakeAt: Date): Promise<void> {
    const run = this.run(runId);
    if (run.leaseOwner === owner) Object.assign(run, { leaseOwner: null, leaseUntil: null, jobAt: wakeAt });
  }

  async release(runId: string, owner: string): Promise<void> {
    const run = this.run(runId);
    if (run.leaseOwner === owner) Object.assign(run, { leaseOwner: null, leaseUntil: null });
  }

  async retryLater(runId: string, delayMs: number): Promise<void> {
    this.run(runId).jobAt = new Date(this.clock.now().getTime() + delayMs);
  }

  async renewLeases(owner: string, runIds: string[]): Promise<string[]> {
    const held = runIds.filter((id) => this.runs.get(id)?.leaseOwner === owner);
    for (const id of held) this.run(id).leaseUntil = this.leaseEnd();
    return held;
  }

  private stepOf(runId: string, stepId: string): StoredStep {
    const steps = this.run(runId).steps;
    let step = steps.get(stepId);
    if (!step) {
      step = { status: 'pending', attempts: 0, nextAttemptAt: null, output: null, error: null, input: null, attemptRecords: [] };
      steps.set(stepId, step);
    }
    return step;
  }

  private lapsed(run: StoredRun): boolean {
    return run.leaseUntil === null || run.leaseUntil < this.clock.now();
  }

  private leaseEnd(): Date {
    return new Date(this.clock.now().getTime() + RUN_LEASE_SECONDS * 1000);
  }
}
