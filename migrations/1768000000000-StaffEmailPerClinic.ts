import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A staff email is unique within its clinic, not across the platform: an admin adding staff is
 * told only about their own clinic (a 409 for an address registered elsewhere told clinic A that
 * the person works at some other clinic). One person at two clinics has two accounts, each with
 * its own password, role and sessions; sign-in tries them all (src/auth/auth.service.ts).
 * The plain index serves sign-in's lookup by email across clinics.
 */
export class StaffEmailPerClinic1768000000000 implements MigrationInterface {
  name = 'StaffEmailPerClinic1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX staff_users_email_key`);
    await q.query(`CREATE UNIQUE INDEX staff_users_clinic_email_key ON staff_users (clinic_id, lower(email))`);
    await q.query(`CREATE INDEX staff_users_email_idx ON staff_users (lower(email))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails while an email has accounts in two clinics: they must be merged or renamed first.
    await q.query(`DROP INDEX staff_users_email_idx`);
    await q.query(`DROP INDEX staff_users_clinic_email_key`);
    await q.query(`CREATE UNIQUE INDEX staff_users_email_key ON staff_users (lower(email))`);
  }
}
