import { Injectable, Logger } from '@nestjs/common';
import { Settings } from '../config/settings';
import { RunPlan } from './run-plan';
import { RunStore } from './run-store';
import { SecretScrubber } from './secret-scrubber';
import { StepRunner, RunInProgress, runOutcome } from './step-runner';
import { eventContextOf } from './event-context';
import { WorkflowVersions } from './workflow-versions.service';

/** When another process holds a run, look again after this long. */
const HELD_RUN_RETRY_MS = 5_000;

/**
 * Executes one queue job "look at run X now": claims the run, runs every step that is due
 * (independent ones in parallel), and then either finishes the run or lets it go until
 * its next retry or delay is due. State is written at every transition, so a crash at any
 * point resumes from the last one.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);
  private readonly scrubbers = new WeakMap<object, SecretScrubber>();
  /** Runs executing in this process: a second job for one of them waits for the first. */
  private readonly inProgress = new Map<string, Promise<void>>();

  constructor(
    private readonly store: RunStore,
    private readonly versions: WorkflowVersions,
    private readonly steps: StepRunner,
    private readonly settings: Settings,
  ) {}

  /** The runs this process is executing now (their leases are renewed by the heartbeat). */
  runsInProgress(): string[] {
    return [...this.inProgress.keys()];
  }

  async execute(runId: string, owner: string): Promise<void> {
    const previous = this.inProgress.get(runId);
    const execution = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => this.executeOnce(runId, owner));
    this.inProgress.set(runId, execution);
    try {
      await execution;
    } finally {
      if (this.inProgress.get(runId) === execution) this.inProgress.delete(runId);
    }
  }

  private async executeOnce(runId: string, owner: string): Promise<void> {
    const claimed = await this.store.claim(runId, owner);
    if (claimed === 'held-by-another-process') return this.store.retryLater(runId, HELD_RUN_RETRY_MS);
    if (typeof claimed === 'string') return;

    const workflow = await this.versions.get(claimed.workflow, claimed.workflowVersion);
    if (!workflow) {
      this.logger.error(`Run ${runId}: workflow ${claimed.workflow} version ${claimed.workflowVersion} is not available`);
      return this.store.finishRun(runId, 'failed', `workflow ${claimed.workflow} version ${claimed.workflowVersion} is not available`);
    }
    const run: RunInProgress = {
      id: runId,
      owner,
      workflow,
      event: eventContextOf(claimed.eventId, claimed.event),
      states: claimed.steps,
      scrubber: this.scrubberFor(workflow),
      plan: new RunPlan(workflow),
      writesInFlight: 0,
      finished: false,
      inputs: new Map(),
    };
    const plan = run.plan;

    for (;;) {
      const decision = plan.decide(run.states, new Date());
      if (decision.skip.length > 0) {
        await this.store.skipSteps(runId, decision.skip.map(({ step, reason }) => ({ stepId: step.id, reason })));
        for (const { step, reason } of decision.skip) {
          run.states.set(step.id, { status: 'skipped', attempts: 0, nextAttemptAt: null, output: null, error: reason });
        }
      }
      if (decision.ready.length > 0) {
        const statuses = await Promise.all(decision.ready.map((step) => this.steps.run(run, step)));
        if (statuses.includes('cancelled')) return this.store.release(runId, owner);
        if (run.finished) return;
        continue;
      }
      const end = runOutcome(run);
      if (end) return this.store.finishRun(runId, end.outcome, end.error);
      if (decision.wakeAt) return this.store.suspend(runId, owner, decision.wakeAt);
      throw new Error(`Run ${runId} has no step to run, none to wait for, and is not finished`);
    }
  }

  private scrubberFor(workflow: object & { yaml: string }): SecretScrubber {
    let scrubber = this.scrubbers.get(workflow);
    if (!scrubber) {
      scrubber = new SecretScrubber(workflow.yaml, this.settings.environment);
      this.scrubbers.set(workflow, scrubber);
    }
    return scrubber;
  }
}
