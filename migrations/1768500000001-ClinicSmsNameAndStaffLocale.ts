import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The clinic as patients' SMS name it (short, GSM-7, so every SMS keeps to two segments), and
 * the language its staff read alerts and escalations in.
 */
export class ClinicSmsNameAndStaffLocale1768500000001 implements MigrationInterface {
  name = 'ClinicSmsNameAndStaffLocale1768500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clinics ADD COLUMN sms_name text CHECK (sms_name IS NULL OR char_length(sms_name) BETWEEN 1 AND 20)`);
    await q.query(`ALTER TABLE clinics ADD COLUMN staff_locale text NOT NULL DEFAULT 'en' CHECK (staff_locale IN ('en', 'de', 'fr', 'es'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clinics DROP COLUMN staff_locale`);
    await q.query(`ALTER TABLE clinics DROP COLUMN sms_name`);
  }
}
