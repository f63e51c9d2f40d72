import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AttemptRecord } from '../delivery/attempt-record';
import { InboundEvent, storedEvent } from '../events/inbound-event';
import { GroupCommit, retryingConflicts } from '../database/group-commit';
import { preparedQuery } from '../database/prepared-query';
import { jsonbText, storableText } from '../database/storable-text';
import { RunKind, RunStatus } from './run.entity';
import { FailureContext, FailureHandoff } from './failure-handoff';
import {
  CLAIM_RUNS,
  CANCEL_RUN,
  CLAIM_OBSTACLES,
  FINISH_RUN,
  INSERT_QUEUED_RUNS,
  PAUSE_QUEUED_RUNS,
  PAUSE_RUN,
  PAUSE_WAITING_RUN,
  RELEASE_RUN,
  RENEW_LEASES,
  REQUEUE_LAPSED_RUNS,
  RESUME_PAUSED_RUNS,
  RETRY_RUN,
  RETRY_RUN_LATER,
  SKIP_STEPS,
  STEP_STATEMENTS,
  SUSPEND_RUN,
  TIME_OUT_RUNS,
} from './run-statements';
import { StepState } from './run-plan';
import { StepStatus } from './step-run.entity';

/** How long a claim on a run holds without a heartbeat renewing it. */
export const RUN_LEASE_SECONDS = 20;

export interface ClaimedRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  eventId: string;
  event: InboundEvent;
  steps: Map<string, StepState>;
  kind: RunKind;
  /** Set for an `on_failure` run. */
  failure: FailureContext | null;
  /** When the run is cancelled if unfinished (the workflow's `timeout:`); null without one. */
  deadline: Date | null;
}

/** How a run ends, and for a failed run, the failure run to create in the same statement. */
export interface RunEnd {
  outcome: 'succeeded' | 'failed';
  error: string | null;
  /** A succeeded run's rendered `output:`, as stored. */
  output?: unknown;
  failureHandoff?: FailureHandoff;
}

/**
 * One statement of each kind in flight: what arrives meanwhile joins the next batch, and
 * larger batches cost PostgreSQL less per run (its per-statement cost is paid less often);
 * two in flight delivered less end to end (BENCHMARKS.md history).
 */
const BATCHING = { maxBatch: 128, maxConcurrent: 1 };

export interface StepResult {
  status: StepStatus;
  output?: unknown;
  error?: string | null;
  nextAttemptAt?: Date | null;
  attempts?: number;
  input?: unknown;
}

interface StepStart {
  runId: string;
  stepId: string;
  input: string;
}

interface StepFinish {
  runId: string;
  stepId: string;
  result: StepResult;
  attempt?: { record: AttemptRecord; succeeded: boolean; startedAt: Date };
  runEnd?: RunEnd;
}

/** A run to store as queued, for an event already stored. */
export interface QueuedRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  concurrencyKey: string | null;
  timeoutMs: number | null;
}

/** One write of a step's state: an attempt beginning, or one ending. */
type StepWrite = { start: StepStart; finish?: undefined } | { finish: StepFinish; start?: undefined };

/** What a step write answers: the attempt's number for a start, the run's status for an end. */
interface StepWritten {
  attempts?: number;
  runStatus?: RunStatus;
}

/**
 * Why a claim was refused. `contended`: nothing holds the run any more, yet the claim did
 * not get it (a lease lapsed between the claim and the question, or another process
 * claimed it and let go); it is worth another try.
 */
export type ClaimRefusal = 'missing' | 'final' | 'waiting-for-earlier-run' | 'held-by-another-process' | 'contended';

interface StepRow {
  step_id: string;
  status: StepStatus;
  attempts: number;
  next_attempt_at: string | null;
  output: unknown;
  error: string | null;
}

/**
 * Every read and write of run and step state. Each method is one statement (one
 * transaction), so that the state in the tables is always one the engine can resume from.
 */
