import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Protocols as data and courses of sessions.
 * - Protocol rows are never changed: a change is a new version (the database refuses UPDATE and
 *   DELETE), so a treatment's protocol id + version always means what it meant when it started.
 * - Shipped defaults for body (cellulite, contouring) and face/scalp (skin rejuvenation, hair
 *   loss) treatments, with a day-90 step: atypical mycobacterial infections after mesotherapy
 *   appear 1–12 weeks later. The old `default` key stays for the treatments that use it.
 * - A check-in may count for several sessions of a course (check_in_treatments), and a late step
 *   replaced by a later session's is `superseded`.
 */
export class ProtocolsAndCourses1765100000000 implements MigrationInterface {
  name = 'ProtocolsAndCourses1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // Body: the starting course (lipolytic injections into fat give the longest-lasting reactions).
    await q.query(`
      INSERT INTO protocols (clinic_id, key, version, name, day_offsets, send_time, expiry_hours, reminder_after_hours, expected_course)
      VALUES (NULL, 'body', 1, 'Body follow-up (cellulite, contouring)', '{1,3,7,14,30,60,90}', '10:00', 48, 24, '{
        "bruising": [{"throughDay": 10, "max": 2}, {"throughDay": 15, "max": 1}],
        "redness":  [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}],
        "itching":  [{"throughDay": 7, "max": 1}],
        "burning":  [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}],
        "pain":     [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}]
      }'::jsonb)`);
    // Face and scalp: superficial micro-injections of small volumes (vitamins, hyaluronic acid,
    // growth factors) settle faster than lipolysis in body fat: redness, burning and pain are
    // usual for about a week, bruising (thin facial skin, fine needles) for about ten days.
    await q.query(`
      INSERT INTO protocols (clinic_id, key, version, name, day_offsets, send_time, expiry_hours, reminder_after_hours, expected_course)
      VALUES (NULL, 'face-scalp', 1, 'Face and scalp follow-up (skin rejuvenation, hair loss)', '{1,3,7,14,30,60,90}', '10:00', 48, 24, '{
        "bruising": [{"throughDay": 7, "max": 2}, {"throughDay": 10, "max": 1}],
        "redness":  [{"throughDay": 2, "max": 2}, {"throughDay": 7, "max": 1}],
        "itching":  [{"throughDay": 7, "max": 1}],
        "burning":  [{"throughDay": 1, "max": 2}, {"throughDay": 7, "max": 1}],
        "pain":     [{"throughDay": 2, "max": 2}, {"throughDay": 7, "max": 1}]
      }'::jsonb)`);
    await q.query(`CREATE INDEX protocols_key_idx ON protocols (clinic_id, key, version DESC)`);
    await q.query(`CREATE TRIGGER protocols_no_update_delete BEFORE UPDATE OR DELETE ON protocols FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER protocols_no_truncate BEFORE TRUNCATE ON protocols FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    await q.query(`ALTER TABLE check_ins DROP CONSTRAINT check_ins_status_check`);
    await q.query(`
      ALTER TABLE check_ins ADD CONSTRAINT check_ins_status_check CHECK (status IN (
        'scheduled', 'sending', 'sent', 'answered', 'expired', 'cancelled', 'failed', 'superseded'))`);
    // A superseded late step may be planned again (the session that replaced it was cancelled).
    await q.query(`ALTER TABLE check_ins DROP CONSTRAINT check_ins_treatment_id_step_key`);
    await q.query(`CREATE UNIQUE INDEX check_ins_treatment_step_key ON check_ins (treatment_id, step) WHERE status <> 'superseded'`);
    await q.query(`CREATE INDEX check_ins_patient_open_idx ON check_ins (patient_id, due_at) WHERE status IN ('scheduled', 'sending', 'sent')`);

    // Which sessions a check-in counts for; step is null where it covers a session without being one of its steps.
    await q.query(`
      CREATE TABLE check_in_treatments (
        check_in_id uuid NOT NULL REFERENCES check_ins(id),
        treatment_id uuid NOT NULL REFERENCES treatments(id),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        step int,
        day_offset int NOT NULL,
        PRIMARY KEY (check_in_id, treatment_id)
      )`);
    await q.query(`CREATE INDEX check_in_treatments_treatment_idx ON check_in_treatments (treatment_id)`);
    await q.query(`
      INSERT INTO check_in_treatments (check_in_id, treatment_id, clinic_id, step, day_offset)
      SELECT id, treatment_id, clinic_id, step, day_offset FROM check_ins`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS check_in_treatments`);
    await q.query(`DROP INDEX IF EXISTS check_ins_patient_open_idx`);
    await q.query(`DROP INDEX IF EXISTS check_ins_treatment_step_key`);
    // Superseded steps were never sent (no tokens, messages or answers point at them); the old schema cannot hold them.
    await q.query(`DELETE FROM check_ins WHERE status = 'superseded'`);
    await q.query(`ALTER TABLE check_ins ADD CONSTRAINT check_ins_treatment_id_step_key UNIQUE (treatment_id, step)`);
    await q.query(`ALTER TABLE check_ins DROP CONSTRAINT check_ins_status_check`);
    await q.query(`
      ALTER TABLE check_ins ADD CONSTRAINT check_ins_status_check CHECK (status IN (
        'scheduled', 'sending', 'sent', 'answered', 'expired', 'cancelled', 'failed'))`);
    await q.query(`DROP TRIGGER IF EXISTS protocols_no_truncate ON protocols`);
    await q.query(`DROP TRIGGER IF EXISTS protocols_no_update_delete ON protocols`);
    await q.query(`DROP INDEX IF EXISTS protocols_key_idx`);
    await q.query(`DELETE FROM protocols WHERE clinic_id IS NULL AND key IN ('body', 'face-scalp') AND version = 1`);
  }
}
