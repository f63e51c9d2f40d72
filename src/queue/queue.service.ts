import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runMigrations } from 'graphile-worker';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from '../database/database-connection';
import { createQueuePool } from './queue-pool';
import { queueLogger } from './queue-logger';
import { EXACT_COUNT, EXACT_COUNT_LIMIT, OVERVIEW, QueueDepth, SAMPLED_COUNT, scaleSample } from './queue-depth';
import { JOBS_TABLE, QUEUE_SCHEMA } from './run-job';

/**
 * The PostgreSQL-backed job queue (graphile-worker) in Hookflow's own database, so that
 * accepting an event and enqueueing its runs is one transaction. Jobs carry run ids only;
 * the engine executes them. The only code that names graphile-worker's tables: others
 * ask this service, or put the SQL of run-job.ts into their own statements.
 */
@Injectable()
export class QueueService implements OnModuleInit {
  private readonly logger = new Logger(QueueService.name);

  constructor(
    private readonly connection: DatabaseConnection,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    const pgPool = createQueuePool(this.connection.url, 2);
    try {
      await runMigrations({ pgPool, schema: QUEUE_SCHEMA, logger: queueLogger() });
    } finally {
      await pgPool.end();
    }
    await this.planEnqueueingPerCall();
    this.logger.log('Queue schema is up to date');
  }

  /**
   * `add_jobs` is PL/pgSQL, so each connection caches a generic plan for its statements.
   * Planned while the jobs table is empty (a fresh install, or a restart after the
   * workers drained it), its job-key lookup scans the whole table on every call, and
   * enqueueing slows down as a backlog grows, for the life of the connection.
   * Planning per call costs little and keeps the key index in use. Re-applied at every
   * start, since a graphile-worker upgrade may recreate the function.
   */
  private async planEnqueueingPerCall(): Promise<void> {
    try {
      await this.dataSource.query(`ALTER FUNCTION ${QUEUE_SCHEMA}.add_jobs(${QUEUE_SCHEMA}.job_spec[], boolean) SET plan_cache_mode = force_custom_plan`);
    } catch (error) {
      this.logger.warn(`Could not set plan_cache_mode on ${QUEUE_SCHEMA}.add_jobs (${(error as Error).message}); enqueueing may slow down as the queue grows`);
    }
  }

  /** Rejects unless the database answers and the queue's schema is in place. */
  async checkReady(): Promise<void> {
    await this.dataSource.query(`SELECT 1 FROM ${QUEUE_SCHEMA}.migrations LIMIT 1`);
  }

  /** Jobs ready and scheduled, and the age of the oldest ready one: counted exactly while the queue is short, else sampled. */
  async depth(): Promise<QueueDepth> {
    const [{ estimate, oldest_age }] = await this.dataSource.query<{ estimate: number; oldest_age: number }[]>(OVERVIEW);
    // reltuples is -1 until the table is first analysed: small then, so counted.
    if (estimate <= EXACT_COUNT_LIMIT) {
      const [{ ready, scheduled }] = await this.dataSource.query<{ ready: number; scheduled: number }[]>(EXACT_COUNT);
      return { ready, scheduled, oldestAgeSeconds: oldest_age };
    }
    const [counted] = await this.dataSource.query<{ ready: number; scheduled: number; sampled: number }[]>(SAMPLED_COUNT);
    return { ...scaleSample(counted, estimate), oldestAgeSeconds: oldest_age };
  }

  /** Proves the workers of `processId` alive (see `workersHoldingJobsSilentFor`). */
  async recordHeartbeat(workerIds: string[], processId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO worker_heartbeats (worker_id, process_id, last_seen_at)
       SELECT id, $2, now() FROM unnest($1::text[]) AS id
       ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = now()`,
      [workerIds, processId],
    );
  }

  /** Drops the heartbeats of workers whose jobs were released. */
  async forgetWorkers(workerIds: string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE worker_id = ANY($1)`, [workerIds]);
  }

  /** Drops the heartbeats of a process's workers (its shutdown). */
  async forgetProcess(processId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM worker_heartbeats WHERE process_id = $1`, [processId]);
  }

  /**
   * The workers that have held a job for more than `seconds` with no heartbeat (in
   * `worker_heartbeats`) as recent: dead, or in a process that lost its database.
   */
  async workersHoldingJobsSilentFor(seconds: number): Promise<string[]> {
    const rows = await this.dataSource.query<{ locked_by: string }[]>(
      `SELECT DISTINCT j.locked_by
         FROM ${JOBS_TABLE} j
         LEFT JOIN worker_heartbeats h ON h.worker_id = j.locked_by
        WHERE j.locked_by IS NOT NULL
          AND j.locked_at < now() - make_interval(secs => $1)
          AND (h.worker_id IS NULL OR h.last_seen_at < now() - make_interval(secs => $1))`,
      [seconds],
    );
    return rows.map((row) => row.locked_by);
  }
}
