import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sessions for staff (an opaque cookie whose hash is stored, not a JWT), and what the
 * staff lifecycle needs: a password that must be changed at next sign-in, the last sign-in, and a
 * token version that every bearer JWT carries: bumping it (deactivation, role or password change)
 * makes the person's tokens stop working at once.
 */
export class StaffSessions1767100000001 implements MigrationInterface {
  name = 'StaffSessions1767100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE staff_users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE staff_users ADD COLUMN last_sign_in_at timestamptz`);
    await q.query(`
      CREATE TABLE staff_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL UNIQUE,
        staff_id uuid NOT NULL REFERENCES staff_users(id),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        ended_at timestamptz,
        end_reason text
      )`);
    await q.query(`CREATE INDEX staff_sessions_open_idx ON staff_sessions (staff_id) WHERE ended_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE staff_sessions`);
    await q.query(`ALTER TABLE staff_users DROP COLUMN last_sign_in_at`);
    await q.query(`ALTER TABLE staff_users DROP COLUMN token_version`);
    await q.query(`ALTER TABLE staff_users DROP COLUMN must_change_password`);
  }
}