@Injectable()
export class RunStore {
  // The engine's most frequent writes are group-committed: concurrent runs share
  // their statements and transactions, which is what keeps PostgreSQL from being the
  // bottleneck at high event rates. Attempts beginning and ending share one stream: each
  // statement, and above all each commit's WAL flush, costs more than its rows.
  private readonly claims = new GroupCommit((inputs: { runId: string; owner: string }[]) => this.claimBatch(inputs), BATCHING);
  private readonly stepWrites = new GroupCommit((inputs: StepWrite[]) => this.writeSteps(inputs), BATCHING);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the run for `owner` unless it is final, held by another live process, or an
   * earlier run with its concurrency key is unfinished. Answers the run with its event and
   * step states.
   */
  async claim(runId: string, owner: string): Promise<ClaimedRun | ClaimRefusal> {
    const row = await this.claims.submit({ runId, owner });
    return row ? claimedRunOf(row) : this.whyNotClaimed(runId, owner);
  }

  /** Records that an attempt of a step begins; answers the attempt's number (1-based). */
  async startStep(runId: string, stepId: string, redactedInput: unknown): Promise<number> {
    const { attempts } = await this.stepWrites.submit({ start: { runId, stepId, input: jsonbText(redactedInput ?? null) } });
    return attempts ?? 1;
  }

  /**
   * Records how an attempt ended: final (`succeeded`/`failed`) or `running` with the time
   * of the next attempt, with the attempt's record, and (`runEnd`) the end of the run when
   * this was its last step. Answers the run's status, so that a cancel is seen at once.
   */
  async finishStep(
    runId: string,
    stepId: string,
    result: StepResult,
    attempt?: { record: AttemptRecord; succeeded: boolean; startedAt: Date },
    runEnd?: RunEnd,
  ): Promise<RunStatus> {
    const { runStatus } = await this.stepWrites.submit({ finish: { runId, stepId, result, attempt, runEnd } });
    return runStatus ?? 'running';
  }

  /** Waits for the writes handed in so far (shutdown). */
  async drain(): Promise<void> {
    await Promise.all([this.claims.drain(), this.stepWrites.drain()]);
  }

  private async claimBatch(inputs: { runId: string; owner: string }[]): Promise<(ClaimRow | undefined)[]> {
    const rows = await preparedQuery<ClaimRow>(this.dataSource, 'hookflow_claim_runs', CLAIM_RUNS, [
      inputs.map((input) => input.runId),
      inputs.map((input) => input.owner),
      RUN_LEASE_SECONDS,
    ]);
    // Two owners asking for one run in one batch: the row names the one that has it.
    const claimed = new Map(rows.map((row) => [`${row.id}/${row.lease_owner}`, row]));
    return inputs.map((input) => claimed.get(`${input.runId}/${input.owner}`));
  }

  /** Writes a batch of step starts and ends: by one statement of each kind, or one for both. */
  private async writeSteps(inputs: StepWrite[]): Promise<StepWritten[]> {
    const starts = inputs.flatMap((input) => (input.start ? [input.start] : []));
    const finishes = inputs.flatMap((input) => (input.finish ? [input.finish] : []));
    const parameters = [...(finishes.length > 0 ? finishParameters(finishes) : []), ...(starts.length > 0 ? startParameters(starts) : [])];
    const statement = finishes.length === 0 ? STEP_STATEMENTS.starts : starts.length === 0 ? STEP_STATEMENTS.ends : STEP_STATEMENTS.both;
    const rows = await preparedQuery<{
      run_id: string;
      step_id: string;
      attempts: number | null;
      run_status: RunStatus | null;
    }>(this.dataSource, statement.name, statement.sql, parameters);
    const written = new Map(rows.map((row) => [`${row.attempts === null ? 'finish' : 'start'}/${row.run_id}/${row.step_id}`, row]));
    return inputs.map((input) => {
      const { runId, stepId } = input.start ?? input.finish;
      const row = written.get(`${input.start ? 'start' : 'finish'}/${runId}/${stepId}`);
      return input.start ? { attempts: row?.attempts ?? 1 } : { runStatus: row?.run_status ?? 'running' };
    });
  }

  async skipSteps(runId: string, skips: { stepId: string; reason: string }[]): Promise<void> {
    if (skips.length === 0) return;
    await this.dataSource.query(SKIP_STEPS, [runId, skips.map((skip) => skip.stepId), skips.map((skip) => skip.reason)]);
  }

