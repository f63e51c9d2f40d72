import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sub-workflows: a run started by a `workflow` step records the run and step that started it
 * (plain references, like `failed_run_id`: retention may prune the parent first), so that the
 * parent can be woken when the child ends and each links to the other. `output` is a
 * succeeded run's rendered `output:` template (secrets as `[secret]`).
 */
export class SubWorkflows1764800100000 implements MigrationInterface {
  name = 'SubWorkflows1764800100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE runs
        ADD COLUMN parent_run_id uuid,
        ADD COLUMN parent_step_id text,
        ADD COLUMN output jsonb`);
    await queryRunner.query(`CREATE INDEX runs_parent_run_id_idx ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runs_parent_run_id_idx`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN output, DROP COLUMN parent_step_id, DROP COLUMN parent_run_id`);
  }
}
