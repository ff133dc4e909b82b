import { MigrationInterface, QueryRunner } from 'typeorm';

/** Contact points a provider called invalid, and per-message headers (List-Unsubscribe). */
export class DeliveryFailures1764300000000 implements MigrationInterface {
  name = 'DeliveryFailures1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patients ADD COLUMN sms_invalid_at timestamptz, ADD COLUMN email_invalid_at timestamptz`);
    await q.query(`ALTER TABLE messages ADD COLUMN headers jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN headers`);
    await q.query(`ALTER TABLE patients DROP COLUMN sms_invalid_at, DROP COLUMN email_invalid_at`);
  }
}