  /** Ends the run, wakes the next run waiting on its concurrency key and, when it failed, creates the failure run handed off. */
  async finishRun(runId: string, end: RunEnd): Promise<void> {
    const handoff = end.outcome === 'failed' ? end.failureHandoff : undefined;
    await this.dataSource.query(FINISH_RUN, [
      runId,
      end.outcome,
      storableText(end.error),
      handoff?.runId ?? null,
      handoff?.workflow ?? null,
      handoff?.workflowVersion ?? null,
      handoff ? jsonbText(handoff.failure) : null,
      end.output === undefined ? null : jsonbText(end.output),
    ]);
  }

  /** Lets the run go until `wakeAt` (a retry or a delay): no worker waits for it meanwhile. */
  async suspend(runId: string, owner: string, wakeAt: Date): Promise<void> {
    await this.dataSource.query(SUSPEND_RUN, [runId, owner, wakeAt.toISOString()]);
  }

  /** Gives the run up without finishing it (shutdown, cancel seen): another job will resume it. */
  async release(runId: string, owner: string): Promise<void> {
    await this.dataSource.query(RELEASE_RUN, [runId, owner]);
  }

  /**
   * Parks the run `owner` holds as `paused` when its workflow is paused in the database
   * (the caller's in-memory view may be behind); true when it did.
   */
  async pause(runId: string, owner: string, workflow: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(PAUSE_RUN, [runId, owner, workflow]);
    return rows.length > 0;
  }

  /** Parks a queued run waiting behind an earlier one with its key, when its workflow is paused; answers its workflow when it did. */
  async pauseWaiting(runId: string): Promise<string | undefined> {
    const rows = await this.dataSource.query<{ workflow: string }[]>(PAUSE_WAITING_RUN, [runId]);
    return rows[0]?.workflow;
  }

  /** Parks the queued runs of `workflow` no process holds, in the transaction of `manager` that pauses it; answers how many. */
  async pauseQueuedRuns(manager: EntityManager, workflow: string): Promise<number> {
    const [{ runs }] = await manager.query<{ runs: number }[]>(PAUSE_QUEUED_RUNS, [workflow]);
    return runs;
  }

  /** Queues the paused runs of `workflow` again, in the transaction of `manager`; answers how many. */
  async resumePausedRuns(manager: EntityManager, workflow: string): Promise<number> {
    const [{ runs }] = await manager.query<{ runs: number }[]>(RESUME_PAUSED_RUNS, [workflow]);
    return runs;
  }

  /** Tries again shortly: used when another process holds the run. */
  async retryLater(runId: string, delayMs: number): Promise<void> {
    await this.dataSource.query(RETRY_RUN_LATER, [runId, delayMs]);
  }

  /**
   * Extends the claims `owner` holds on the runs it is executing; answers the runs it still
   * held. A lapsed claim that nobody took over is renewed: no one else can have started then.
   */
  async renewLeases(owner: string, runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await retryingConflicts<{ id: string }[]>(() => this.dataSource.query(RENEW_LEASES, [owner, RUN_LEASE_SECONDS, runIds]));
    return rows.map((row) => row.id);
  }

  /**
   * Puts back on the queue the runs whose claim lapsed with no job behind them: runs a
   * process took straight from its own ingress (RunHandOff) and then died or stalled with.
   * A run that has a job is left to it. Answers how many were put back.
   */
  async requeueLapsedRuns(): Promise<number> {
    const rows = await this.dataSource.query<unknown[]>(REQUEUE_LAPSED_RUNS);
    return rows.length;
  }

  /** Stores new queued runs of the event, each with a queue job, in one statement. */
  async insertQueuedRuns(eventId: string, runs: QueuedRun[]): Promise<void> {
    if (runs.length === 0) return;
    await this.dataSource.query(INSERT_QUEUED_RUNS, [
      eventId,
      runs.map((run) => run.id),
      runs.map((run) => run.workflow),
      runs.map((run) => run.workflowVersion),
      runs.map((run) => run.concurrencyKey),
      runs.map((run) => run.timeoutMs),
    ]);
  }

  /** Queues a failed or cancelled run again from the steps that did not succeed; false when it is neither. */
  async queueRetry(runId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(RETRY_RUN, [runId]);
    return rows.length > 0;
  }

  /** Cancels a queued, running or paused run (steps waiting for an attempt are skipped); false when it is none of them. */
  async cancel(runId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(CANCEL_RUN, [runId]);
    return rows.length > 0;
  }

