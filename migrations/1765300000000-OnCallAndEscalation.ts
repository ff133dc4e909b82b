import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The urgent pathway: a weekly on-call rota per clinic (local times in the clinic's zone, a shift
 * may wrap midnight), one escalation per flag and priority level, and extra check-ins a
 * practitioner asks for from a flag.
 */
export class OnCallAndEscalation1765300000000 implements MigrationInterface {
  name = 'OnCallAndEscalation1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE on_call_shifts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        staff_user_id uuid NOT NULL REFERENCES staff_users(id),
        weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
        start_time time NOT NULL,
        end_time time NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (start_time <> end_time)
      )`);
    await q.query(`CREATE INDEX on_call_shifts_clinic_idx ON on_call_shifts (clinic_id, weekday)`);
    // Escalated once per priority level, even if two instances tick at the same moment.
    await q.query(`CREATE UNIQUE INDEX flag_events_escalated_once ON flag_events (flag_id, (data->>'priority')) WHERE kind = 'escalated'`);
    // The escalation tick's candidates: open urgent and high flags.
    await q.query(`CREATE INDEX flags_escalation_idx ON flags (created_at) WHERE status = 'open' AND priority IN ('urgent', 'high')`);
    await q.query(`ALTER TABLE check_ins ADD COLUMN requested_by_flag_id uuid REFERENCES flags(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_ins DROP COLUMN requested_by_flag_id`);
    await q.query(`DROP INDEX IF EXISTS flags_escalation_idx`);
    await q.query(`DROP INDEX IF EXISTS flag_events_escalated_once`);
    await q.query(`DROP TABLE IF EXISTS on_call_shifts`);
  }
}
