import { deadlineAfter } from '../events/pending-run';
import { enqueueNewRun, enqueueRun, runHasJob } from '../queue/run-job';

/*
 * The SQL of RunStore: whole statements, each one transaction, and the pieces they share.
 * Each export is a whole statement (test/schema.e2e-spec.ts plans every one on the migrated
 * schema); the pieces stay private. Jobs are enqueued with the queue's SQL
 * (src/queue/run-job.ts) inside these statements, so that a run and its job are one write.
 */

/** Whether an unfinished run with the concurrency key of `run` (an alias of runs) came before it: then it waits. */
const EARLIER_OPEN_RUN_WITH_ITS_KEY = (run: string) => `EXISTS (
         SELECT 1 FROM open_keyed_runs earlier
          WHERE earlier.workflow = ${run}.workflow AND earlier.concurrency_key = ${run}.concurrency_key
            AND (earlier.created_at, earlier.run_id) < (${run}.created_at, ${run}.id))`;

export const CLAIM_RUNS = `
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
    RETURNING r.id, r.lease_owner, r.workflow, r.workflow_version, r.event_id, r.kind, r.failure, r.deadline,
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

/**
 * Wakes the oldest unfinished run waiting on the concurrency key of the run(s) in `ended`
 * (a CTE of `id, workflow, concurrency_key`). The statement still sees the ended run as
 * open, hence the `w.id <> e.id`.
 */
const WAKE_NEXT_IN_LINE = (ended: string) => `
    SELECT ${enqueueRun('waiting.run_id', 'now()')}
      FROM ${ended} e
      JOIN LATERAL (
        SELECT run_id FROM open_keyed_runs w
         WHERE w.workflow = e.workflow AND w.concurrency_key = e.concurrency_key AND w.run_id <> e.id
         ORDER BY w.created_at, w.run_id LIMIT 1) waiting ON true
     WHERE e.concurrency_key IS NOT NULL`;

/**
 * The failure run of each run in `finished` (a CTE of `id, event_id, kind, status`) that
 * ended as failed, from `handoffs` (`run_id, failure_run_id, failure_workflow,
 * failure_version, failure`): created by the statement that records the failure, so that a
 * crash can neither lose it nor, the run being final then, make it twice. A failure run's
 * own failure hands off nothing.
 */
const FAILURE_RUNS = (finished: string, handoffs: string) => `
  failure_runs AS (
    INSERT INTO runs (id, event_id, workflow, workflow_version, status, created_at, kind, failed_run_id, failure)
    SELECT h.failure_run_id, f.event_id, h.failure_workflow, h.failure_version, 'queued', now(), 'on_failure', f.id, h.failure
      FROM ${finished} f JOIN ${handoffs} h ON h.run_id = f.id
     WHERE f.status = 'failed' AND f.kind = 'steps' AND h.failure_run_id IS NOT NULL
    RETURNING id),
  failure_jobs AS (SELECT ${enqueueNewRun('id')} FROM failure_runs)`;

/**
 * Wakes the run whose `workflow` step waits for a run in `ended` (a CTE of `parent_run_id,
 * parent_step_id`): its step is due now and it gets a job, in the statement that ends the
 * child, so that the wake-up cannot be lost. A parent that is paused is not queued: resuming
 * it finds the step due. The job has no job key: the parent, still executing, may be about to
 * suspend itself with a later wake-up, which would replace a keyed one. A parent step written by the same statement (`written`, a CTE of
 * `run_id, step_id`) is left to that write: one statement must not change a row twice, and the
 * parent looks at the child after its write (StepRunner).
 */
const WAKE_WAITING_PARENT = (ended: string, written?: string) => `
  parent_steps AS (
    UPDATE step_runs s SET next_attempt_at = now()
      FROM ${ended} e
     WHERE s.run_id = e.parent_run_id AND s.step_id = e.parent_step_id AND s.status = 'running'
       ${written ? `AND NOT EXISTS (SELECT 1 FROM ${written} w WHERE w.run_id = s.run_id AND w.step_id = s.step_id)` : ''}
    RETURNING s.run_id),
  parents_woken AS (
    SELECT ${enqueueNewRun('p.id')}
      FROM runs p WHERE p.id IN (SELECT run_id FROM parent_steps) AND p.status IN ('queued', 'running'))`;

/** Step ends, parameters $1 to $24 (finishParameters). */
const FINISHED = `
  input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::timestamptz[], $7::boolean[],
                         $8::text[], $9::timestamptz[], $10::integer[], $11::jsonb[], $12::integer[], $13::jsonb[],
                         $14::text[], $15::text[], $16::integer[], $17::jsonb[], $18::text[], $19::text[],
                         $20::uuid[], $21::text[], $22::text[], $23::jsonb[], $24::jsonb[])
      AS i(run_id, step_id, status, output, error, next_attempt_at, has_attempt,
           attempt_status, attempt_started_at, duration_ms, request, response_status, response_headers,
           response_body, attempt_error, attempts, input, run_outcome, run_error,
           failure_run_id, failure_workflow, failure_version, failure, run_output)),
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
       SET status = i.run_outcome, error = i.run_error, output = i.run_output, finished_at = now(), updated_at = now(),
           lease_owner = NULL, lease_until = NULL
      FROM input i
     WHERE r.id = i.run_id AND i.run_outcome IS NOT NULL AND r.status = 'running'
    RETURNING r.id, r.workflow, r.concurrency_key, r.status, r.event_id, r.kind, r.parent_run_id, r.parent_step_id),
  woken AS (${WAKE_NEXT_IN_LINE('finished')}),
  ${WAKE_WAITING_PARENT('finished', 'input')},
  ${FAILURE_RUNS('finished', '(SELECT * FROM input WHERE run_outcome IS NOT NULL)')}`;

const FINISH_ROWS = `
  SELECT i.run_id, i.step_id, coalesce(f.status, r.status) AS run_status, NULL::integer AS attempts,
         (SELECT count(*) FROM step) AS steps, (SELECT count(*) FROM attempt) AS attempt_rows,
         (SELECT count(*) FROM woken) + (SELECT count(*) FROM parents_woken) AS woken,
         (SELECT count(*) FROM failure_jobs) AS failure_runs
    FROM input i
    LEFT JOIN finished f ON f.id = i.run_id
    LEFT JOIN runs r ON r.id = i.run_id`;

/**
 * The prepared statements for a batch of step writes: starts only, ends only, or both. A
 * start and an end in one batch are never of the same step: a step ends only after its
 * start was written.
 */
export const STEP_STATEMENTS = {
  starts: { name: 'hookflow_start_steps', sql: `WITH ${STARTED(1)} SELECT run_id, step_id, attempts, NULL::text AS run_status FROM started` },
  ends: { name: 'hookflow_finish_steps', sql: `WITH ${FINISHED} ${FINISH_ROWS}` },
  both: {
    name: 'hookflow_start_and_finish_steps',
    sql: `WITH ${FINISHED}, ${STARTED(25)} ${FINISH_ROWS} UNION ALL SELECT run_id, step_id, NULL, attempts, NULL, NULL, NULL, NULL FROM started`,
  },
};

/**
 * Ends run $1 as $2 with error $3 and output $8; when it failed, creates its failure run ($4 id,
 * $5 workflow, $6 version, $7 failure) if $4 is set.
 */
export const FINISH_RUN = `
  WITH finished AS (
    UPDATE runs SET status = $2, error = $3, output = $8, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
     WHERE id = $1 AND status = 'running'
    RETURNING id, workflow, concurrency_key, status, event_id, kind, parent_run_id, parent_step_id),
  handoff AS (SELECT $1::uuid AS run_id, $4::uuid AS failure_run_id, $5::text AS failure_workflow, $6::text AS failure_version, $7::jsonb AS failure),
  woken AS (${WAKE_NEXT_IN_LINE('finished')}),
  ${WAKE_WAITING_PARENT('finished')},
  ${FAILURE_RUNS('finished', 'handoff')}
  SELECT (SELECT count(*) FROM woken) + (SELECT count(*) FROM parents_woken) AS woken, (SELECT count(*) FROM failure_jobs) AS failure_runs`;

export const REQUEUE_LAPSED_RUNS = `
  WITH lapsed AS (
    UPDATE runs r SET lease_owner = NULL, lease_until = NULL
     WHERE r.lease_owner IS NOT NULL AND r.lease_until < now() AND r.status IN ('queued', 'running')
       AND NOT ${runHasJob('r.id')}
    RETURNING r.id)
  SELECT ${enqueueRun('lapsed.id', 'now()')} FROM lapsed`;

/** New queued runs of event $1 ($2 to $6: ids, workflows, versions, concurrency keys, timeouts), each with a job. */
export const INSERT_QUEUED_RUNS = `
  WITH new_runs AS (
    INSERT INTO runs (id, event_id, workflow, workflow_version, status, concurrency_key, created_at, timeout_ms, deadline)
    SELECT id, $1, workflow, version, 'queued', concurrency_key, now(), timeout_ms, ${deadlineAfter('timeout_ms')}
      FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS r(id, workflow, version, concurrency_key, timeout_ms)
    RETURNING id, workflow, concurrency_key)
  SELECT ${enqueueNewRun('id')} FROM new_runs`;

/** Queues a failed or cancelled run again from the steps that did not succeed; a row when it did. */
export const RETRY_RUN = `
  WITH retried AS (
    UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, updated_at = now(), lease_owner = NULL, lease_until = NULL,
                    deadline = ${deadlineAfter('timeout_ms')}
     WHERE id = $1 AND status IN ('failed', 'cancelled')
    RETURNING id, workflow, concurrency_key),
  reopened AS (
    UPDATE step_runs SET status = 'pending', attempts = 0, error = NULL, next_attempt_at = NULL, finished_at = NULL
     WHERE run_id IN (SELECT id FROM retried)
       AND (status IN ('failed', 'running', 'pending') OR (status = 'skipped' AND (error LIKE 'not run: %' OR error = 'run timed out')))
    RETURNING step_id)
  SELECT ${enqueueRun('id', 'now()')}, (SELECT count(*) FROM reopened)
    FROM retried`;

/**
 * The steps of the runs in `cancelled` that wait for their next attempt or a delay, marked
 * skipped with `error`; steps in flight record how their attempt ended.
 */
const STOPPED_STEPS = (cancelled: string, error: string) => `
  stopped_steps AS (
    UPDATE step_runs SET status = 'skipped', error = ${error}, next_attempt_at = NULL, finished_at = now()
     WHERE run_id IN (SELECT id FROM ${cancelled}) AND status IN ('pending', 'running') AND next_attempt_at IS NOT NULL
    RETURNING step_id)`;

/**
 * Cancels a queued, running or paused run and wakes the next one with its concurrency key, and
 * a parent waiting for it; a row when it did.
 */
export const CANCEL_RUN = `
  WITH cancelled AS (
    UPDATE runs SET status = 'cancelled', finished_at = now(), updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'running', 'paused')
    RETURNING id, workflow, concurrency_key, parent_run_id, parent_step_id),
  ${STOPPED_STEPS('cancelled', `'run cancelled'`)},
  woken AS (${WAKE_NEXT_IN_LINE('cancelled')}),
  ${WAKE_WAITING_PARENT('cancelled')}
  SELECT id, (SELECT count(*) FROM stopped_steps), (SELECT count(*) FROM woken) + (SELECT count(*) FROM parents_woken) FROM cancelled`;

/** A duration in milliseconds (the bigint expression `ms`) as a workflow file writes it: `10m`, `90s`, `1500ms`. */
const DURATION_TEXT = (ms: string) => `
  CASE WHEN ${ms} % 86400000 = 0 THEN (${ms} / 86400000) || 'd'
       WHEN ${ms} % 3600000 = 0 THEN (${ms} / 3600000) || 'h'
       WHEN ${ms} % 60000 = 0 THEN (${ms} / 60000) || 'm'
       WHEN ${ms} % 1000 = 0 THEN (${ms} / 1000) || 's'
       ELSE ${ms} || 'ms' END`;

/**
 * Cancels the runs past their deadline, as CANCEL_RUN does, with the error `run timed out
 * after <timeout>`: run $1, or when $1 is NULL the most overdue, at most $2. Their claims
 * end too, so that a process still executing one suspends nothing. Rows another
 * transaction is writing are left to the next sweep. Answers the ids.
 */
export const TIME_OUT_RUNS = `
  WITH due AS (
    SELECT id FROM runs
     WHERE deadline IS NOT NULL AND deadline <= now() AND status IN ('queued', 'running', 'paused')
       AND ($1::uuid IS NULL OR id = $1::uuid)
     ORDER BY deadline
     LIMIT $2
       FOR UPDATE SKIP LOCKED),
  cancelled AS (
    UPDATE runs r
       SET status = 'cancelled', error = 'run timed out after ' || ${DURATION_TEXT('r.timeout_ms')},
           finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL
      FROM due WHERE r.id = due.id
    RETURNING r.id, r.workflow, r.concurrency_key, r.parent_run_id, r.parent_step_id),
  ${STOPPED_STEPS('cancelled', `'run timed out'`)},
  woken AS (${WAKE_NEXT_IN_LINE('cancelled')}),
  ${WAKE_WAITING_PARENT('cancelled')}
  SELECT id, (SELECT count(*) FROM stopped_steps) AS steps, (SELECT count(*) FROM woken) + (SELECT count(*) FROM parents_woken) AS woken
    FROM cancelled`;

/**
 * Final runs created before $1, at most $2, with their step runs and attempts. Open runs
 * (queued, running) are never taken, whatever their age. Rows another transaction holds are
 * skipped, never waited for. Step runs and attempts are deleted here rather than by the
 * cascade, so that each table's count is known.
 */
export const PRUNE_FINAL_RUNS = `
  WITH doomed AS (
    SELECT id FROM runs
     WHERE created_at < $1 AND status IN ('succeeded', 'failed', 'cancelled')
     ORDER BY created_at
     LIMIT $2
       FOR UPDATE SKIP LOCKED),
  attempts AS (DELETE FROM step_attempts a USING doomed d WHERE a.run_id = d.id RETURNING 1),
  steps AS (DELETE FROM step_runs s USING doomed d WHERE s.run_id = d.id RETURNING 1),
  gone AS (DELETE FROM runs r USING doomed d WHERE r.id = d.id RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS runs,
         (SELECT count(*) FROM steps)::int AS step_runs,
         (SELECT count(*) FROM attempts)::int AS step_attempts`;

/** Steps of run $1 that will not run ($2 step ids, $3 reasons), recorded as skipped. */
export const SKIP_STEPS = `
  INSERT INTO step_runs (run_id, step_id, status, attempts, error, finished_at)
  SELECT $1, step_id, 'skipped', 0, reason, now() FROM unnest($2::text[], $3::text[]) AS s(step_id, reason)
  ON CONFLICT (run_id, step_id) DO UPDATE SET status = 'skipped', error = excluded.error, finished_at = now()`;

/** Lets run $1 go if owner $2 holds it, with a job that wakes it at $3. */
export const SUSPEND_RUN = `
  WITH released AS (
    UPDATE runs SET lease_owner = NULL, lease_until = NULL, updated_at = now()
     WHERE id = $1 AND lease_owner = $2
    RETURNING id, workflow, concurrency_key)
  SELECT ${enqueueRun('released.id', '$3::timestamptz')}
    FROM released`;

/** Lets run $1 go if owner $2 holds it. */
export const RELEASE_RUN = `UPDATE runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`;

/** A job that looks at run $1 again in $2 milliseconds. */
export const RETRY_RUN_LATER = `
  SELECT ${enqueueRun('r.id', `now() + make_interval(secs => $2::float8 / 1000)`)}
    FROM runs r WHERE r.id = $1`;

/** Extends by $2 seconds the leases owner $1 holds on runs $3; answers the runs it still held. */
export const RENEW_LEASES = `
  WITH renewed AS (
    UPDATE runs SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($3::uuid[]) AND lease_owner = $1
    RETURNING id)
  SELECT id FROM renewed`;

/** What keeps owner $2 from claiming run $1: its status, another holder, an earlier run with its key. */
export const CLAIM_OBSTACLES = `
  SELECT r.status,
         r.lease_owner IS NOT NULL AND r.lease_owner <> $2 AND r.lease_until >= now() AS held,
         r.concurrency_key IS NOT NULL AND ${EARLIER_OPEN_RUN_WITH_ITS_KEY('r')} AS waiting
    FROM runs r WHERE r.id = $1`;

/**
 * Parks run $1, held by owner $2, as `paused` if its workflow $3 is paused: no claim, no job,
 * step states kept; a row when it did. The pause row is locked for share so that a resume
 * (which deletes it first) either sees this run paused or this statement sees no pause.
 */
export const PAUSE_RUN = `
  WITH paused_workflow AS (SELECT 1 FROM pauses WHERE kind = 'workflow' AND name = $3 FOR SHARE),
  parked AS (
    UPDATE runs SET status = 'paused', lease_owner = NULL, lease_until = NULL, updated_at = now()
     WHERE id = $1 AND lease_owner = $2 AND status = 'running' AND EXISTS (SELECT 1 FROM paused_workflow)
    RETURNING id)
  SELECT id FROM parked`;

/**
 * Parks the queued runs of workflow $1 that no process holds as `paused`, when the workflow is
 * paused; answers how many as `runs`. A job such a run still has finds it paused and leaves it.
 */
export const PAUSE_QUEUED_RUNS = `
  WITH parked AS (
    UPDATE runs SET status = 'paused', updated_at = now() WHERE workflow = $1 AND status = 'queued' AND lease_owner IS NULL
    RETURNING id)
  SELECT count(*)::int AS runs FROM parked`;

/**
 * Queues the paused runs of workflow $1 again, each with a job, in arrival order; answers
 * how many as `runs`. Runs sharing a concurrency key still go one at a time: the claim's gate
 * holds each behind the earlier ones.
 */
export const RESUME_PAUSED_RUNS = `
  WITH resumed AS (
    UPDATE runs SET status = 'queued', updated_at = now() WHERE workflow = $1 AND status = 'paused'
    RETURNING id, created_at),
  queued AS (SELECT ${enqueueRun('id', 'now()')} FROM (SELECT id FROM resumed ORDER BY created_at, id) ordered)
  SELECT (SELECT count(*) FROM queued)::int AS runs`;

/**
 * Parks queued run $1, which waits behind an earlier run with its concurrency key and holds
 * no claim, as `paused` if its workflow is paused; a row when it did. So that every waiting
 * run of a paused workflow shows as paused; it keeps its place in line (open_keyed_runs).
 */
export const PAUSE_WAITING_RUN = `
  WITH run AS (SELECT id, workflow FROM runs WHERE id = $1 AND status = 'queued' AND lease_owner IS NULL),
  paused_workflow AS (SELECT 1 FROM pauses p JOIN run ON p.kind = 'workflow' AND p.name = run.workflow FOR SHARE OF p),
  parked AS (
    UPDATE runs r SET status = 'paused', updated_at = now()
      FROM run
     WHERE r.id = run.id AND r.status = 'queued' AND r.lease_owner IS NULL AND EXISTS (SELECT 1 FROM paused_workflow)
    RETURNING r.id, r.workflow)
  SELECT id, workflow FROM parked`;

/** How run $1, started by a `workflow` step, stands: status, error and output, for a parent waiting for it. */
export const CHILD_RUN_STATE = `SELECT id, workflow, status, error, output FROM runs WHERE id = $1`;

/** The first event of sources $1 with dedupe key $2 (the unique index on source and key answers it). */
export const SOURCE_EVENT_WITH_DEDUPE_KEY = `
  SELECT id FROM events WHERE source = ANY($1::text[]) AND dedupe_key = $2 ORDER BY received_at, id LIMIT 1`;

/** Event $1, started by a `workflow` step: which step attempt started it (header $2) and its first run. */
export const CHILD_EVENT_START = `
  SELECT e.headers ->> $2 AS started_by,
         (SELECT r.id FROM runs r WHERE r.event_id = e.id ORDER BY r.created_at, r.id LIMIT 1) AS run_id
    FROM events e WHERE e.id = $1`;
