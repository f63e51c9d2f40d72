import { EventEmitter } from 'node:events';
import { Runner, WorkerUtils, makeWorkerUtils, run } from 'graphile-worker';
import { Pool } from 'pg';
import { queueLogger } from './queue-logger';
import { QUEUE_SCHEMA, RUN_TASK } from './run-job';

export interface RunWorkerOptions {
  /** Jobs executed at once by this runner. */
  concurrency: number;
  /** Where the runner reports its pool and workers (see SupervisedRunner). */
  events: EventEmitter;
  /** Executes the run a job names. */
  execute(runId: string): Promise<void>;
}

/** graphile-worker's utilities on `pool` (releasing the jobs of dead workers). */
export function queueUtils(pool: Pool): Promise<WorkerUtils> {
  return makeWorkerUtils({ pgPool: pool, schema: QUEUE_SCHEMA, logger: queueLogger() });
}

/** Starts graphile-worker's runner for run jobs on `pool`; SupervisedRunner restarts it when it stops on its own. */
export function startRunWorkers(pool: Pool, options: RunWorkerOptions): Promise<Runner> {
  return run({
    pgPool: pool,
    schema: QUEUE_SCHEMA,
    concurrency: options.concurrency,
    noHandleSignals: true,
    // New jobs wake the workers (LISTEN/NOTIFY), but a job due later (a retry, a delay, a
    // step paused at a busy destination) is found only by polling: at most this late.
    pollInterval: 500,
    events: options.events,
    logger: queueLogger(),
    // Hookflow schedules workflows itself (SchedulerService); no crontab file is read.
    crontab: '',
    preset: { worker: { localQueue: { size: options.concurrency }, completeJobBatchDelay: 1, failJobBatchDelay: 1 } },
    taskList: {
      [RUN_TASK]: async (payload) => options.execute((payload as { run_id: string }).run_id),
    },
  });
}
