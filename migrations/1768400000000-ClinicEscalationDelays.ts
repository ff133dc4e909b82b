import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each clinic may set its own escalation delays (an admin changes them in the console's clinic
 * settings); null means the service's ESCALATE_URGENT_AFTER_MINUTES / ESCALATE_HIGH_AFTER_HOURS.
 * The bounds are the same as the environment variables'.
 */
export class ClinicEscalationDelays1768400000000 implements MigrationInterface {
  name = 'ClinicEscalationDelays1768400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE clinics
        ADD COLUMN escalate_urgent_after_minutes int CHECK (escalate_urgent_after_minutes BETWEEN 1 AND 1440),
        ADD COLUMN escalate_high_after_hours int CHECK (escalate_high_after_hours BETWEEN 1 AND 720)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clinics DROP COLUMN escalate_urgent_after_minutes, DROP COLUMN escalate_high_after_hours`);
  }
}
