import { createHash } from 'node:crypto';

/** The graphile-worker task that executes a run; its payload is `{ run_id }` only. */
export const RUN_TASK = 'run';

/** The PostgreSQL schema graphile-worker keeps its jobs in. */
export const QUEUE_SCHEMA = 'graphile_worker';

/**
 * Runs that share a concurrency key go to one named queue, which graphile-worker works
 * through one job at a time in order. Long keys are hashed to keep queue names short.
 */
export function runQueueName(workflow: string, concurrencyKey: string | null): string | null {
  if (concurrencyKey === null) return null;
  const name = `${workflow}:${concurrencyKey}`;
  return name.length <= 120 ? name : `${workflow}:#${createHash('sha256').update(concurrencyKey).digest('hex')}`;
}