  /** Cancels run `runId` if it is past its deadline (RunExecutor); true when it did. */
  async timeOut(runId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(TIME_OUT_RUNS, [runId, 1]);
    return rows.length > 0;
  }

  /**
   * Cancels up to `limit` runs past their deadline, whatever they wait for (a retry, a delay,
   * an earlier run with their key, a resume) or do; answers their ids. The workers' heartbeat
   * sweeps, so that runs no job will wake are cancelled too.
   */
  async timeOutRuns(limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(TIME_OUT_RUNS, [null, limit]);
    return rows.map((row) => row.id);
  }

  private async whyNotClaimed(runId: string, owner: string): Promise<ClaimRefusal> {
    const rows = await this.dataSource.query<{ status: RunStatus; held: boolean; waiting: boolean }[]>(CLAIM_OBSTACLES, [runId, owner]);
    if (rows.length === 0) return 'missing';
    const [{ status, held, waiting }] = rows;
    if (status !== 'queued' && status !== 'running') return 'final';
    if (held) return 'held-by-another-process';
    // Only a run behind an earlier one may be left without a job: that one wakes it when it ends.
    return waiting ? 'waiting-for-earlier-run' : 'contended';
  }
}

function claimedRunOf(row: ClaimRow): ClaimedRun {
  return {
    id: row.id,
    workflow: row.workflow,
    workflowVersion: row.workflow_version,
    eventId: row.event_id,
    kind: row.kind,
    failure: row.failure,
    deadline: row.deadline,
    event: storedEvent({
      id: row.event_id,
      source: row.source,
      type: row.type,
      receivedAt: row.received_at,
      headers: row.headers,
      query: row.query,
      contentType: row.content_type,
      body: row.body,
    }),
    steps: new Map(
      row.steps.map((step) => [
        step.step_id,
        {
          status: step.status,
          attempts: step.attempts,
          nextAttemptAt: step.next_attempt_at ? new Date(step.next_attempt_at) : null,
          output: step.output,
          error: step.error,
        },
      ]),
    ),
  };
}

interface ClaimRow {
  id: string;
  lease_owner: string;
  workflow: string;
  workflow_version: string;
  event_id: string;
  kind: RunKind;
  failure: FailureContext | null;
  deadline: Date | null;
  source: string;
  type: string;
  received_at: Date;
  headers: Record<string, string>;
  query: string;
  content_type: string | null;
  body: Buffer;
  steps: StepRow[];
}

function startParameters(starts: StepStart[]): unknown[] {
  return [starts.map((start) => start.runId), starts.map((start) => start.stepId), starts.map((start) => start.input)];
}

function finishParameters(inputs: StepFinish[]): unknown[] {
  const column = <T>(pick: (input: StepFinish) => T) => inputs.map(pick);
  const json = (value: unknown) => (value === undefined || value === null ? null : jsonbText(value));
  return [
    column((i) => i.runId),
    column((i) => i.stepId),
    column((i) => i.result.status),
    column((i) => json(i.result.output)),
    column((i) => storableText(i.result.error) ?? null),
    column((i) => i.result.nextAttemptAt?.toISOString() ?? null),
    column((i) => i.attempt !== undefined),
    column((i) => (i.attempt?.succeeded ? 'succeeded' : 'failed')),
    column((i) => i.attempt?.startedAt.toISOString() ?? null),
    column((i) => (i.attempt ? Math.round(i.attempt.record.durationMs) : null)),
    column((i) => json(i.attempt?.record.request)),
    column((i) => i.attempt?.record.status ?? null),
    column((i) => json(i.attempt?.record.responseHeaders)),
    column((i) => storableText(i.attempt?.record.responseBody) ?? null),
    column((i) => storableText(i.attempt?.record.error) ?? null),
    column((i) => i.result.attempts ?? 0),
    column((i) => json(i.result.input)),
    column((i) => i.runEnd?.outcome ?? null),
    column((i) => storableText(i.runEnd?.error) ?? null),
    column((i) => (i.runEnd?.outcome === 'failed' ? (i.runEnd.failureHandoff?.runId ?? null) : null)),
    column((i) => i.runEnd?.failureHandoff?.workflow ?? null),
    column((i) => i.runEnd?.failureHandoff?.workflowVersion ?? null),
    column((i) => json(i.runEnd?.failureHandoff?.failure)),
    column((i) => json(i.runEnd?.output)),
  ];
}
