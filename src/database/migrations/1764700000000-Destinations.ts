import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shared health of each destination (an HTTP origin, the SMTP server): its circuit
 * breaker and rate limit (`destinations`), the steps waiting for it (`destination_waits`),
 * and its outcomes per minute for the console (`destination_minutes`).
 */
export class Destinations1764700000000 implements MigrationInterface {
  name = 'Destinations1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE destinations (
        id text PRIMARY KEY,
        state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open', 'disabled')),
        held_manually boolean NOT NULL DEFAULT false,
        consecutive_failures integer NOT NULL DEFAULT 0,
        opened_at timestamptz,
        probe_at timestamptz,
        probe_until timestamptz,
        disabled_at timestamptz,
        last_error text,
        last_failure_at timestamptz,
        next_slot timestamptz,
        version bigint NOT NULL DEFAULT 1,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE destination_waits (
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        destination text NOT NULL,
        since timestamptz NOT NULL DEFAULT now(),
        slot timestamptz,
        PRIMARY KEY (run_id, step_id)
      )`);
    await queryRunner.query(`CREATE INDEX destination_waits_destination_idx ON destination_waits (destination, since)`);
    await queryRunner.query(`
      CREATE TABLE destination_minutes (
        destination text NOT NULL,
        minute timestamptz NOT NULL,
        successes integer NOT NULL DEFAULT 0,
        failures integer NOT NULL DEFAULT 0,
        duration_ms_total bigint NOT NULL DEFAULT 0,
        duration_ms_max integer NOT NULL DEFAULT 0,
        PRIMARY KEY (destination, minute)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE destination_minutes`);
    await queryRunner.query(`DROP TABLE destination_waits`);
    await queryRunner.query(`DROP TABLE destinations`);
  }
}
