import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The adverse-event log is read from flags, treatments and patients, which the service changes
 * (triage, cancel, erasure) but never deletes: its role loses DELETE on every table that holds
 * the record. It still deletes on-call shifts (a rota is replaced whole) and check-in links (a
 * cancelled session's); erasure replaces values, it removes no row.
 */
const KEPT = ['clinics', 'staff_users', 'api_keys', 'patients', 'treatments', 'check_ins', 'check_in_tokens', 'messages', 'flags', 'signals'];

export class NoDeletesOfTheRecord1765900000000 implements MigrationInterface {
  name = 'NoDeletesOfTheRecord1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE DELETE, TRUNCATE ON ${KEPT.join(', ')} FROM aftercare_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT DELETE ON ${KEPT.join(', ')} TO aftercare_app`);
  }
}
