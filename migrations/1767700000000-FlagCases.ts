import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One case per patient and course: a patient's unresolved flags of one course are triaged as one
 * row. `flag_cases` is kept by the flags service in the same transaction as every flag change (a
 * stored summary, so the queue reads one row per case by index instead of grouping flags). A
 * case's id is the id of its first flag. `priority_rank` (0 urgent … 3 low) is stored so the
 * queue sorts by index, not by a CASE in ORDER BY. At most one unresolved case per patient and
 * course. Counts per status and priority sit in one row per clinic (flag_case_counts), kept by a
 * trigger. Also: flags and check-ins by patient, and a patient's birth year (age band).
 */
export class FlagCases1767700000000 implements MigrationInterface {
  name = 'FlagCases1767700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE flag_cases (
        id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        course_id uuid,
        treatment_id uuid REFERENCES treatments(id),
        status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
        priority_rank smallint NOT NULL CHECK (priority_rank BETWEEN 0 AND 3),
        rule_ids text[] NOT NULL DEFAULT '{}',
        assignee_id uuid,
        waiting_since timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // The queue (open and acknowledged): the clinic's unresolved cases in queue order, read by
    // index and cut by LIMIT; its total and counts per priority are index-only counts over it.
    await q.query(`CREATE INDEX flag_cases_queue_idx ON flag_cases (clinic_id, priority_rank, waiting_since, id) WHERE status <> 'resolved'`);
    // One status (status=open or acknowledged), in the same order.
    await q.query(`CREATE INDEX flag_cases_status_idx ON flag_cases (clinic_id, status, priority_rank, waiting_since, id)`);
    await q.query(`CREATE INDEX flag_cases_assignee_idx ON flag_cases (clinic_id, assignee_id, priority_rank, waiting_since) WHERE status <> 'resolved'`);
    await q.query(`
      CREATE UNIQUE INDEX flag_cases_one_unresolved ON flag_cases (clinic_id, patient_id, COALESCE(course_id, '00000000-0000-0000-0000-000000000000'::uuid))
        WHERE status <> 'resolved'`);
    await q.query(`ALTER TABLE flags ADD COLUMN case_id uuid REFERENCES flag_cases(id)`);
    await q.query(`CREATE INDEX flags_case_idx ON flags (case_id, created_at)`);
    await q.query(`CREATE INDEX flags_patient_idx ON flags (clinic_id, patient_id, created_at)`);
    await q.query(`CREATE INDEX check_ins_patient_idx ON check_ins (patient_id, due_at)`);

