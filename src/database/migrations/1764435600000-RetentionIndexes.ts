import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for retention's age predicates, where none existed. Events (`received_at`) and
 * runs (`created_at`) already have them; step runs and attempts are removed by run id
 * through their existing indexes. Both columns here are written once, at insert, so the
 * indexes cost one entry per row and never a non-HOT update.
 */
export class RetentionIndexes1764435600000 implements MigrationInterface {
  name = 'RetentionIndexes1764435600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The existing index leads with `source`; retention asks by age alone.
    await queryRunner.query(`CREATE INDEX signature_failures_received_at_idx ON signature_failures (received_at)`);
    await queryRunner.query(`CREATE INDEX schedule_ticks_tick_at_idx ON schedule_ticks (tick_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX schedule_ticks_tick_at_idx`);
    await queryRunner.query(`DROP INDEX signature_failures_received_at_idx`);
  }
}
