import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The service runs as `aftercare_app`: it may insert and read the append-only tables but the
 * database refuses it UPDATE, DELETE and TRUNCATE there (the triggers refuse them to every
 * role as well, owners and superusers included). `aftercare_auditor` reads everything and
 * changes nothing. Roles are cluster-wide, so they are created only when missing; privileges
 * are per database. Default privileges grant the same to tables that later migrations create.
 *
 * Also: each audit event's values (before/after of changed fields, a reason) sit in a
 * redactable payload beside the event; the event carries the payload's SHA-256 digest, which
 * the chain covers. Erasure may blank a payload once (never change it or bring it back).
 */
export class DatabaseRoles1765500000000 implements MigrationInterface {
  name = 'DatabaseRoles1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aftercare_app') THEN
          BEGIN CREATE ROLE aftercare_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aftercare_auditor') THEN
          BEGIN CREATE ROLE aftercare_auditor NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END;
        END IF;
        -- A non-superuser owner (managed PostgreSQL) must be a member to SET ROLE and to grant it on.
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          BEGIN
            EXECUTE format('GRANT aftercare_app, aftercare_auditor TO %I', current_user);
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'could not grant aftercare_app to %: %', current_user, SQLERRM;
          END;
        END IF;
      END $$`);

    await q.query(`ALTER TABLE audit_events ADD COLUMN payload_digest text`);
    await q.query(`
      CREATE TABLE audit_event_payloads (
        -- No foreign key: verification, not a constraint, is what reports an event that went missing.
        event_seq bigint PRIMARY KEY,
        clinic_id uuid REFERENCES clinics(id),
        digest text NOT NULL,
        payload jsonb,
        redacted_at timestamptz,
        redaction_reason text,
        CHECK ((payload IS NULL) = (redacted_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE FUNCTION refuse_payload_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE'
           AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.payload IS NULL
           AND NEW.event_seq = OLD.event_seq AND NEW.digest = OLD.digest
           AND NEW.clinic_id IS NOT DISTINCT FROM OLD.clinic_id THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% on % is not allowed: a payload can only be redacted, once', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_event_payloads_redact_only BEFORE UPDATE OR DELETE ON audit_event_payloads FOR EACH ROW EXECUTE FUNCTION refuse_payload_change()`);
    await q.query(`CREATE TRIGGER audit_event_payloads_no_truncate BEFORE TRUNCATE ON audit_event_payloads FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    // Patients' rights: erasure (pseudonym) and a legal hold that refuses it.
    await q.query(`ALTER TABLE patients ADD COLUMN erased_at timestamptz`);
    await q.query(`ALTER TABLE patients ADD COLUMN legal_hold_at timestamptz`);
    await q.query(`ALTER TABLE patients ADD COLUMN legal_hold_reason text`);

    await q.query(`GRANT USAGE ON SCHEMA public TO aftercare_app, aftercare_auditor`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aftercare_app`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO aftercare_app`);
    await q.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO aftercare_auditor`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO aftercare_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO aftercare_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO aftercare_auditor`);
    // Written once: the service may add and read, never change or remove.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints, flag_events, responses FROM aftercare_app`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migrations FROM aftercare_app`);
    // A payload may only be redacted (the trigger checks how).
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_event_payloads FROM aftercare_app`);
    await q.query(`GRANT UPDATE (payload, redacted_at, redaction_reason) ON audit_event_payloads TO aftercare_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM aftercare_app, aftercare_auditor`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM aftercare_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM aftercare_app, aftercare_auditor`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM aftercare_app`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM aftercare_app, aftercare_auditor`);
    await q.query(`ALTER TABLE patients DROP COLUMN legal_hold_reason`);
    await q.query(`ALTER TABLE patients DROP COLUMN legal_hold_at`);
    await q.query(`ALTER TABLE patients DROP COLUMN erased_at`);
    await q.query(`DROP TABLE IF EXISTS audit_event_payloads`);
    await q.query(`DROP FUNCTION IF EXISTS refuse_payload_change()`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN payload_digest`);
    // The roles stay: they are cluster-wide and other databases may use them.
  }
}
