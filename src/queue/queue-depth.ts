import { JOBS_TABLE } from './run-job';

/**
 * Up to this many jobs (the planner's estimate), the queue is counted exactly; above, from a
 * 1% page sample. An exact count scans the whole table, which grows slow with a backlog; the
 * sample stays in the low milliseconds at any size.
 */
export const EXACT_COUNT_LIMIT = 100_000;

/** Jobs waiting for a worker now, and jobs due later (retries, delays), from `is_available` (not locked, attempts left). */
export const EXACT_COUNT = `
  SELECT count(*) FILTER (WHERE run_at <= now())::float8 AS ready,
         count(*) FILTER (WHERE run_at > now())::float8 AS scheduled
    FROM ${JOBS_TABLE} WHERE is_available`;

export const SAMPLED_COUNT = `
  SELECT count(*) FILTER (WHERE is_available AND run_at <= now())::float8 AS ready,
         count(*) FILTER (WHERE is_available AND run_at > now())::float8 AS scheduled,
         count(*)::float8 AS sampled
    FROM ${JOBS_TABLE} TABLESAMPLE SYSTEM (1)`;

/**
 * The table's estimated size and the age of the oldest job waiting for a worker; the
 * oldest comes from graphile-worker's own index (priority, run_at), without a scan.
 */
export const OVERVIEW = `
  SELECT (SELECT reltuples FROM pg_class WHERE oid = '${JOBS_TABLE}'::regclass)::float8 AS estimate,
         coalesce((SELECT extract(epoch FROM now() - run_at) FROM ${JOBS_TABLE}
                    WHERE is_available AND run_at <= now() ORDER BY priority, run_at LIMIT 1), 0)::float8 AS oldest_age`;

/** How many jobs wait for a worker now (`ready`) or are due later (`scheduled`), and how long the oldest ready one has waited. */
export interface QueueDepth {
  ready: number;
  scheduled: number;
  oldestAgeSeconds: number;
}

/** Ready and scheduled jobs in the whole table, from their share of a sample of its rows. */
export function scaleSample(sample: { ready: number; scheduled: number; sampled: number }, estimatedRows: number): { ready: number; scheduled: number } {
  if (sample.sampled === 0) return { ready: 0, scheduled: 0 };
  const scale = estimatedRows / sample.sampled;
  return { ready: Math.round(sample.ready * scale), scheduled: Math.round(sample.scheduled * scale) };
}
