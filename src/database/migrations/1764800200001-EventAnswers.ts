import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The HTTP answer a source's or trigger's `respond:` gave to an event (`{ status, headers,
 * body }`, as sent), so that a repeated delivery with its dedupe key gets the same answer.
 * Null when the event got the usual `202` JSON.
 */
export class EventAnswers1764800200001 implements MigrationInterface {
  name = 'EventAnswers1764800200001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events ADD COLUMN answer jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events DROP COLUMN answer`);
  }
}
