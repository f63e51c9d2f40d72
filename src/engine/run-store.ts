import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AttemptRecord } from '../delivery/attempt-record';
import { GroupCommit, retryingConflicts } from '../database/group-commit';
import { preparedQuery } from '../database/prepared-query';
import { jsonbText, storableText } from '../database/storable-text';
import { QUEUE_SCHEMA, RUN_TASK } from '../queue/run-job';
import { RunStatus } from './run.entity';
import { StoredEvent } from './event-context';
import { StepState } from './run-plan';
import { StepStatus } from './step-run.entity';

/** How long a claim on a run holds without a heartbeat renewing it. */
export const RUN_LEASE_SECONDS = 20;

export interface ClaimedRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  eventId: string;
  event: StoredEvent;
  steps: Map<string, StepState>;
}

/**
 * One statement of each kind in flight: what arrives meanwhile joins the next batch, and
 * larger batches cost PostgreSQL less per run. Measured (e2e, 3 interleaved runs each):
 * 1,304 against 1,090 delivered/s with two in flight.
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
  runEnd?: { outcome: 'succeeded' | 'failed'; error: string | null };
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

/** One pending job per run at a time: a later wake-up replaces an earlier one. */
export const ENQUEUE_RUN = (runId: string, runAt: string) =>
  `${QUEUE_SCHEMA}.add_job('${RUN_TASK}', json_build_object('run_id', ${runId}),
     run_at => ${runAt}, job_key => 'run:' || ${runId}, job_key_mode => 'replace')`;

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
    runEnd?: { outcome: 'succeeded' | 'failed'; error: string | null },
  ): Promise<RunStatus> {
    const { runStatus } = await this.stepWrites.submit({ finish: { runId, stepId, result, attempt, runEnd } });
    return runStatus ?? 'running';
  }

  /** Waits for the writes handed in so far (shutdown). */
  async drain(): Promise<void> {
    await Promise.all([this.claims.drain(), this.stepWrites.drain()]);
  }

  private async claimBatch(inputs: { runId: string; owner: string }[]): Promise<(ClaimRow | undefined)[]> {
    const rows = (await preparedQuery(this.dataSource, 'hookflow_claim_runs', CLAIM_RUNS, [
      inputs.map((input) => input.runId),
      inputs.map((input) => input.owner),
      RUN_LEASE_SECONDS,
    ])) as ClaimRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return inputs.map((input) => byId.get(input.runId));
  }

  /** Writes a batch of step starts and ends: by one statement of each kind, or one for both. */
  private async writeSteps(inputs: StepWrite[]): Promise<StepWritten[]> {
    const starts = inputs.flatMap((input) => (input.start ? [input.start] : []));
    const finishes = inputs.flatMap((input) => (input.finish ? [input.finish] : []));
    const parameters = [...(finishes.length > 0 ? finishParameters(finishes) : []), ...(starts.length > 0 ? startParameters(starts) : [])];
    const statement = finishes.length === 0 ? STEP_STATEMENTS.starts : starts.length === 0 ? STEP_STATEMENTS.ends : STEP_STATEMENTS.both;
    const rows = (await preparedQuery(this.dataSource, statement.name, statement.sql, parameters)) as {
      run_id: string;
      step_id: string;
      attempts: number | null;
      run_status: RunStatus | null;
    }[];
    const written = new Map(rows.map((row) => [`${row.attempts === null ? 'finish' : 'start'}/${row.run_id}/${row.step_id}`, row]));
    return inputs.map((input) => {
      const { runId, stepId } = input.start ?? input.finish;
      const row = written.get(`${input.start ? 'start' : 'finish'}/${runId}/${stepId}`);
      return input.start ? { attempts: row?.attempts ?? 1 } : { runStatus: row?.run_status ?? 'running' };
    });
  }

  async skipSteps(runId: string, skips: { stepId: string; reason: string }[]): Promise<void> {
    if (skips.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO step_runs (run_id, step_id, status, attempts, error, finished_at)
       SELECT $1, step_id, 'skipped', 0, reason, now() FROM unnest($2::text[], $3::text[]) AS s(step_id, reason)
       ON CONFLICT (run_id, step_id) DO UPDATE SET status = 'skipped', error = excluded.error, finished_at = now()`,
      [runId, skips.map((skip) => skip.stepId), skips.map((skip) => skip.reason)],
    );
  }

  /** Ends the run and wakes the next run waiting on its concurrency key. */
  async finishRun(runId: string, outcome: 'succeeded' | 'failed', error: string | null): Promise<void> {
    await this.dataSource.query(FINISH_RUN, [runId, outcome, storableText(error)]);
  }

  /** Lets the run go until `wakeAt` (a retry or a delay): no worker waits for it meanwhile. */
  async suspend(runId: string, owner: string, wakeAt: Date): Promise<void> {
    await this.dataSource.query(
      `WITH released AS (
         UPDATE runs SET lease_owner = NULL, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND lease_owner = $2
         RETURNING id, workflow, concurrency_key)
       SELECT ${ENQUEUE_RUN('released.id', '$3::timestamptz')}
         FROM released`,
      [runId, owner, wakeAt.toISOString()],
    );
  }

  /** Gives the run up without finishing it (shutdown, cancel seen): another job will resume it. */
  async release(runId: string, owner: string): Promise<void> {
    await this.dataSource.query(`UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [runId, owner]);
  }

  /** Tries again shortly: used when another process holds the run. */
  async retryLater(runId: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `SELECT ${ENQUEUE_RUN('r.id', `now() + make_interval(secs => $2::float8 / 1000)`)}
         FROM runs r WHERE r.id = $1`,
      [runId, delayMs],
    );
  }

  /**
   * Extends the claims `owner` holds on the runs it is executing; answers the runs it still
   * held. A lapsed claim that nobody took over is renewed: no one else can have started then.
   */
  async renewLeases(owner: string, runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = (await retryingConflicts(() => this.dataSource.query(
      `WITH renewed AS (
         UPDATE runs SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($3::uuid[]) AND lease_owner = $1
         RETURNING id)
       SELECT id FROM renewed`,
      [owner, RUN_LEASE_SECONDS, runIds],
    ))) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /**
   * Puts back on the queue the runs whose claim lapsed with no job behind them: runs a
   * process took straight from its own ingress (RunHandOff) and then died or stalled with.
   * A run that has a job is left to it. Answers how many were put back.
   */
  async requeueLapsedRuns(): Promise<number> {
    const rows = (await this.dataSource.query(REQUEUE_LAPSED_RUNS)) as unknown[];
    return rows.length;
  }

  private async whyNotClaimed(runId: string, owner: string): Promise<ClaimRefusal> {
    const rows = (await this.dataSource.query(
      `SELECT r.status,
              r.lease_owner IS NOT NULL AND r.lease_owner <> $2 AND r.lease_until >= now() AS held,
              r.concurrency_key IS NOT NULL AND ${EARLIER_OPEN_RUN_WITH_ITS_KEY('r')} AS waiting
         FROM runs r WHERE r.id = $1`,
      [runId, owner],
    )) as { status: RunStatus; held: boolean; waiting: boolean }[];
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
    event: {
      source: row.source,
      type: row.type,
      receivedAt: row.received_at,
      headers: row.headers,
      query: row.query,
      contentType: row.content_type,
      body: row.body,
    },
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
  workflow: string;
  workflow_version: string;
  event_id: string;
  source: string;
  type: string;
  received_at: Date;
  headers: Record<string, string>;
  query: string;
  content_type: string | null;
  body: Buffer;
  steps: StepRow[];
}

/** Whether an unfinished run with the concurrency key of `run` (an alias of runs) came before it: then it waits. */
const EARLIER_OPEN_RUN_WITH_ITS_KEY = (run: string) => `EXISTS (
         SELECT 1 FROM open_keyed_runs earlier
          WHERE earlier.workflow = ${run}.workflow AND earlier.concurrency_key = ${run}.concurrency_key
            AND (earlier.created_at, earlier.run_id) < (${run}.created_at, ${run}.id))`;

const CLAIM_RUNS = `
  WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS w(id, owner)),
  claimed AS (
    UPDATE runs r
       SET status = 'running', started_at = coalesce(r.started_at, now()), updated_at = now(),
           lease_owner = w.owner, lease_until = now() + make_interval(secs => $3)
      FROM events e, wanted w
     WHERE r.id = w.id AND e.id = r.event_id
       AND r.status IN ('queued', 'running')
       AND (r.lease_owner IS NULL OR r.lease_owner = w.owner OR r.lease_until < now())
       AND (r.concurrency_key IS NULL OR NOT ${EARLIER_OPEN_RUN_WITH_ITS_KEY('r')})
    RETURNING r.id, r.workflow, r.workflow_version, r.event_id,
              e.source, e.type, e.received_at, e.headers, e.query, e.content_type, e.body,
              (SELECT coalesce(json_agg(json_build_object(
                        'step_id', s.step_id, 'status', s.status, 'attempts', s.attempts,
                        'next_attempt_at', s.next_attempt_at, 'output', s.output, 'error', s.error)), '[]'::json)
                 FROM step_runs s WHERE s.run_id = r.id) AS steps)
  SELECT * FROM claimed`;

/** Step starts, parameters from `$first` on: run ids, step ids, redacted inputs. */
const STARTED = (first: number) => `
  started AS (
    INSERT INTO step_runs (run_id, step_id, status, attempts, input, started_at)
    SELECT run_id, step_id, 'running', 1, input, now()
      FROM unnest($${first}::uuid[], $${first + 1}::text[], $${first + 2}::jsonb[]) AS s(run_id, step_id, input)
    ON CONFLICT (run_id, step_id) DO UPDATE
       SET status = 'running', attempts = step_runs.attempts + 1, input = excluded.input,
           next_attempt_at = NULL, error = NULL, started_at = coalesce(step_runs.started_at, now())
    RETURNING run_id, step_id, attempts)`;

function startParameters(starts: StepStart[]): unknown[] {
  return [starts.map((start) => start.runId), starts.map((start) => start.stepId), starts.map((start) => start.input)];
}

/**
 * Wakes the oldest unfinished run waiting on the concurrency key of the run(s) in `ended`
 * (a CTE of `id, workflow, concurrency_key`). The statement still sees the ended run as
 * open, hence the `w.id <> e.id`.
 */
export const WAKE_NEXT_IN_LINE = (ended: string) => `
    SELECT ${ENQUEUE_RUN('waiting.run_id', 'now()')}
      FROM ${ended} e
      JOIN LATERAL (
        SELECT run_id FROM open_keyed_runs w
         WHERE w.workflow = e.workflow AND w.concurrency_key = e.concurrency_key AND w.run_id <> e.id
         ORDER BY w.created_at, w.run_id LIMIT 1) waiting ON true
     WHERE e.concurrency_key IS NOT NULL`;

/** Step ends, parameters $1 to $19 (finishParameters). */
const FINISHED = `
  input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::timestamptz[], $7::boolean[],
                         $8::text[], $9::timestamptz[], $10::integer[], $11::jsonb[], $12::integer[], $13::jsonb[],
                         $14::text[], $15::text[], $16::integer[], $17::jsonb[], $18::text[], $19::text[])
      AS i(run_id, step_id, status, output, error, next_attempt_at, has_attempt,
           attempt_status, attempt_started_at, duration_ms, request, response_status, response_headers,
           response_body, attempt_error, attempts, input, run_outcome, run_error)),
  step AS (
    -- A step can end without having started (skipped by its if, or failed to render).
    INSERT INTO step_runs (run_id, step_id, status, attempts, input, output, error, next_attempt_at, started_at, finished_at)
    SELECT run_id, step_id, status, attempts, input, output, error, next_attempt_at, coalesce(attempt_started_at, now()),
           CASE WHEN status IN ('succeeded', 'failed', 'skipped') THEN now() END
      FROM input
    ON CONFLICT (run_id, step_id) DO UPDATE
       SET status = excluded.status, output = coalesce(excluded.output, step_runs.output), error = excluded.error,
           attempts = greatest(excluded.attempts, step_runs.attempts), input = coalesce(excluded.input, step_runs.input),
           next_attempt_at = excluded.next_attempt_at, finished_at = excluded.finished_at
    RETURNING run_id),
  attempt AS (
    INSERT INTO step_attempts (run_id, step_id, n, status, started_at, duration_ms, request,
                               response_status, response_headers, response_body, error)
    SELECT i.run_id, i.step_id,
           coalesce((SELECT max(n) FROM step_attempts a WHERE a.run_id = i.run_id AND a.step_id = i.step_id), 0) + 1,
           i.attempt_status, i.attempt_started_at, i.duration_ms, i.request, i.response_status, i.response_headers,
           i.response_body, i.attempt_error
      FROM input i WHERE i.has_attempt
    RETURNING id),
  finished AS (
    UPDATE runs r
       SET status = i.run_outcome, error = i.run_error, finished_at = now(), updated_at = now(),
           lease_owner = NULL, lease_until = NULL
      FROM input i
     WHERE r.id = i.run_id AND i.run_outcome IS NOT NULL AND r.status = 'running'
    RETURNING r.id, r.workflow, r.concurrency_key, r.status),
  woken AS (${WAKE_NEXT_IN_LINE('finished')})`;

const FINISH_ROWS = `
  SELECT i.run_id, i.step_id, coalesce(f.status, r.status) AS run_status, NULL::integer AS attempts,
         (SELECT count(*) FROM step) AS steps, (SELECT count(*) FROM attempt) AS attempt_rows, (SELECT count(*) FROM woken) AS woken
    FROM input i
    LEFT JOIN finished f ON f.id = i.run_id
    LEFT JOIN runs r ON r.id = i.run_id`;

/**
 * The prepared statements for a batch of step writes: starts only, ends only, or both. A
 * start and an end in one batch are never of the same step: a step ends only after its
 * start was written.
 */
const STEP_STATEMENTS = {
  starts: { name: 'hookflow_start_steps', sql: `WITH ${STARTED(1)} SELECT run_id, step_id, attempts, NULL::text AS run_status FROM started` },
  ends: { name: 'hookflow_finish_steps', sql: `WITH ${FINISHED} ${FINISH_ROWS}` },
  both: {
    name: 'hookflow_start_and_finish_steps',
    sql: `WITH ${FINISHED}, ${STARTED(20)} ${FINISH_ROWS} UNION ALL SELECT run_id, step_id, NULL, attempts, NULL, NULL, NULL FROM started`,
  },
};

const FINISH_RUN = `
  WITH finished AS (
    UPDATE runs SET status = $2, error = $3, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND status = 'running'
    RETURNING id, workflow, concurrency_key)
  ${WAKE_NEXT_IN_LINE('finished')}`;

const REQUEUE_LAPSED_RUNS = `
  WITH lapsed AS (
    UPDATE runs r SET lease_owner = NULL, lease_until = NULL
     WHERE r.lease_owner IS NOT NULL AND r.lease_until < now() AND r.status IN ('queued', 'running')
       AND NOT EXISTS (SELECT 1 FROM ${QUEUE_SCHEMA}._private_jobs j WHERE j.key = 'run:' || r.id)
    RETURNING r.id)
  SELECT ${ENQUEUE_RUN('lapsed.id', 'now()')} FROM lapsed`;

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
  ];
}
