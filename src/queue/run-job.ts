/**
 * Jobs are not put in graphile-worker's named queues: with batched fetching those did not
 * keep same-key jobs apart, and a locked queue delays the next job until the poll. Serial
 * order per concurrency key is the engine's own gate (an earlier unfinished run with the
 * key holds a run back; finishing a run wakes the next one).
 *
 * The SQL below is how the rest of Hookflow enqueues runs: pieces it puts into its own
 * statements, so that a run and its job are written in one transaction and one round trip.
 * Only src/queue names graphile-worker's schema and tables.
 */

/** The graphile-worker task that executes a run; its payload is `{ run_id }` only. */
export const RUN_TASK = 'run';

/** The PostgreSQL schema graphile-worker keeps its jobs in. Named only inside src/queue. */
export const QUEUE_SCHEMA = 'graphile_worker';

/** graphile-worker's jobs table (private: its layout may change with an upgrade). */
export const JOBS_TABLE = `${QUEUE_SCHEMA}._private_jobs`;

/** A job key per run: one pending job per run at a time. */
const runJobKey = (runId: string) => `'run:' || ${runId}`;

/**
 * An SQL expression that enqueues the run `runId` (an SQL expression) to start at `runAt`
 * (an SQL timestamptz expression). One pending job per run at a time: a later wake-up
 * replaces an earlier one.
 */
export const enqueueRun = (runId: string, runAt: string) =>
  `${QUEUE_SCHEMA}.add_job('${RUN_TASK}', json_build_object('run_id', ${runId}),
     run_at => ${runAt}, job_key => ${runJobKey(runId)}, job_key_mode => 'replace')`;

/** An SQL expression that enqueues the run `runId` to start now, without a job key (a fresh run has no job yet). */
export const enqueueNewRun = (runId: string) => `${QUEUE_SCHEMA}.add_job('${RUN_TASK}', json_build_object('run_id', ${runId}))`;

/**
 * An SQL aggregate that enqueues, in one call, a job for each row's run `runId` (an SQL
 * expression over the rows aggregated), in the order of their ids. For fresh runs: no job key.
 */
export const enqueueNewRunsOfRows = (runId: string) =>
  `${QUEUE_SCHEMA}.add_jobs(array_agg(
             ROW('${RUN_TASK}', json_build_object('run_id', ${runId}), NULL, NULL, NULL, NULL, NULL, NULL)
               ::${QUEUE_SCHEMA}.job_spec ORDER BY ${runId}))`;

/** An SQL condition: a job for the run `runId` (an SQL expression) is pending or running. */
export const runHasJob = (runId: string) => `EXISTS (SELECT 1 FROM ${JOBS_TABLE} j WHERE j.key = ${runJobKey(runId)})`;

/**
 * graphile-worker deletes the jobs it completes; a job that used up all its attempts stays
 * behind, unlocked, forever. This statement removes up to $2 of those not touched since $1,
 * skipping rows another transaction holds, and answers how many as `queue_jobs`.
 */
export const PRUNE_EXHAUSTED_JOBS = `
  WITH doomed AS (
    SELECT id FROM ${JOBS_TABLE}
     WHERE attempts >= max_attempts AND locked_at IS NULL AND updated_at < $1
     LIMIT $2
       FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM ${JOBS_TABLE} j USING doomed d WHERE j.id = d.id RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS queue_jobs`;
