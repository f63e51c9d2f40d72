import { MigrationInterface, QueryRunner } from 'typeorm';

export class Engine1764259200000 implements MigrationInterface {
  name = 'Engine1764259200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE runs
        ADD COLUMN updated_at timestamptz,
        ADD COLUMN lease_owner text,
        ADD COLUMN lease_until timestamptz`);
    // A run is updated twice on its way (claimed, finished): with no index on the columns
    // those updates touch, and room left on each page, they are HOT updates that write no
    // index entries.
    await queryRunner.query(`ALTER TABLE runs SET (fillfactor = 85)`);

    // Concurrency gate: "is an earlier run with my key still unfinished?" is answered from a
    // small table of unfinished keyed runs that triggers keep, rather than from an index
    // on runs.status, which would make every status change a non-HOT update.
    await queryRunner.query(`
      CREATE TABLE open_keyed_runs (
        run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        workflow text NOT NULL,
        concurrency_key text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX open_keyed_runs_order_idx ON open_keyed_runs (workflow, concurrency_key, created_at, run_id)`);
    await queryRunner.query(`
      CREATE FUNCTION hookflow_track_open_keyed_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IN ('queued', 'running') THEN
          INSERT INTO open_keyed_runs (run_id, workflow, concurrency_key, created_at)
          VALUES (NEW.id, NEW.workflow, NEW.concurrency_key, NEW.created_at)
          ON CONFLICT (run_id) DO NOTHING;
        ELSE
          DELETE FROM open_keyed_runs WHERE run_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER runs_open_keyed_on_insert AFTER INSERT ON runs
        FOR EACH ROW WHEN (NEW.concurrency_key IS NOT NULL) EXECUTE FUNCTION hookflow_track_open_keyed_run()`);
    await queryRunner.query(`
      CREATE TRIGGER runs_open_keyed_on_status AFTER UPDATE OF status ON runs
        FOR EACH ROW WHEN (NEW.concurrency_key IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION hookflow_track_open_keyed_run()`);

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
      ) WITH (fillfactor = 85)`);

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
    await queryRunner.query(`DROP TRIGGER runs_open_keyed_on_status ON runs`);
    await queryRunner.query(`DROP TRIGGER runs_open_keyed_on_insert ON runs`);
    await queryRunner.query(`DROP FUNCTION hookflow_track_open_keyed_run()`);
    await queryRunner.query(`DROP TABLE open_keyed_runs`);
    await queryRunner.query(`ALTER TABLE runs RESET (fillfactor)`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN lease_until, DROP COLUMN lease_owner, DROP COLUMN updated_at`);
  }
}
