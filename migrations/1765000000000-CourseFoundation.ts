import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared ground for the clinical engine and the adverse-event log: each protocol carries the
 * expected course its answers are judged against; treatments record technique and formula
 * (signals are looked for by both); a flag's history can hold merged evidence, raised
 * priority, escalation, extra check-ins and a causality assessment.
 */
export class CourseFoundation1765000000000 implements MigrationInterface {
  name = 'CourseFoundation1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE protocols ADD COLUMN expected_course jsonb NOT NULL DEFAULT '{
        "bruising": [{"throughDay": 10, "max": 2}, {"throughDay": 15, "max": 1}],
        "redness":  [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}],
        "itching":  [{"throughDay": 7, "max": 1}],
        "burning":  [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}],
        "pain":     [{"throughDay": 2, "max": 2}, {"throughDay": 14, "max": 1}]
      }'::jsonb`);
    await q.query(`ALTER TABLE protocols ALTER COLUMN expected_course DROP DEFAULT`);
    await q.query(`ALTER TABLE treatments ADD COLUMN technique text CHECK (technique IN ('manual', 'injector_gun'))`);
    await q.query(`ALTER TABLE treatments ADD COLUMN formula text`);
    await q.query(`ALTER TABLE flag_events DROP CONSTRAINT flag_events_kind_check`);
    await q.query(`
      ALTER TABLE flag_events ADD CONSTRAINT flag_events_kind_check CHECK (kind IN (
        'raised', 'acknowledged', 'assigned', 'note', 'resolved', 'reopened',
        'evidence_added', 'priority_raised', 'escalated', 'extra_check_in_requested', 'assessed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE flag_events DROP CONSTRAINT flag_events_kind_check`);
    await q.query(`ALTER TABLE flag_events ADD CONSTRAINT flag_events_kind_check CHECK (kind IN ('raised', 'acknowledged', 'assigned', 'note', 'resolved', 'reopened'))`);
    await q.query(`ALTER TABLE treatments DROP COLUMN formula`);
    await q.query(`ALTER TABLE treatments DROP COLUMN technique`);
    await q.query(`ALTER TABLE protocols DROP COLUMN expected_course`);
  }
}
