/**
 * Jobs are not put in graphile-worker's named queues: with batched fetching those did not
 * keep same-key jobs apart, and a locked queue delays the next job until the poll. Serial
 * order per concurrency key is the engine's own gate (an earlier unfinished run with the
 * key holds a run back; finishing a run wakes the next one).
 */

/** The graphile-worker task that executes a run; its payload is `{ run_id }` only. */
export const RUN_TASK = 'run';

/** The PostgreSQL schema graphile-worker keeps its jobs in. */
export const QUEUE_SCHEMA = 'graphile_worker';
