import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { keepClientErrorsHandled } from '../database/client-errors';

/**
 * A connection pool lent to graphile-worker, so that Hookflow decides when it ends.
 * Given only a connection string, graphile-worker ends its own pool without waiting and
 * removes its error listener first: a connection still open when PostgreSQL stops (at
 * shutdown, or a server restart) then raised an unhandled 'error' and killed the process.
 * This pool always has listeners, on itself for idle connections and on each connection
 * for checked-out ones (graphile-worker checks for its 'connect' listener): a lost
 * connection is logged, and pg replaces it or fails the query.
 */
export function createQueuePool(connectionString: string, max: number): Pool {
  const logger = new Logger('Queue');
  const pool = new Pool({ connectionString, max, application_name: 'hookflow-queue' });
  const lost = (error: Error) => logger.warn(`A queue connection was lost: ${error.message}`);
  pool.on('error', lost);
  return keepClientErrorsHandled(pool, lost);
}
