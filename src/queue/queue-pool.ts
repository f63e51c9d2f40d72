import { Logger } from '@nestjs/common';
import { Pool } from 'pg';

/**
 * A connection pool lent to graphile-worker, so that Hookflow decides when it ends.
 * Given only a connection string, graphile-worker ends its own pool without waiting and
 * removes its error listener first: a connection still open when PostgreSQL stops (at
 * shutdown, or a server restart) then raised an unhandled 'error' and killed the process.
 * This pool always has a listener; a lost idle connection is only logged and replaced.
 */
export function createQueuePool(connectionString: string, max: number): Pool {
  const logger = new Logger('Queue');
  const pool = new Pool({ connectionString, max, application_name: 'hookflow-queue' });
  pool.on('error', (error) => logger.warn(`A queue connection was lost: ${error.message}`));
  return pool;
}
