import { enqueueRun } from '../queue/run-job';

/** The columns a process keeps of each destination it must hold steps back for. */
const VIEW = `id, state, held_manually, consecutive_failures, opened_at, probe_at, probe_until, version::text`;

/** Destinations any process may have to hold steps back for (the rest are closed and clean). */
export const INTERESTING_DESTINATIONS = `
  SELECT ${VIEW} FROM destinations WHERE state <> 'closed' OR consecutive_failures > 0`;

/**
 * Taken before closing or disabling $1 in the same transaction, so that the statement that
 * wakes the waiting steps starts after every wait recorded so far has committed.
 */
export const LOCK_DESTINATION = `SELECT 1 FROM destinations WHERE id = $1 FOR UPDATE`;

/** One destination's state. */
export const DESTINATION = `SELECT ${VIEW} FROM destinations WHERE id = $1`;

/** Counts one failure of $1 (error $2); answers the row as it is now. */
export const COUNT_FAILURE = `
  INSERT INTO destinations AS d (id, consecutive_failures, last_error, last_failure_at)
  VALUES ($1, 1, $2, now())
  ON CONFLICT (id) DO UPDATE
     SET consecutive_failures = d.consecutive_failures + 1, last_error = $2, last_failure_at = now(), version = d.version + 1, changed_at = now()
  RETURNING ${VIEW}`;

/** A success of $1 while it counted failures: the count starts again. */
export const CLEAR_FAILURES = `
  UPDATE destinations SET consecutive_failures = 0, version = version + 1, changed_at = now()
   WHERE id = $1 AND state = 'closed' AND consecutive_failures > 0
  RETURNING ${VIEW}`;

/** Successes and failures of $1 over the last $2 whole minutes, this one included. */
export const WINDOW_COUNTS = `
  SELECT coalesce(sum(successes), 0)::int AS successes, coalesce(sum(failures), 0)::int AS failures
    FROM destination_minutes
   WHERE destination = $1 AND minute > date_trunc('minute', now()) - make_interval(mins => $2)`;

/** Opens closed $1: one probe may go at now + $2 ms. Answers the row when this call opened it. */
export const OPEN = `
  UPDATE destinations SET state = 'open', opened_at = now(), probe_at = now() + make_interval(secs => $2 / 1000.0),
         probe_until = NULL, version = version + 1, changed_at = now()
   WHERE id = $1 AND state = 'closed'
  RETURNING ${VIEW}`;

/** Opens $1 by hand (from any state): it stays open, without probes, until closed by hand. */
export const HOLD_OPEN = `
  INSERT INTO destinations AS d (id, state, held_manually, opened_at)
  VALUES ($1, 'open', true, now())
  ON CONFLICT (id) DO UPDATE
     SET state = 'open', held_manually = true, opened_at = coalesce(CASE WHEN d.state = 'closed' THEN NULL ELSE d.opened_at END, now()),
         probe_at = NULL, probe_until = NULL, disabled_at = NULL, version = d.version + 1, changed_at = now()
  RETURNING ${VIEW}`;

/**
 * Takes the one probe of $1, holding it until now + $2 ms: from an open destination whose
 * probe is due, or a half-open one whose probe holder went quiet. The prober keeps its place
 * among the waiting steps, should the probe fail.
 */
export const TAKE_PROBE = `
  WITH taken AS (
    UPDATE destinations SET state = 'half_open', probe_until = now() + make_interval(secs => $2 / 1000.0), version = version + 1, changed_at = now()
     WHERE id = $1 AND NOT held_manually
       AND ((state = 'open' AND probe_at <= now()) OR (state = 'half_open' AND probe_until < now()))
    RETURNING ${VIEW})
  SELECT * FROM taken`;

/** The probe of $1 failed: open again, the next probe at now + $2 ms. */
export const PROBE_FAILED = `
  UPDATE destinations SET state = 'open', probe_at = now() + make_interval(secs => $2 / 1000.0), probe_until = NULL,
         consecutive_failures = consecutive_failures + 1, last_error = $3, last_failure_at = now(), version = version + 1, changed_at = now()
   WHERE id = $1 AND state = 'half_open'
  RETURNING ${VIEW}`;

/**
 * Makes the steps of `woken` (run_id, step_id, since) due now and adds their runs' jobs in
 * the order the steps began to wait; answers how many runs as `woken`.
 */
const wakeSteps = (woken: string) => `
  due AS (
    UPDATE step_runs s SET next_attempt_at = now() FROM ${woken} w
     WHERE s.run_id = w.run_id AND s.step_id = w.step_id AND s.status = 'running'
    RETURNING s.run_id),
  jobs AS (
    SELECT ${enqueueRun('w.run_id', 'now()')} FROM (SELECT run_id, min(since) AS since FROM ${woken} GROUP BY run_id ORDER BY 2) w)`;

/**
 * Closes $1 from the states in $2, and wakes every step waiting for it, in the order they
 * began to wait, but the probe that closed it (run $3, step $4; null when closed by hand).
 */
