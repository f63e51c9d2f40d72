import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764172800000 implements MigrationInterface {
  name = 'InitialSchema1764172800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        type text NOT NULL,
        dedupe_key text,
        received_at timestamptz NOT NULL,
        headers jsonb NOT NULL,
        query text NOT NULL DEFAULT '',
        content_type text,
        body bytea NOT NULL,
        body_format text NOT NULL,
        runs_count integer NOT NULL DEFAULT 0,
        match_notes jsonb NOT NULL DEFAULT '[]'
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX events_source_dedupe_key_uq ON events (source, dedupe_key) WHERE dedupe_key IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX events_received_at_idx ON events (received_at, id)`);
    await queryRunner.query(`CREATE INDEX events_source_received_at_idx ON events (source, received_at, id)`);

    await queryRunner.query(`
      CREATE TABLE runs (
        id uuid PRIMARY KEY,
        workflow text NOT NULL,
        workflow_version text NOT NULL,
        event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        concurrency_key text,
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        error text
      )`);
    await queryRunner.query(`CREATE INDEX runs_created_at_idx ON runs (created_at, id)`);
    await queryRunner.query(`CREATE INDEX runs_workflow_created_at_idx ON runs (workflow, created_at, id)`);
    await queryRunner.query(`CREATE INDEX runs_event_id_idx ON runs (event_id)`);

    await queryRunner.query(`
      CREATE TABLE signature_failures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source text NOT NULL,
        reason text NOT NULL,
        received_at timestamptz NOT NULL,
        remote_address text
      )`);
    await queryRunner.query(`CREATE INDEX signature_failures_source_received_at_idx ON signature_failures (source, received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE signature_failures`);
    await queryRunner.query(`DROP TABLE runs`);
    await queryRunner.query(`DROP TABLE events`);
  }
}
