import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Causality and seriousness of a flagged reaction, as a practitioner assessed it (ICH E2A
 * seriousness criteria), and an index for the adverse-event log's period queries and keyset pages.
 */
export class FlagAssessment1765600000000 implements MigrationInterface {
  name = 'FlagAssessment1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE flags ADD COLUMN causality text CHECK (causality IN ('related', 'possibly_related', 'unlikely_related', 'unrelated'))`);
    await q.query(`ALTER TABLE flags ADD COLUMN seriousness text CHECK (seriousness IN ('non_serious', 'serious'))`);
    await q.query(`
      ALTER TABLE flags ADD COLUMN seriousness_criteria text[] NOT NULL DEFAULT '{}'
        CHECK (seriousness_criteria <@ ARRAY['death', 'life_threatening', 'hospitalisation', 'disability', 'congenital_anomaly', 'medically_important']::text[])`);
    await q.query(`ALTER TABLE flags ADD COLUMN assessment_note text`);
    await q.query(`ALTER TABLE flags ADD COLUMN assessed_at timestamptz`);
    await q.query(`ALTER TABLE flags ADD COLUMN assessed_by uuid REFERENCES staff_users(id)`);
    // Serious means at least one criterion; non-serious none; no assessment, no seriousness.
    await q.query(`
      ALTER TABLE flags ADD CONSTRAINT flags_assessment_check CHECK (
        (causality IS NULL AND seriousness IS NULL AND assessed_at IS NULL AND cardinality(seriousness_criteria) = 0)
        OR (causality IS NOT NULL AND assessed_at IS NOT NULL AND (
          (seriousness = 'serious' AND cardinality(seriousness_criteria) > 0)
          OR (seriousness = 'non_serious' AND cardinality(seriousness_criteria) = 0))))`);
    await q.query(`CREATE INDEX flags_clinic_created_idx ON flags (clinic_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS flags_clinic_created_idx`);
    await q.query(`ALTER TABLE flags DROP CONSTRAINT flags_assessment_check`);
    for (const c of ['assessed_by', 'assessed_at', 'assessment_note', 'seriousness_criteria', 'seriousness', 'causality']) {
      await q.query(`ALTER TABLE flags DROP COLUMN ${c}`);
    }
  }
}
