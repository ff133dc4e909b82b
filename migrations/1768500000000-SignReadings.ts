import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How each warning sign the patient named in their words was read (present, hedged or negated,
 * with the words and the cue), so the practitioner sees "no fever" as said, not as a fever.
 * Answers stored before this have null and are read again from their text by the rules.
 */
export class SignReadings1768500000000 implements MigrationInterface {
  name = 'SignReadings1768500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responses ADD COLUMN sign_readings jsonb`);
    await q.query(`ALTER TABLE responses ADD CONSTRAINT responses_sign_readings_array CHECK (sign_readings IS NULL OR jsonb_typeof(sign_readings) = 'array')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responses DROP COLUMN sign_readings`);
  }
}
