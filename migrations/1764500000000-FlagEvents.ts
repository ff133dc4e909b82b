import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each flag's history: raised, assigned, notes, acknowledged, resolved, reopened. Append-only. */
export class FlagEvents1764500000000 implements MigrationInterface {
  name = 'FlagEvents1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE flag_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        flag_id uuid NOT NULL REFERENCES flags(id),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        at timestamptz NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('staff', 'integration', 'patient', 'system', 'provider')),
        actor_id text,
        kind text NOT NULL CHECK (kind IN ('raised', 'acknowledged', 'assigned', 'note', 'resolved', 'reopened')),
        data jsonb NOT NULL DEFAULT '{}',
        seq bigserial NOT NULL
      )`);
    await q.query(`CREATE INDEX flag_events_flag_idx ON flag_events (flag_id, at, seq)`);
    await q.query(`CREATE INDEX flag_events_clinic_idx ON flag_events (clinic_id)`);
    await q.query(`CREATE TRIGGER flag_events_no_update_delete BEFORE UPDATE OR DELETE ON flag_events FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER flag_events_no_truncate BEFORE TRUNCATE ON flag_events FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS flag_events`);
  }
}
