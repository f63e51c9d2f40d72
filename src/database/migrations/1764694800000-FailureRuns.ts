import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failure runs: a run of a workflow's `on_failure:` steps (or of on-failure.yaml's), created in
 * the statement that records the failed run as failed. `failed_run_id` is a plain reference,
 * not a foreign key: retention may prune the failed run first, and the handler's run stays
 * readable. `failure` is the template context `failure` as it was when the run failed.
 */
export class FailureRuns1764694800000 implements MigrationInterface {
  name = 'FailureRuns1764694800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE runs
        ADD COLUMN kind text NOT NULL DEFAULT 'steps' CONSTRAINT runs_kind_check CHECK (kind IN ('steps', 'on_failure')),
        ADD COLUMN failed_run_id uuid,
        ADD COLUMN failure jsonb`);
    await queryRunner.query(`CREATE INDEX runs_failed_run_id_idx ON runs (failed_run_id) WHERE failed_run_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runs_failed_run_id_idx`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN failure, DROP COLUMN failed_run_id, DROP COLUMN kind`);
  }
}
