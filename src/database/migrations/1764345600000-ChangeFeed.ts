import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change feed behind `GET /api/stream`, and what the console's event search needs.
 *
 * Changes are announced with `pg_notify('hookflow_changes', …)` so that a stream sees the
 * writes of every process. The triggers are statement-level with transition tables: the
 * engine and ingress write in batches, and one notification per statement (a JSON array of
 * small items, in chunks under PostgreSQL's 8000-byte payload limit) costs far less
 * than one per row. Items are `{ k: kind, r: run, w: workflow, s: status, … }`.
 *
 * Commits that notify are serialized by PostgreSQL (one global lock), so the triggers only
 * notify while a change feed listens: each listening process keeps a row in
 * `change_feed_listeners` alive, and a busy server with no console open pays one lookup per
 * statement instead.
 */
export class ChangeFeed1764345600000 implements MigrationInterface {
  name = 'ChangeFeed1764345600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE change_feed_listeners (
        id text PRIMARY KEY,
        listening_until timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE FUNCTION hookflow_change_feed_open() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (SELECT 1 FROM change_feed_listeners WHERE listening_until > now())
      $$`);

    // Sends `items` as JSON arrays, as few as fit under the payload limit (every item is small).
    await queryRunner.query(`
      CREATE FUNCTION hookflow_notify_changes(items json[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        item json;
        chunk text := '';
      BEGIN
        FOREACH item IN ARRAY items LOOP
          IF chunk <> '' AND octet_length(chunk) + octet_length(item::text) > 7000 THEN
            PERFORM pg_notify('hookflow_changes', '[' || chunk || ']');
            chunk := '';
          END IF;
          chunk := CASE WHEN chunk = '' THEN item::text ELSE chunk || ',' || item::text END;
        END LOOP;
        IF chunk <> '' THEN
          PERFORM pg_notify('hookflow_changes', '[' || chunk || ']');
        END IF;
      END $$`);

    await queryRunner.query(`
      CREATE FUNCTION hookflow_runs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF hookflow_change_feed_open() THEN
          PERFORM hookflow_notify_changes(ARRAY(
            SELECT json_build_object('k', 'run.created', 'r', n.id, 'w', n.workflow, 's', n.status, 'e', n.event_id) FROM new_rows n));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER runs_changes_on_insert AFTER INSERT ON runs
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookflow_runs_inserted()`);

    // Every UPDATE of runs fires it (transition tables allow no column list); only status
    // changes are announced, so lease renewals cost a join of the updated rows and nothing else.
    await queryRunner.query(`
      CREATE FUNCTION hookflow_runs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF hookflow_change_feed_open() THEN
          PERFORM hookflow_notify_changes(ARRAY(
            SELECT json_build_object('k', 'run.updated', 'r', n.id, 'w', n.workflow, 's', n.status, 'e', n.event_id)
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE o.status IS DISTINCT FROM n.status));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER runs_changes_on_update AFTER UPDATE ON runs
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookflow_runs_updated()`);

    await queryRunner.query(`
      CREATE FUNCTION hookflow_steps_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF hookflow_change_feed_open() THEN
          PERFORM hookflow_notify_changes(ARRAY(
            SELECT json_build_object('k', 'step.updated', 'r', n.run_id, 'w', r.workflow, 's', n.status, 'p', n.step_id, 'a', n.attempts)
              FROM new_rows n JOIN runs r ON r.id = n.run_id));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER step_runs_changes_on_insert AFTER INSERT ON step_runs
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookflow_steps_inserted()`);

    // A step that starts another attempt stays `running`: its attempt count changes.
    await queryRunner.query(`
      CREATE FUNCTION hookflow_steps_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF hookflow_change_feed_open() THEN
          PERFORM hookflow_notify_changes(ARRAY(
            SELECT json_build_object('k', 'step.updated', 'r', n.run_id, 'w', r.workflow, 's', n.status, 'p', n.step_id, 'a', n.attempts)
              FROM new_rows n
              JOIN old_rows o ON o.run_id = n.run_id AND o.step_id = n.step_id
              JOIN runs r ON r.id = n.run_id
             WHERE o.status IS DISTINCT FROM n.status OR o.attempts IS DISTINCT FROM n.attempts));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER step_runs_changes_on_update AFTER UPDATE ON step_runs
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookflow_steps_updated()`);

    await queryRunner.query(`
      CREATE FUNCTION hookflow_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF hookflow_change_feed_open() THEN
          PERFORM hookflow_notify_changes(ARRAY(
            SELECT json_build_object('k', 'event.received', 'e', n.id, 'src', n.source, 't', left(n.type, 200)) FROM new_rows n));
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER events_changes_on_insert AFTER INSERT ON events
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hookflow_events_inserted()`);

    // The body as text for the console's search: bodies are stored as received, and one that
    // is not valid UTF-8 must not make the search fail, so it is searched in escaped form.
    await queryRunner.query(`
      CREATE FUNCTION hookflow_body_text(body bytea) RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      BEGIN
        RETURN convert_from(body, 'UTF8');
      EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
        RETURN encode(body, 'escape');
      END $$`);

    // No index for the type filter: every index on events is an entry more for each
    // accepted webhook. Type filters walk events_received_at_idx (newest first) instead.
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION hookflow_body_text(bytea)`);
    await queryRunner.query(`DROP TRIGGER events_changes_on_insert ON events`);
    await queryRunner.query(`DROP TRIGGER step_runs_changes_on_update ON step_runs`);
    await queryRunner.query(`DROP TRIGGER step_runs_changes_on_insert ON step_runs`);
    await queryRunner.query(`DROP TRIGGER runs_changes_on_update ON runs`);
    await queryRunner.query(`DROP TRIGGER runs_changes_on_insert ON runs`);
    await queryRunner.query(`DROP FUNCTION hookflow_events_inserted()`);
    await queryRunner.query(`DROP FUNCTION hookflow_steps_updated()`);
    await queryRunner.query(`DROP FUNCTION hookflow_steps_inserted()`);
    await queryRunner.query(`DROP FUNCTION hookflow_runs_updated()`);
    await queryRunner.query(`DROP FUNCTION hookflow_runs_inserted()`);
    await queryRunner.query(`DROP FUNCTION hookflow_notify_changes(json[])`);
    await queryRunner.query(`DROP FUNCTION hookflow_change_feed_open()`);
    await queryRunner.query(`DROP TABLE change_feed_listeners`);
  }
}
