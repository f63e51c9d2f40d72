import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runMigrations } from 'graphile-worker';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from '../database/database-connection';
import { createQueuePool } from './queue-pool';
import { queueLogger } from './queue-logger';
import { QUEUE_SCHEMA } from './run-job';

/**
 * The PostgreSQL-backed job queue (graphile-worker) in Hookflow's own database, so that
 * accepting an event and enqueueing its runs is one transaction. Jobs carry run ids only;
 * the engine executes them.
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
      await this.dataSource.query(
        `ALTER FUNCTION ${QUEUE_SCHEMA}.add_jobs(${QUEUE_SCHEMA}.job_spec[], boolean) SET plan_cache_mode = force_custom_plan`,
      );
    } catch (error) {
      this.logger.warn(`Could not set plan_cache_mode on ${QUEUE_SCHEMA}.add_jobs (${(error as Error).message}); enqueueing may slow down as the queue grows`);
    }
  }
}
