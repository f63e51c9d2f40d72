import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import { Runner, WorkerUtils, makeWorkerUtils, run } from 'graphile-worker';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from '../database/database-connection';
import { createQueuePool } from '../queue/queue-pool';
import { queueLogger } from '../queue/queue-logger';
import { SupervisedRunner } from '../queue/supervised-runner';
import { QUEUE_SCHEMA, RUN_TASK } from '../queue/run-job';
import { DirectRuns } from './direct-runs';
import { RunExecutor } from './run-executor';
import { RunStore } from './run-store';

/**
 * Runs mostly wait on receivers; their database writes are batched, so many can be in
 * flight at once without many connections (measured: 32 capped delivery at ~1,100/s).
 * A waiting run costs a promise, so there are enough for receivers answering in 500 ms
 * at several hundred events a second; the destination gate keeps one that stops
 * answering from taking them all.
 */
export const CONCURRENT_RUNS = 512;
const HEARTBEAT_INTERVAL_MS = 5_000;
/** A worker silent for this long is dead: its jobs are released for others. */
const STALE_AFTER_SECONDS = 15;
/** How long shutdown waits for the runs taken straight from ingress; graphile-worker waits as long for its jobs. */
const DIRECT_RUNS_GRACE_MS = 5_000;

/**
 * The queue workers of this process (graphile-worker), and the runs it takes straight from
 * its own ingress (DirectRuns). graphile-worker itself would leave a dead process's jobs
 * locked for hours; each process therefore writes a heartbeat for its workers, and every
 * process releases the jobs of workers whose heartbeat went stale and queues the runs whose
 * claim lapsed with no job behind them, so a crashed process's runs resume within about
 * 25 seconds.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Identifies this process in run leases and heartbeats. */
  readonly processId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger(WorkerService.name);
  private readonly runner = new SupervisedRunner({
    start: (events) => this.startRunner(events),
    releaseJobsOf: (workerIds) => this.releaseJobsOf(workerIds),
  });
  private utils?: WorkerUtils;
  private pool?: Pool;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly executor: RunExecutor,
    private readonly directRuns: DirectRuns,
    private readonly store: RunStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.pool = createQueuePool(this.connection.url, 14);
    this.utils = await makeWorkerUtils({ pgPool: this.pool, schema: QUEUE_SCHEMA, logger: queueLogger() });
    await this.runner.start();
    this.directRuns.start(this.processId);
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch((error: Error) => this.logger.warn(`Heartbeat failed: ${error.message}`)), HEARTBEAT_INTERVAL_MS);
    this.logger.log(`${CONCURRENT_RUNS} run workers started (${this.processId})`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const hadWorkers = this.runner.workerIds.size > 0;
    await Promise.all([this.directRuns.stop(DIRECT_RUNS_GRACE_MS), this.runner.stop()]);
    if (hadWorkers) {
      await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE process_id = $1`, [this.processId]).catch(() => undefined);
    }
    await this.utils?.release();
    this.utils = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }

  /** graphile-worker's runner; SupervisedRunner starts a new one if it stops on its own. */
  private startRunner(events: EventEmitter): Promise<Runner> {
    return run({
      pgPool: this.pool,
      schema: QUEUE_SCHEMA,
      concurrency: CONCURRENT_RUNS,
      noHandleSignals: true,
      // New jobs wake the workers (LISTEN/NOTIFY), but a job due later (a retry, a delay, a
      // step paused at a busy destination) is found only by polling: at most this late.
      pollInterval: 500,
      events: events as never,
      logger: queueLogger(),
      // Hookflow schedules workflows itself (SchedulerService); no crontab file is read.
      crontab: '',
      preset: { worker: { localQueue: { size: CONCURRENT_RUNS }, completeJobBatchDelay: 1, failJobBatchDelay: 1 } } as never,
      taskList: {
        [RUN_TASK]: async (payload) => this.executor.execute((payload as { run_id: string }).run_id, this.processId),
      },
    });
  }

  /** Proves this process alive, renews its run leases, and frees the runs and jobs of dead ones. */
  private async beat(): Promise<void> {
    const ids = [...this.runner.workerIds];
    await this.dataSource.query(
      `INSERT INTO worker_heartbeats (worker_id, process_id, last_seen_at)
       SELECT id, $2, now() FROM unnest($1::text[]) AS id
       ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = now()`,
      [ids, this.processId],
    );
    await this.executor.renewLeases(this.processId);
    await this.releaseJobsOfDeadWorkers();
    const requeued = await this.store.requeueLapsedRuns();
    if (requeued > 0) this.logger.warn(`Put ${requeued} run(s) whose claim lapsed back on the queue`);
  }

  private async releaseJobsOfDeadWorkers(): Promise<void> {
    const rows = await this.dataSource.query<{ locked_by: string }[]>(
      `SELECT DISTINCT j.locked_by
         FROM ${QUEUE_SCHEMA}._private_jobs j
         LEFT JOIN worker_heartbeats h ON h.worker_id = j.locked_by
        WHERE j.locked_by IS NOT NULL
          AND j.locked_at < now() - make_interval(secs => $1)
          AND (h.worker_id IS NULL OR h.last_seen_at < now() - make_interval(secs => $1))`,
      [STALE_AFTER_SECONDS],
    );
    const dead = rows.map((row) => row.locked_by).filter((id) => !this.runner.workerIds.has(id));
    if (dead.length === 0) return;
    await this.releaseJobsOf(dead);
    this.logger.warn(`Released the jobs of ${dead.length} worker(s) that stopped answering: ${dead.join(', ')}`);
  }

  private async releaseJobsOf(workerIds: string[]): Promise<void> {
    if (!this.utils) return;
    await this.utils.forceUnlockWorkers(workerIds);
    await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE worker_id = ANY($1)`, [workerIds]);
  }
}
