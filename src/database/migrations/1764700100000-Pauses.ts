import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Paused workflows and sources (`pauses`), and the run status `paused`.
 *
 * Every process keeps the paused set in memory (PausedSet) so that ingress pays no lookup
 * per request: a statement trigger announces each change on `hookflow_pauses`, and the
 * processes listening reload the set.
 *
 * A paused run is unfinished: it stays in `open_keyed_runs`, so that later runs with its
 * concurrency key keep waiting behind it.
 */
export class Pauses1764700100000 implements MigrationInterface {
  name = 'Pauses1764700100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pauses (
        kind text NOT NULL CHECK (kind IN ('workflow', 'source')),
        name text NOT NULL,
        paused_at timestamptz NOT NULL DEFAULT now(),
        paused_by text NOT NULL,
        reason text,
        PRIMARY KEY (kind, name)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION hookflow_pauses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('hookflow_pauses', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER pauses_changed AFTER INSERT OR UPDATE OR DELETE ON pauses
        FOR EACH STATEMENT EXECUTE FUNCTION hookflow_pauses_changed()`);

    await queryRunner.query(`ALTER TABLE runs DROP CONSTRAINT runs_status_check`);
    await queryRunner.query(`
      ALTER TABLE runs ADD CONSTRAINT runs_status_check
        CHECK (status IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'))`);
    await queryRunner.query(trackOpenKeyedRuns(`'queued', 'running', 'paused'`));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE runs SET status = 'queued' WHERE status = 'paused'`);
    await queryRunner.query(trackOpenKeyedRuns(`'queued', 'running'`));
    await queryRunner.query(`ALTER TABLE runs DROP CONSTRAINT runs_status_check`);
    await queryRunner.query(`
      ALTER TABLE runs ADD CONSTRAINT runs_status_check
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`);
    await queryRunner.query(`DROP TRIGGER pauses_changed ON pauses`);
    await queryRunner.query(`DROP FUNCTION hookflow_pauses_changed()`);
    await queryRunner.query(`DROP TABLE pauses`);
  }
}

/** The trigger function of migration Engine1764259200000, with `open` the statuses of an unfinished run. */
function trackOpenKeyedRuns(open: string): string {
  return `
      CREATE OR REPLACE FUNCTION hookflow_track_open_keyed_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IN (${open}) THEN
          INSERT INTO open_keyed_runs (run_id, workflow, concurrency_key, created_at)
          VALUES (NEW.id, NEW.workflow, NEW.concurrency_key, NEW.created_at)
          ON CONFLICT (run_id) DO NOTHING;
        ELSE
          DELETE FROM open_keyed_runs WHERE run_id = NEW.id;
        END IF;
        RETURN NULL;
      END $$`;
}
