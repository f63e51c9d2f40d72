import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { StepOutcome } from '../connectors/connector';
import { statusClassOf } from '../delivery/status-class';
import { AttemptStatus, Metrics } from '../observability/metrics';
import { StepDefinition } from '../workflows/workflow.types';
import type { RunInProgress } from './run-in-progress';

/**
 * What the engine tells operators about runs and steps: Prometheus metrics, and log lines
 * that carry `event_id`, `run_id`, `workflow` and `step` as fields, so that one event can be
 * followed through the logs. Error texts are scrubbed of the workflow's secrets first.
 * Successes are only counted, never logged: they are the hot path.
 */
@Injectable()
export class RunReporter {
  private readonly logger = new Logger('Runs');

  constructor(
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  /** One attempt of a step ended (before its result is stored). */
  attempted(run: RunInProgress, step: StepDefinition, outcome: StepOutcome, startedAt: Date): void {
    this.metrics.stepAttempted(run.workflow.name, step.uses, attemptStatusOf(outcome), (this.clock.now().getTime() - startedAt.getTime()) / 1000);
    if ('attempt' in outcome && outcome.attempt) this.metrics.deliveryAttempted(step.uses, statusClassOf(outcome.attempt));
  }

  retryScheduled(run: RunInProgress, step: StepDefinition, attempt: number, error: string, nextAttemptAt: Date): void {
    this.logger.log({
      msg: 'Step attempt failed; retry scheduled',
      ...idsOf(run, step),
      attempt,
      next_attempt_at: nextAttemptAt.toISOString(),
      error: run.scrubber.scrub(error),
    });
  }

  stepFailed(run: RunInProgress, step: StepDefinition, error: string | null | undefined): void {
    this.logger.warn({
      msg: 'Step failed',
      ...idsOf(run, step),
      attempts: run.states.get(step.id)?.attempts ?? 0,
      continue_on_error: step.continueOnError === true,
      error: run.scrubber.scrub(error ?? null),
    });
  }

  /** The run reached a final status in this process. */
  runEnded(run: RunInProgress, status: string, error: string | null): void {
    const createdAt = createdAtOfRunId(run.id);
    if (createdAt !== undefined) this.metrics.runFinished(run.workflow.name, status, (this.clock.now().getTime() - createdAt) / 1000);
    if (status === 'failed') this.logger.warn({ msg: 'Run failed', ...idsOf(run), error: run.scrubber.scrub(error) });
  }

  /** The run was parked because its workflow is paused (counted; logged at debug level only, there may be many). */
  runPaused(runId: string, workflow: string): void {
    this.metrics.runParked(workflow);
    this.logger.debug({ msg: 'Run paused with its workflow', run_id: runId, workflow });
  }

  /** A run that cannot execute at all: its workflow version is gone. */
  runUnavailable(ids: { runId: string; eventId: string; workflow: string }, reason: string): void {
    this.logger.error({ msg: 'Run failed before its first step', event_id: ids.eventId, run_id: ids.runId, workflow: ids.workflow, error: reason });
  }
}

function idsOf(run: RunInProgress, step?: StepDefinition): Record<string, string | undefined> {
  return {
    event_id: (run.event as { id?: string }).id,
    run_id: run.id,
    workflow: run.workflow.name,
    ...(step && { step: step.id }),
  };
}

function attemptStatusOf(outcome: StepOutcome): AttemptStatus {
  if (outcome.kind === 'failed') return 'failed';
  return outcome.kind === 'wait' ? 'waiting' : 'succeeded';
}

/**
 * When the run was created, from its id: run ids are UUIDv7, whose first 48 bits are the
 * creation time in ms. `undefined` for any other id.
 */
export function createdAtOfRunId(id: string): number | undefined {
  if (id.length !== 36 || id[14] !== '7') return undefined;
  const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  return Number.isFinite(ms) ? ms : undefined;
}
