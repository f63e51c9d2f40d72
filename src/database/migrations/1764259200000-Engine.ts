import { MigrationInterface, QueryRunner } from 'typeorm';

export class Engine1764259200000 implements MigrationInterface {
  name = 'Engine1764259200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE runs
        ADD COLUMN updated_at timestamptz,
        ADD COLUMN lease_owner text,
        ADD COLUMN lease_until timestamptz`);
    // Concurrency gate: "is an earlier run with my key still unfinished?"
    await queryRunner.query(`
      CREATE INDEX runs_concurrency_open_idx ON runs (workflow, concurrency_key, created_at, id)
        WHERE concurrency_key IS NOT NULL AND status IN ('queued', 'running')`);
    await queryRunner.query(`CREATE INDEX runs_status_created_at_idx ON runs (status, created_at, id)`);
    await queryRunner.query(`CREATE INDEX runs_lease_owner_idx ON runs (lease_owner) WHERE lease_owner IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE workflow_versions (
        workflow text NOT NULL,
        version text NOT NULL,
        file text NOT NULL,
        yaml text NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow, version)
      )`);

    await queryRunner.query(`
      CREATE TABLE step_runs (
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        input jsonb,
        output jsonb,
        error text,
        next_attempt_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (run_id, step_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE step_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        n integer NOT NULL,
        status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        request jsonb,
        response_status integer,
        response_headers jsonb,
        response_body text,
        error text
      )`);
    await queryRunner.query(`CREATE INDEX step_attempts_run_step_idx ON step_attempts (run_id, step_id, n)`);

    await queryRunner.query(`
      CREATE TABLE worker_heartbeats (
        worker_id text PRIMARY KEY,
        process_id text NOT NULL,
        last_seen_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX worker_heartbeats_process_idx ON worker_heartbeats (process_id)`);

    await queryRunner.query(`
      CREATE TABLE schedule_ticks (
        workflow text NOT NULL,
        tick_at timestamptz NOT NULL,
        run_id uuid,
        PRIMARY KEY (workflow, tick_at)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE schedule_ticks`);
    await queryRunner.query(`DROP TABLE worker_heartbeats`);
    await queryRunner.query(`DROP TABLE step_attempts`);
    await queryRunner.query(`DROP TABLE step_runs`);
    await queryRunner.query(`DROP TABLE workflow_versions`);
    await queryRunner.query(`DROP INDEX runs_lease_owner_idx`);
    await queryRunner.query(`DROP INDEX runs_status_created_at_idx`);
    await queryRunner.query(`DROP INDEX runs_concurrency_open_idx`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN lease_until, DROP COLUMN lease_owner, DROP COLUMN updated_at`);
  }
}
