import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * The rows a statement answers, on TypeORM's pool. Unlike `DataSource.query`, which
 * answers `[rows, count]` for a top-level UPDATE or DELETE, this is the same for every
 * statement, `UPDATE … RETURNING` included.
 */
export async function queryRows<Row>(dataSource: DataSource, text: string, values: unknown[] = []): Promise<Row[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  return (await pool.query(text, values)).rows as Row[];
}
