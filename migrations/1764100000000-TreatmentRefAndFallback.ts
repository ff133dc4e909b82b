import { MigrationInterface, QueryRunner } from 'typeorm';

/** One treatment per external ref and clinic, enforced by the database; and the channel a check-in fell back from. */
export class TreatmentRefAndFallback1764100000000 implements MigrationInterface {
  name = 'TreatmentRefAndFallback1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // The service's check alone lets two concurrent requests with the same ref both pass.
    await q.query(`CREATE UNIQUE INDEX treatments_external_ref_key ON treatments (clinic_id, external_ref) WHERE external_ref IS NOT NULL`);
    await q.query(`ALTER TABLE check_ins ADD COLUMN fallback_from text CHECK (fallback_from IN ('sms', 'email'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_ins DROP COLUMN fallback_from`);
    await q.query(`DROP INDEX treatments_external_ref_key`);
  }
}
