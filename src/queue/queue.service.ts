import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { runMigrations } from 'graphile-worker';
import { DatabaseConnection } from '../database/database-connection';
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

  constructor(private readonly connection: DatabaseConnection) {}

  async onModuleInit(): Promise<void> {
    await runMigrations({
      connectionString: this.connection.url,
      schema: QUEUE_SCHEMA,
      logger: queueLogger(),
    });
    this.logger.log('Queue schema is up to date');
  }
}
