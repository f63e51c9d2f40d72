import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A workflow's `timeout:` on each of its runs: `timeout_ms` as the workflow version set it,
 * and `deadline`, when the run is cancelled if it has not finished. The index holds only the
 * unfinished runs that have a deadline, so the sweep that cancels overdue runs reads only
 * those (RunStore.timeOutRuns).
 */
export class RunTimeouts1764800200000 implements MigrationInterface {
  name = 'RunTimeouts1764800200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN timeout_ms bigint, ADD COLUMN deadline timestamptz`);
    await queryRunner.query(`CREATE INDEX runs_deadline_idx ON runs (deadline) WHERE deadline IS NOT NULL AND status IN ('queued', 'running', 'paused')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runs_deadline_idx`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN deadline, DROP COLUMN timeout_ms`);
  }
}
