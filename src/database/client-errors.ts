import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Gives every client of `pool` an 'error' listener for good, before its first checkout.
 * pg-pool hands a client over without one, and TypeORM and graphile-worker add theirs a
 * promise tick later. When PostgreSQL ends its connections (a restart, a failover), the
 * termination notice can arrive in the same network read as the answer that freed the
 * client, inside that gap: an 'error' event nobody listens to, which ends the process.
 * The error still fails the query in flight, and the pool still drops the broken client.
 * Clients are caught as they connect, and, for a pool that already had some, as they
 * are checked out.
 */
export function keepClientErrorsHandled(pool: Pool, onLost: (error: Error) => void = logLostConnection): Pool {
  const handled = new WeakSet<PoolClient>();
  const handle = (client: PoolClient) => {
    if (handled.has(client)) return;
    handled.add(client);
    client.on('error', onLost);
  };
  pool.on('connect', handle);
  pool.on('acquire', handle);
  return pool;
}

function logLostConnection(error: Error): void {
  new Logger('Database').debug(`A database connection was lost: ${error.message}`);
}

/** The same for the pool of a TypeORM data source. */
export function keepDataSourceClientErrorsHandled(dataSource: DataSource): DataSource {
  keepClientErrorsHandled((dataSource.driver as PostgresDriver).master as Pool);
  return dataSource;
}
