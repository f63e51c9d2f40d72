import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AttemptRecord } from '../delivery/attempt-record';
import { QUEUE_SCHEMA, RUN_TASK } from '../queue/run-job';
import { RunStatus } from './run.entity';
import { StepState } from './run-plan';
import { StepStatus } from './step-run.entity';

/** How long a claim on a run holds without a heartbeat renewing it. */
export const RUN_LEASE_SECONDS = 20;

export interface ClaimedRun {
  id: string;
  workflow: string;
  workflowVersion: string;
  eventId: string;
  event: {
    source: string;
    type: string;
    receivedAt: Date;
    headers: Record<string, string>;
    query: string;
    contentType: string | null;
    body: Buffer;
  };
  steps: Map<string, StepState>;
}

export type ClaimRefusal = 'missing' | 'final' | 'waiting-for-earlier-run' | 'held-by-another-process';

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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the run for `owner` unless it is final, held by another live process, or an
   * earlier run with its concurrency key is unfinished. Answers the run with its event and
   * step states.
   */
  async claim(runId: string, owner: string): Promise<ClaimedRun | ClaimRefusal> {
    const rows = (await this.dataSource.query(CLAIM_RUN, [runId, owner, RUN_LEASE_SECONDS])) as ClaimRow[];
    if (rows.length === 0) return this.whyNotClaimed(runId, owner);
    const row = rows[0];
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

  /** Records that an attempt of a step begins; answers the attempt's number (1-based). */
  async startStep(runId: string, stepId: string, redactedInput: unknown): Promise<number> {
    const [{ attempts }] = (await this.dataSource.query(
      `INSERT INTO step_runs (run_id, step_id, status, attempts, input, started_at)
       VALUES ($1, $2, 'running', 1, $3, now())
       ON CONFLICT (run_id, step_id) DO UPDATE
         SET status = 'running', attempts = step_runs.attempts + 1, input = excluded.input,
             next_attempt_at = NULL, error = NULL, started_at = coalesce(step_runs.started_at, now())
       RETURNING attempts`,
      [runId, stepId, JSON.stringify(redactedInput ?? null)],
    )) as { attempts: number }[];
    return attempts;
  }

  /**
   * Records how an attempt ended: final (`succeeded`/`failed`) or `running` with the time
   * of the next attempt. Answers the run's status, so that a cancel is seen at once.
   */
  async finishStep(
    runId: string,
    stepId: string,
    result: { status: StepStatus; output?: unknown; error?: string | null; nextAttemptAt?: Date | null; attempts?: number; input?: unknown },
    attempt?: { record: AttemptRecord; succeeded: boolean; startedAt: Date },
    runEnd?: { outcome: 'succeeded' | 'failed'; error: string | null },
  ): Promise<RunStatus> {
    const [{ run_status }] = (await this.dataSource.query(FINISH_STEP, [
      runId,
      stepId,
      result.status,
      result.output === undefined ? null : JSON.stringify(result.output),
      result.error ?? null,
      result.nextAttemptAt?.toISOString() ?? null,
      attempt !== undefined,
      attempt?.succeeded ? 'succeeded' : 'failed',
      attempt?.startedAt.toISOString() ?? null,
      attempt ? Math.round(attempt.record.durationMs) : null,
      attempt ? JSON.stringify(attempt.record.request) : null,
      attempt?.record.status ?? null,
      attempt?.record.responseHeaders ? JSON.stringify(attempt.record.responseHeaders) : null,
      attempt?.record.responseBody ?? null,
      attempt?.record.error ?? null,
      result.attempts ?? 0,
      result.input === undefined ? null : JSON.stringify(result.input),
      runEnd?.outcome ?? null,
      runEnd?.error ?? null,
    ])) as { run_status: RunStatus }[];
    return run_status;
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
    await this.dataSource.query(FINISH_RUN, [runId, outcome, error]);
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

  /** Extends the claims of every run `owner` is executing. */
  async renewLeases(owner: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE runs SET lease_until = now() + make_interval(secs => $2) WHERE lease_owner = $1 AND status = 'running'`,
      [owner, RUN_LEASE_SECONDS],
    );
  }

  private async whyNotClaimed(runId: string, owner: string): Promise<ClaimRefusal> {
    const rows = (await this.dataSource.query(
      `SELECT status, lease_owner IS NOT NULL AND lease_owner <> $2 AND lease_until >= now() AS held FROM runs WHERE id = $1`,
      [runId, owner],
    )) as { status: RunStatus; held: boolean }[];
    if (rows.length === 0) return 'missing';
    if (rows[0].status !== 'queued' && rows[0].status !== 'running') return 'final';
    return rows[0].held ? 'held-by-another-process' : 'waiting-for-earlier-run';
  }
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

// Wrapped in a WITH so that the driver answers rows, as for every other statement here.
const CLAIM_RUN = `
  WITH claimed AS (
  UPDATE runs r
     SET status = 'running', started_at = coalesce(r.started_at, now()), updated_at = now(),
         lease_owner = $2, lease_until = now() + make_interval(secs => $3)
    FROM events e
   WHERE r.id = $1 AND e.id = r.event_id
     AND r.status IN ('queued', 'running')
     AND (r.lease_owner IS NULL OR r.lease_owner = $2 OR r.lease_until < now())
     AND (r.concurrency_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM runs earlier
            WHERE earlier.workflow = r.workflow AND earlier.concurrency_key = r.concurrency_key
              AND earlier.status IN ('queued', 'running')
              AND (earlier.created_at, earlier.id) < (r.created_at, r.id)))
  RETURNING r.id, r.workflow, r.workflow_version, r.event_id,
            e.source, e.type, e.received_at, e.headers, e.query, e.content_type, e.body,
            (SELECT coalesce(json_agg(json_build_object(
                      'step_id', s.step_id, 'status', s.status, 'attempts', s.attempts,
                      'next_attempt_at', s.next_attempt_at, 'output', s.output, 'error', s.error)), '[]'::json)
               FROM step_runs s WHERE s.run_id = r.id) AS steps)
  SELECT * FROM claimed`;

/**
 * Wakes the oldest unfinished run waiting on the concurrency key of the run(s) in `ended`
 * (a CTE of `id, workflow, concurrency_key`). The statement still sees the ended run as
 * open, hence the `w.id <> e.id`.
 */
export const WAKE_NEXT_IN_LINE = (ended: string) => `
    SELECT ${ENQUEUE_RUN('waiting.id', 'now()')}
      FROM ${ended} e
      JOIN LATERAL (
        SELECT id FROM runs w
         WHERE w.workflow = e.workflow AND w.concurrency_key = e.concurrency_key AND w.status IN ('queued', 'running')
           AND w.id <> e.id
         ORDER BY w.created_at, w.id LIMIT 1) waiting ON true
     WHERE e.concurrency_key IS NOT NULL`;

const FINISH_STEP = `
  WITH step AS (
    -- A step can end without having started (skipped by its if, or failed to render).
    INSERT INTO step_runs (run_id, step_id, status, attempts, input, output, error, next_attempt_at, started_at, finished_at)
    VALUES ($1, $2, $3, $16, $17::jsonb, $4::jsonb, $5, $6::timestamptz, coalesce($9::timestamptz, now()),
            CASE WHEN $3 IN ('succeeded', 'failed', 'skipped') THEN now() END)
    ON CONFLICT (run_id, step_id) DO UPDATE
       SET status = excluded.status, output = coalesce(excluded.output, step_runs.output), error = excluded.error,
           attempts = greatest(excluded.attempts, step_runs.attempts), input = coalesce(excluded.input, step_runs.input),
           next_attempt_at = excluded.next_attempt_at, finished_at = excluded.finished_at
    RETURNING run_id),
  attempt AS (
    INSERT INTO step_attempts (run_id, step_id, n, status, started_at, duration_ms, request,
                               response_status, response_headers, response_body, error)
    SELECT $1, $2, coalesce((SELECT max(n) FROM step_attempts WHERE run_id = $1 AND step_id = $2), 0) + 1,
           $8, $9::timestamptz, $10, $11::jsonb, $12, $13::jsonb, $14, $15
     WHERE $7::boolean
    RETURNING id),
  finished AS (
    UPDATE runs SET status = $18, error = $19, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND status = 'running' AND $18::text IS NOT NULL
    RETURNING id, workflow, concurrency_key),
  woken AS (${WAKE_NEXT_IN_LINE('finished')})
  SELECT coalesce((SELECT $18::text FROM finished), (SELECT status FROM runs WHERE id = $1)) AS run_status,
         (SELECT count(*) FROM step) AS steps, (SELECT count(*) FROM attempt) AS attempts, (SELECT count(*) FROM woken) AS woken`;

const FINISH_RUN = `
  WITH finished AS (
    UPDATE runs SET status = $2, error = $3, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND status = 'running'
    RETURNING id, workflow, concurrency_key)
  ${WAKE_NEXT_IN_LINE('finished')}`;
