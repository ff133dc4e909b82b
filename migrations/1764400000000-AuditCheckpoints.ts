import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed checkpoints of each clinic's audit chain; append-only like the audit log. */
export class AuditCheckpoints1764400000000 implements MigrationInterface {
  name = 'AuditCheckpoints1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        clinic_seq bigint NOT NULL,
        head_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        signature text NOT NULL,
        public_key text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_clinic_idx ON audit_checkpoints (clinic_id, created_at DESC, clinic_seq DESC)`);
    await q.query(`CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_checkpoints`);
  }
}