export const CLOSE_AND_WAKE = `
  WITH closed AS (
    UPDATE destinations SET state = 'closed', held_manually = false, consecutive_failures = 0, opened_at = NULL, probe_at = NULL,
           probe_until = NULL, disabled_at = NULL, version = version + 1, changed_at = now()
     WHERE id = $1 AND state = ANY($2::text[])
    RETURNING ${VIEW}),
  woken AS (
    DELETE FROM destination_waits WHERE destination = $1 AND slot IS NULL AND EXISTS (SELECT 1 FROM closed)
    RETURNING run_id, step_id, since),
  others AS (SELECT * FROM woken WHERE (run_id, step_id) IS DISTINCT FROM ($3::uuid, $4::text)),
  ${wakeSteps('others')}
  SELECT closed.*, (SELECT count(*) FROM jobs)::int AS woken, (SELECT count(*) FROM due)::int AS steps FROM closed`;

/** Disables $1, open since before now - $2 ms, and wakes the steps waiting for it (they fail). */
export const DISABLE_AND_WAKE = `
  WITH disabled AS (
    UPDATE destinations SET state = 'disabled', disabled_at = now(), probe_at = NULL, probe_until = NULL, version = version + 1, changed_at = now()
     WHERE id = $1 AND state IN ('open', 'half_open') AND NOT held_manually AND opened_at <= now() - make_interval(secs => $2 / 1000.0)
    RETURNING ${VIEW}),
  woken AS (
    DELETE FROM destination_waits WHERE destination = $1 AND EXISTS (SELECT 1 FROM disabled)
    RETURNING run_id, step_id, since),
  ${wakeSteps('woken')}
  SELECT disabled.*, (SELECT count(*) FROM jobs)::int AS woken, (SELECT count(*) FROM due)::int AS steps FROM disabled`;

/**
 * The probe of open $1 is due and nobody took it: wakes the step that has waited longest
 * (of a run still going, not paused), which takes it. Steps waiting for runs that ended are
 * let go.
 */
export const WAKE_PROBE = `
  WITH gone AS (
    DELETE FROM destination_waits w USING runs r
     WHERE w.destination = $1 AND r.id = w.run_id AND r.status IN ('succeeded', 'failed', 'cancelled')),
  oldest AS (
    SELECT w.run_id, w.step_id, w.since FROM destination_waits w JOIN runs r ON r.id = w.run_id
     WHERE w.destination = $1 AND w.slot IS NULL AND r.status IN ('queued', 'running')
     ORDER BY w.since LIMIT 1),
  ${wakeSteps('oldest')}
  SELECT (SELECT count(*) FROM jobs)::int AS woken, (SELECT count(*) FROM due)::int AS steps`;

/**
 * Records that the step ($1, $2) waits for $3, unless the circuit closed meanwhile; a step
 * waiting again keeps its place. Answers a row when it waits. The row lock orders it with
 * `LOCK_DESTINATION`: a close either sees this wait and wakes it, or this sees the close.
 */
export const WAIT = `
  INSERT INTO destination_waits (run_id, step_id, destination)
  SELECT $1, $2, $3 FROM destinations WHERE id = $3 AND state <> 'closed' FOR SHARE
  ON CONFLICT (run_id, step_id) DO UPDATE SET destination = $3, slot = NULL
  RETURNING since`;

/**
 * The rate limit slot of the step ($2, $3) to $1, one every $4 ms: the one it reserved
 * before, or the next free one, reserved now. Answers it and whether it was held.
 */
export const TAKE_SLOT = `
  WITH held AS (
    DELETE FROM destination_waits WHERE run_id = $2 AND step_id = $3 AND slot IS NOT NULL RETURNING slot),
  fresh AS (
    INSERT INTO destinations AS d (id, next_slot) SELECT $1, now() + make_interval(secs => $4 / 1000.0) WHERE NOT EXISTS (SELECT 1 FROM held)
    ON CONFLICT (id) DO UPDATE SET next_slot = greatest(d.next_slot, now()) + make_interval(secs => $4 / 1000.0)
    RETURNING next_slot - make_interval(secs => $4 / 1000.0) AS slot)
  SELECT slot, true AS held FROM held UNION ALL SELECT slot, false FROM fresh`;

/** Keeps the slot $4 reserved for the step ($1, $2) to $3 while its run waits for it. */
export const HOLD_SLOT = `
  INSERT INTO destination_waits (run_id, step_id, destination, slot) VALUES ($1, $2, $3, $4)
  ON CONFLICT (run_id, step_id) DO UPDATE SET destination = $3, slot = $4`;

/** A `429` with `Retry-After`: no slot of $1 before now + $2 ms. */
export const SLOW_DOWN = `
  UPDATE destinations SET next_slot = greatest(next_slot, now() + make_interval(secs => $2 / 1000.0)) WHERE id = $1`;

/**
 * Adds a process's counts to the minutes they fell in: $1 destinations, $2 minutes,
 * $3 successes, $4 failures, $5 total and $6 longest durations (ms), one element per pair.
 */
export const ADD_MINUTES = `
  INSERT INTO destination_minutes AS m (destination, minute, successes, failures, duration_ms_total, duration_ms_max)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[], $5::bigint[], $6::int[])
  ON CONFLICT (destination, minute) DO UPDATE
     SET successes = m.successes + excluded.successes, failures = m.failures + excluded.failures,
         duration_ms_total = m.duration_ms_total + excluded.duration_ms_total,
         duration_ms_max = greatest(m.duration_ms_max, excluded.duration_ms_max)`;

/** Minutes older than $1 hours go. */
export const PRUNE_MINUTES = `DELETE FROM destination_minutes WHERE minute < now() - make_interval(hours => $1)`;