    // Counts per status and priority for the queue's title, kept by a trigger so that reading
    // them is one row, not a count over the clinic's cases: [open urgent, high, normal, low,
    // acknowledged urgent, high, normal, low]. One row per clinic, so one lock order.
    await q.query(`
      CREATE TABLE flag_case_counts (
        clinic_id uuid PRIMARY KEY REFERENCES clinics(id),
        counts int[] NOT NULL CHECK (cardinality(counts) = 8)
      )`);
    await q.query(`
      CREATE FUNCTION count_flag_cases() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        d int[] := '{0,0,0,0,0,0,0,0}';
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.priority_rank = NEW.priority_rank AND OLD.clinic_id = NEW.clinic_id THEN
          RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status <> 'resolved' THEN
          d[(CASE OLD.status WHEN 'open' THEN 0 ELSE 4 END) + OLD.priority_rank + 1] := -1;
        END IF;
        IF NEW.status <> 'resolved' THEN
          d[(CASE NEW.status WHEN 'open' THEN 0 ELSE 4 END) + NEW.priority_rank + 1] := d[(CASE NEW.status WHEN 'open' THEN 0 ELSE 4 END) + NEW.priority_rank + 1] + 1;
        END IF;
        INSERT INTO flag_case_counts AS c (clinic_id, counts) VALUES (NEW.clinic_id, d)
          ON CONFLICT (clinic_id) DO UPDATE
          SET counts = ARRAY(SELECT u.a + u.b FROM unnest(c.counts, EXCLUDED.counts) WITH ORDINALITY AS u(a, b, i) ORDER BY u.i);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER flag_cases_count AFTER INSERT OR UPDATE ON flag_cases FOR EACH ROW EXECUTE FUNCTION count_flag_cases()`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON flag_case_counts TO aftercare_app`);
    await q.query(`REVOKE DELETE, TRUNCATE ON flag_case_counts FROM aftercare_app`);
    await q.query(`GRANT SELECT ON flag_case_counts TO aftercare_auditor`);

    // Unresolved flags already there: one case per patient and treatment (their course is not recorded).
    await q.query(`
      INSERT INTO flag_cases (id, clinic_id, patient_id, course_id, treatment_id, status, priority, priority_rank, rule_ids, assignee_id, waiting_since, created_at, updated_at)
      SELECT (array_agg(f.id ORDER BY f.created_at, f.id))[1], f.clinic_id, f.patient_id, f.treatment_id, f.treatment_id,
             CASE WHEN bool_or(f.status = 'open') THEN 'open' ELSE 'acknowledged' END,
             (ARRAY['urgent', 'high', 'normal', 'low'])[min(CASE f.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END) + 1],
             min(CASE f.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
             array_agg(DISTINCT f.rule_id), (array_agg(f.assignee_id ORDER BY f.created_at) FILTER (WHERE f.assignee_id IS NOT NULL))[1],
             min(f.created_at), min(f.created_at), max(f.updated_at)
        FROM flags f WHERE f.status <> 'resolved'
       GROUP BY f.clinic_id, f.patient_id, f.treatment_id`);
    await q.query(`
      UPDATE flags f SET case_id = c.id FROM flag_cases c
       WHERE f.status <> 'resolved' AND c.clinic_id = f.clinic_id AND c.patient_id = f.patient_id
         AND c.course_id IS NOT DISTINCT FROM f.treatment_id`);

    await q.query(`GRANT SELECT, INSERT, UPDATE ON flag_cases TO aftercare_app`);
    await q.query(`REVOKE DELETE, TRUNCATE ON flag_cases FROM aftercare_app`);
    await q.query(`GRANT SELECT ON flag_cases TO aftercare_auditor`);

    // Age band on the queue: a year is enough and less identifying than a date.
    await q.query(`ALTER TABLE patients ADD COLUMN birth_year smallint CHECK (birth_year BETWEEN 1900 AND 2100)`);

    // Finding a patient: trigram indexes where pg_trgm can be had (a trusted extension since
    // PostgreSQL 13, so a database owner may create it); otherwise prefix indexes on lower().
    await q.query(`
      DO $$
      BEGIN
        BEGIN
          CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN OTHERS THEN
          RAISE NOTICE 'pg_trgm is not available (%); patient search uses prefix indexes', SQLERRM;
        END;
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          CREATE INDEX patients_search_trgm_idx ON patients USING gin (
            (lower(given_name || ' ' || family_name || ' ' || coalesce(email, '') || ' ' || coalesce(external_ref, '') || ' ' || coalesce(phone, ''))) gin_trgm_ops);
        END IF;
      END $$`);
    await q.query(`CREATE INDEX patients_family_name_idx ON patients (clinic_id, lower(family_name) text_pattern_ops)`);
    await q.query(`CREATE INDEX patients_given_name_idx ON patients (clinic_id, lower(given_name) text_pattern_ops)`);
    await q.query(`CREATE INDEX patients_email_idx ON patients (clinic_id, lower(email) text_pattern_ops)`);
    await q.query(`CREATE INDEX patients_clinic_phone_idx ON patients (clinic_id, phone text_pattern_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS patients_clinic_phone_idx`);
    await q.query(`DROP INDEX IF EXISTS patients_email_idx`);
    await q.query(`DROP INDEX IF EXISTS patients_given_name_idx`);
    await q.query(`DROP INDEX IF EXISTS patients_family_name_idx`);
    await q.query(`DROP INDEX IF EXISTS patients_search_trgm_idx`);
    await q.query(`ALTER TABLE patients DROP COLUMN birth_year`);
    await q.query(`DROP INDEX IF EXISTS check_ins_patient_idx`);
    await q.query(`DROP INDEX IF EXISTS flags_patient_idx`);
    await q.query(`DROP INDEX IF EXISTS flags_case_idx`);
    await q.query(`ALTER TABLE flags DROP COLUMN case_id`);
    await q.query(`DROP TABLE flag_case_counts`);
    await q.query(`DROP TABLE flag_cases`);
    await q.query(`DROP FUNCTION count_flag_cases()`);
  }
}
