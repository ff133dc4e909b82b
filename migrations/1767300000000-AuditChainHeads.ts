import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per audit chain holding its head (last sequence number and hash). Appending locks
 * this row (FOR NO KEY UPDATE), chains the new events onto it, inserts them and moves the row
 * forward, all in the change's transaction: the cost of an append no longer depends on how
 * many events the database holds (it used to look the head up with `IS NOT DISTINCT FROM`,
 * which no index serves). A clinic's chain is keyed by the clinic's id; the platform chain
 * (events with no clinic, clinic_id NULL) by the nil UUID, so every chain has a non-null key.
 *
 * The service role may insert a head and move it (seq, hash); a trigger refuses, to every role,
 * moving a head backwards, changing it at the same sequence number, re-keying it, deleting it
 * or truncating the table. The head is also a witness for verification: events missing below
 * it are a cut, even without a checkpoint.
 */
export class AuditChainHeads1767300000000 implements MigrationInterface {
  name = 'AuditChainHeads1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain_heads (
        chain_id uuid PRIMARY KEY,
        clinic_id uuid REFERENCES clinics(id),
        seq bigint NOT NULL CHECK (seq >= 0),
        hash text NOT NULL,
        CHECK (chain_id = coalesce(clinic_id, '00000000-0000-0000-0000-000000000000'::uuid))
      )`);
    // Backfill: each chain's newest event (DISTINCT ON groups the NULL clinic's events together).
    await q.query(`
      INSERT INTO audit_chain_heads (chain_id, clinic_id, seq, hash)
      SELECT DISTINCT ON (clinic_id) coalesce(clinic_id, '00000000-0000-0000-0000-000000000000'::uuid), clinic_id, clinic_seq, hash
        FROM audit_events ORDER BY clinic_id, clinic_seq DESC`);
    await q.query(`
      CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.chain_id = OLD.chain_id AND NEW.clinic_id IS NOT DISTINCT FROM OLD.clinic_id
           AND (NEW.seq > OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% on % is not allowed: an audit chain head only moves forward', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_chain_heads_forward_only BEFORE UPDATE OR DELETE ON audit_chain_heads FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only()`);
    await q.query(`CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    // The default privileges gave the service role everything: it keeps read, insert (a chain's
    // first append) and moving seq and hash; the auditor reads.
    await q.query(`REVOKE ALL ON audit_chain_heads FROM aftercare_app`);
    await q.query(`GRANT SELECT, INSERT ON audit_chain_heads TO aftercare_app`);
    await q.query(`GRANT UPDATE (seq, hash) ON audit_chain_heads TO aftercare_app`);
    await q.query(`GRANT SELECT ON audit_chain_heads TO aftercare_auditor`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_chain_heads`);
    await q.query(`DROP FUNCTION IF EXISTS audit_chain_head_forward_only()`);
  }
}
