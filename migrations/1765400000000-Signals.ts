import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Safety signals found per clinic: one row per clinic, dimension (lot, product, practitioner,
 * technique, formula, clinic), value and kind, so a signal alerts compliance staff once. Indexes
 * for the signal and course-report reads.
 */
export class Signals1765400000000 implements MigrationInterface {
  name = 'Signals1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        dimension text NOT NULL CHECK (dimension IN ('lot', 'product', 'practitioner', 'technique', 'formula', 'clinic')),
        value text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('disproportionality', 'cluster')),
        window_days int NOT NULL CHECK (window_days > 0),
        numbers jsonb NOT NULL,
        first_detected_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        CONSTRAINT signals_one_per_value UNIQUE (clinic_id, dimension, value, kind)
      )`);
    await q.query(`CREATE INDEX signals_clinic_idx ON signals (clinic_id, first_detected_at DESC)`);
    await q.query(`CREATE INDEX treatments_clinic_performed_idx ON treatments (clinic_id, performed_at)`);
    await q.query(`CREATE INDEX flags_signal_events_idx ON flags (clinic_id, treatment_id) WHERE priority = 'urgent' OR rule_id = 'late-onset'`);
    await q.query(`CREATE INDEX responses_treatment_course_idx ON responses (treatment_id, day_since_treatment)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS responses_treatment_course_idx`);
    await q.query(`DROP INDEX IF EXISTS flags_signal_events_idx`);
    await q.query(`DROP INDEX IF EXISTS treatments_clinic_performed_idx`);
    await q.query(`DROP TABLE IF EXISTS signals`);
  }
}
