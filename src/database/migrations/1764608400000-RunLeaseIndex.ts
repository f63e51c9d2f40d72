import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds claims that lapsed (`RunStore.requeueLapsedRuns`). Only runs held right now are in
 * it, so it stays small; the price is that claiming and releasing a run are no longer HOT
 * updates.
 */
export class RunLeaseIndex1764608400000 implements MigrationInterface {
  name = 'RunLeaseIndex1764608400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX runs_lease_until_idx ON runs (lease_until) WHERE lease_owner IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runs_lease_until_idx`);
  }
}
