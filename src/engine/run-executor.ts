import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Settings } from '../config/settings';
import { eventContextOf } from '../events/inbound-event';
import { PausedSet } from '../pauses/paused-set';
import { RunPlan } from './run-plan';
import { RunReporter } from './run-reporter';
import { ClaimedRun, RUN_LEASE_SECONDS, RunStore } from './run-store';
import { WorkflowSecretScrubber } from './workflow-secret-scrubber';
import { RunInProgress } from './run-in-progress';
import { StepRunner, runOutcome } from './step-runner';
import { WorkflowVersions } from './workflow-versions';
import { definitionForKind } from './failure-handoff';
import { FailureHandlers } from './failure-handlers';

/** When another process holds a run, look again after this long. */
const HELD_RUN_RETRY_MS = 5_000;
/** When a claim lost a race with a lapsing lease or another claim, look again soon. */
const CONTENDED_RUN_RETRY_MS = 500;
/**
 * A claim confirmed less than this long ago is certainly still held: half the lease, so
 * that neither a slow statement nor clocks running at slightly different rates matter.
 */
export const LEASE_TRUSTED_MS = (RUN_LEASE_SECONDS * 1000) / 2;

/**
 * Executes one queue job "look at run X now": claims the run, runs every step that is due
 * (independent ones in parallel), and then either finishes the run or lets it go until
 * its next retry or delay is due. State is written at every transition, so a crash at any
 * point resumes from the last one.
 *
 * A run of a paused workflow is parked (status `paused`, no claim, no job, step states kept)
 * when it is claimed and before each further round of steps; attempts already sent finish
 * first. Resuming the workflow queues it again (PauseCommands).
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);
  private readonly scrubbers = new WeakMap<object, WorkflowSecretScrubber>();
  /** Runs executing in this process: a second job for one of them waits for the first. */
  private readonly inProgress = new Map<string, Promise<void>>();
  /** When this process last knew it held each run's claim (`Clock.monotonicMs()` before asking). */
  private readonly leaseConfirmedAt = new Map<string, number>();

  constructor(
    private readonly store: RunStore,
    private readonly versions: WorkflowVersions,
    private readonly steps: StepRunner,
    private readonly settings: Settings,
    private readonly reporter: RunReporter,
    private readonly failureHandlers: FailureHandlers,
    private readonly clock: Clock,
    private readonly pausedSet: PausedSet,
  ) {}

  /** The runs this process is executing now (their leases are renewed by the heartbeat). */
  runsInProgress(): string[] {
    return [...this.inProgress.keys()];
  }

  /** Extends the claims on the runs in progress; the heartbeat calls this every few seconds. */
  async renewLeases(owner: string): Promise<void> {
    const askedAt = this.clock.monotonicMs();
    for (const runId of await this.store.renewLeases(owner, this.runsInProgress())) {
      if (this.leaseConfirmedAt.has(runId)) this.leaseConfirmedAt.set(runId, askedAt);
    }
  }

  /** Claims the run for `owner`, then executes it (a queue job "look at run X now"). */
  execute(runId: string, owner: string): Promise<void> {
    return this.serialized(runId, () => this.claimAndProceed(runId, owner));
  }

  /**
   * Executes a run that was stored already claimed by `owner` (RunHandOff): nothing to
   * fetch or claim, its claim dates from `claimedAt` (`Clock.monotonicMs()`).
   */
  executeClaimed(claimed: ClaimedRun, owner: string, claimedAt: number): Promise<void> {
    return this.serialized(claimed.id, () => {
      this.leaseConfirmedAt.set(claimed.id, claimedAt);
      return this.proceed(claimed, owner);
    });
  }

  private async serialized(runId: string, execute: () => Promise<void>): Promise<void> {
    const previous = this.inProgress.get(runId);
    const execution = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(execute);
    this.inProgress.set(runId, execution);
    try {
      await execution;
    } finally {
      if (this.inProgress.get(runId) === execution) {
        this.inProgress.delete(runId);
        this.leaseConfirmedAt.delete(runId);
      }
    }
  }

  private async claimAndProceed(runId: string, owner: string): Promise<void> {
    const askedAt = this.clock.monotonicMs();
    const claimed = await this.store.claim(runId, owner);
    if (claimed === 'held-by-another-process') return this.store.retryLater(runId, HELD_RUN_RETRY_MS);
    if (claimed === 'contended') return this.store.retryLater(runId, CONTENDED_RUN_RETRY_MS);
    if (claimed === 'waiting-for-earlier-run') return this.parkWaitingIfPaused(runId);
    if (typeof claimed === 'string') return;
    this.leaseConfirmedAt.set(runId, askedAt);
    return this.proceed(claimed, owner);
  }

  private async proceed(claimed: ClaimedRun, owner: string): Promise<void> {
    const runId = claimed.id;
    if (this.pastDeadline(claimed)) return this.timeOut(runId, owner);
    if (await this.parkedForPause(runId, owner, claimed.workflow)) return;
    const loaded = await this.versions.get(claimed.workflow, claimed.workflowVersion);
    if (!loaded) {
      const reason = `workflow ${claimed.workflow} version ${claimed.workflowVersion} is not available`;
      this.reporter.runUnavailable({ runId, eventId: claimed.eventId, workflow: claimed.workflow }, reason);
      return this.store.finishRun(runId, this.failureHandlers.unavailableEnd({ id: runId, kind: claimed.kind, workflow: claimed.workflow }, reason));
    }
    const workflow = definitionForKind(loaded, claimed.kind);
    const run: RunInProgress = {
      id: runId,
      owner,
      kind: claimed.kind,
      failure: claimed.failure,
      workflow,
      event: eventContextOf(claimed.event),
      states: claimed.steps,
      scrubber: this.scrubberFor(workflow),
      plan: new RunPlan(workflow),
      writesInFlight: 0,
      finished: false,
      inputs: new Map(),
    };
    this.steps.restoreLiveOutputs(run);
    const plan = run.plan;

    for (;;) {
      const decision = plan.decide(run.states, this.clock.now());
      if (decision.skip.length > 0) {
        await this.store.skipSteps(
          runId,
          decision.skip.map(({ step, reason }) => ({ stepId: step.id, reason })),
        );
        for (const { step, reason } of decision.skip) {
          run.states.set(step.id, { status: 'skipped', attempts: 0, nextAttemptAt: null, output: null, error: reason });
        }
      }
      if (decision.ready.length > 0) {
        if (this.pastDeadline(claimed)) return this.timeOut(runId, owner);
        if (!(await this.stillHolds(runId, owner))) return;
        if (await this.parkedForPause(runId, owner, claimed.workflow)) return;
        const statuses = await Promise.all(decision.ready.map((step) => this.steps.run(run, step)));
        if (statuses.includes('cancelled')) return this.store.release(runId, owner);
        if (run.finished) return;
        continue;
      }
      const end = runOutcome(run, this.clock.now());
      if (end) {
        const runEnd = this.failureHandlers.endOf(run, end);
        await this.store.finishRun(runId, runEnd);
        return this.reporter.runEnded(run, runEnd.outcome, runEnd.error);
      }
      // A run that times out while it waits is woken at its deadline, not when its wait ends.
      if (decision.wakeAt) return this.store.suspend(runId, owner, earliest(decision.wakeAt, claimed.deadline));
      throw new Error(`Run ${runId} has no step to run, none to wait for, and is not finished`);
    }
  }

  private pastDeadline(claimed: ClaimedRun): boolean {
    return claimed.deadline !== null && claimed.deadline <= this.clock.now();
  }

  /**
   * Cancels the run past its deadline. The database's clock decides: when it does not agree
   * yet (the clocks differ a little), the run is looked at again shortly.
   */
  private async timeOut(runId: string, owner: string): Promise<void> {
    if (await this.store.timeOut(runId)) return;
    await this.store.release(runId, owner);
    return this.store.retryLater(runId, CONTENDED_RUN_RETRY_MS);
  }

  /**
   * A run waiting behind an earlier one with its key shows as paused too while its workflow
   * is; the refusal does not name the workflow, so the store checks only while some workflow
   * is paused.
   */
  private async parkWaitingIfPaused(runId: string): Promise<void> {
    if (this.pausedSet.count('workflow') === 0) return;
    const workflow = await this.store.pauseWaiting(runId);
    if (workflow !== undefined) this.reporter.runPaused(runId, workflow);
  }

  /**
   * Parks the run when its workflow is paused. The in-memory set answers without a database
   * question; only when it says paused does the store check the pause row.
   */
  private async parkedForPause(runId: string, owner: string, workflow: string): Promise<boolean> {
    if (!this.pausedSet.isPaused('workflow', workflow)) return false;
    if (!(await this.store.pause(runId, owner, workflow))) return false;
    this.reporter.runPaused(runId, workflow);
    return true;
  }

  /**
   * Whether this process may start more steps of the run. The heartbeat keeps the claim
   * alive; but after a stall longer than the lease (event loop blocked, process paused,
   * database unreachable) another process may have taken the run over, and two processes
   * must never execute its steps at once.
   */
  private async stillHolds(runId: string, owner: string): Promise<boolean> {
    if (this.clock.monotonicMs() - (this.leaseConfirmedAt.get(runId) ?? -Infinity) < LEASE_TRUSTED_MS) return true;
    const askedAt = this.clock.monotonicMs();
    if ((await this.store.renewLeases(owner, [runId])).length === 0) {
      this.logger.warn(`Run ${runId} was taken over by another process while this one stalled; leaving it to that process`);
      return false;
    }
    this.leaseConfirmedAt.set(runId, askedAt);
    return true;
  }

  private scrubberFor(workflow: object & { yaml: string }): WorkflowSecretScrubber {
    let scrubber = this.scrubbers.get(workflow);
    if (!scrubber) {
      scrubber = new WorkflowSecretScrubber(workflow.yaml, this.settings.secrets);
      this.scrubbers.set(workflow, scrubber);
    }
    return scrubber;
  }
}

function earliest(wakeAt: Date, deadline: Date | null): Date {
  return deadline !== null && deadline < wakeAt ? deadline : wakeAt;
}
