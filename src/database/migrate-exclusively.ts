import { DataSource } from 'typeorm';

/** Arbitrary, fixed: the advisory lock every Hookflow process takes to migrate the schema. */
const MIGRATION_LOCK = 7_246_053_112;

/**
 * Initializes `dataSource` and brings the schema up to date while holding a PostgreSQL
 * advisory lock, so that processes starting together on one database (a fresh install, a
 * rolling upgrade) migrate one after another instead of racing on the same `CREATE TABLE`.
 * TypeORM's own `migrationsRun` takes no lock.
 */
export async function initializeMigrated(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  try {
    const lockHolder = dataSource.createQueryRunner();
    try {
      await lockHolder.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      // A session lock: it also ends with the connection, should the unlock not get through.
      await lockHolder.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
      await lockHolder.release();
    }
  } catch (error) {
    // The module retries the start with a new data source: this one's pool must not linger.
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}
