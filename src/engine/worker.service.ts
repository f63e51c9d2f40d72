import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import { Runner, WorkerUtils, makeWorkerUtils, run } from 'graphile-worker';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Settings } from '../config/settings';
import { DatabaseConnection } from '../database/database-connection';
import { createQueuePool } from '../queue/queue-pool';
import { queueLogger } from '../queue/queue-logger';
import { QUEUE_SCHEMA, RUN_TASK } from '../queue/run-job';
import { RunExecutor } from './run-executor';
import { RunStore } from './run-store';

// Runs mostly wait on receivers; their database writes are batched, so many can be in
// flight at once without many connections (measured: 32 capped delivery at ~1,100/s).
const CONCURRENT_RUNS = 128;
const HEARTBEAT_INTERVAL_MS = 5_000;
/** A worker silent for this long is dead: its jobs are released for others. */
const STALE_AFTER_SECONDS = 15;

/**
 * The queue workers of this process (graphile-worker). graphile-worker itself would leave a
 * dead process's jobs locked for hours; each process therefore writes a heartbeat for its
 * workers, and every process releases the jobs of workers whose heartbeat went stale, so
 * a crashed process's runs resume within about 20 seconds.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Identifies this process in run leases and heartbeats. */
  readonly processId = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly logger = new Logger(WorkerService.name);
  private readonly workerIds = new Set<string>();
  private runner?: Runner;
  private utils?: WorkerUtils;
  private pool?: Pool;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly settings: Settings,
    private readonly connection: DatabaseConnection,
    private readonly executor: RunExecutor,
    private readonly store: RunStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  get enabled(): boolean {
    return this.settings.HOOKFLOW_ROLE === 'all' || this.settings.HOOKFLOW_ROLE === 'worker';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const events = new EventEmitter();
    events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => this.workerIds.add(workerPool.id));
    events.on('worker:create', ({ worker }: { worker: { workerId: string } }) => this.workerIds.add(worker.workerId));
    this.pool = createQueuePool(this.connection.url, 14);
    this.utils = await makeWorkerUtils({ pgPool: this.pool, schema: QUEUE_SCHEMA, logger: queueLogger() });
    this.runner = await run({
      pgPool: this.pool,
      schema: QUEUE_SCHEMA,
      concurrency: CONCURRENT_RUNS,
      noHandleSignals: true,
      pollInterval: 2000,
      events: events as never,
      logger: queueLogger(),
      // Hookflow schedules workflows itself (SchedulerService); no crontab file is read.
      crontab: '',
      preset: { worker: { localQueue: { size: CONCURRENT_RUNS }, completeJobBatchDelay: 1, failJobBatchDelay: 1 } } as never,
      taskList: {
        [RUN_TASK]: async (payload) => this.executor.execute((payload as { run_id: string }).run_id, this.processId),
      },
    });
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch((error: Error) => this.logger.warn(`Heartbeat failed: ${error.message}`)), HEARTBEAT_INTERVAL_MS);
    this.logger.log(`${CONCURRENT_RUNS} run workers started (${this.processId})`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.runner?.stop();
    this.runner = undefined;
    if (this.workerIds.size > 0) {
      await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE process_id = $1`, [this.processId]).catch(() => undefined);
    }
    await this.utils?.release();
    this.utils = undefined;
    await this.pool?.end();
    this.pool = undefined;
  }

  /** Proves this process alive, renews its run leases, and frees dead workers' jobs. */
  private async beat(): Promise<void> {
    const ids = [...this.workerIds];
    await this.dataSource.query(
      `INSERT INTO worker_heartbeats (worker_id, process_id, last_seen_at)
       SELECT id, $2, now() FROM unnest($1::text[]) AS id
       ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = now()`,
      [ids, this.processId],
    );
    await this.store.renewLeases(this.processId, this.executor.runsInProgress());
    await this.releaseJobsOfDeadWorkers();
  }

  private async releaseJobsOfDeadWorkers(): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT j.locked_by
         FROM ${QUEUE_SCHEMA}._private_jobs j
         LEFT JOIN worker_heartbeats h ON h.worker_id = j.locked_by
        WHERE j.locked_by IS NOT NULL
          AND j.locked_at < now() - make_interval(secs => $1)
          AND (h.worker_id IS NULL OR h.last_seen_at < now() - make_interval(secs => $1))`,
      [STALE_AFTER_SECONDS],
    )) as { locked_by: string }[];
    const dead = rows.map((row) => row.locked_by).filter((id) => !this.workerIds.has(id));
    if (dead.length === 0 || !this.utils) return;
    await this.utils.forceUnlockWorkers(dead);
    await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE worker_id = ANY($1)`, [dead]);
    this.logger.warn(`Released the jobs of ${dead.length} worker(s) that stopped answering: ${dead.join(', ')}`);
  }
}
