import { MigrationInterface, QueryRunner } from 'typeorm';

/** The follow-up loop's tables. Read and edited by hand: plain SQL both ways. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE clinics (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        time_zone text NOT NULL,
        phone text,
        sms_from text,
        email_from text,
        send_window_start time NOT NULL DEFAULT '09:00',
        send_window_end time NOT NULL DEFAULT '20:00',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE staff_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('practitioner', 'compliance', 'admin')),
        phone text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX staff_users_email_key ON staff_users (lower(email))`);
    await q.query(`CREATE INDEX staff_users_clinic_idx ON staff_users (clinic_id, role)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_by uuid REFERENCES staff_users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_one_per_integration ON api_keys (clinic_id, lower(name)) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE patients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        external_ref text,
        given_name text NOT NULL,
        family_name text NOT NULL,
        email text,
        phone text,
        time_zone text,
        locale text NOT NULL DEFAULT 'en',
        preferred_channel text NOT NULL CHECK (preferred_channel IN ('sms', 'email')),
        sms_consent_at timestamptz,
        sms_consent_source text,
        sms_opted_out_at timestamptz,
        email_consent_at timestamptz,
        email_consent_source text,
        email_opted_out_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX patients_external_ref_key ON patients (clinic_id, external_ref) WHERE external_ref IS NOT NULL`);
    await q.query(`CREATE INDEX patients_phone_idx ON patients (phone)`);

    await q.query(`
      CREATE TABLE protocols (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid REFERENCES clinics(id),
        key text NOT NULL,
        version int NOT NULL,
        name text NOT NULL,
        day_offsets int[] NOT NULL,
        send_time time NOT NULL,
        expiry_hours int NOT NULL,
        reminder_after_hours int,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (clinic_id, key, version)
      )`);
    await q.query(`
      INSERT INTO protocols (clinic_id, key, version, name, day_offsets, send_time, expiry_hours, reminder_after_hours)
      VALUES (NULL, 'default', 1, 'Default follow-up', '{1,3,7,14,30,60}', '10:00', 48, 24)`);

    await q.query(`
      CREATE TABLE treatments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        practitioner_id uuid REFERENCES staff_users(id),
        external_ref text,
        procedure text NOT NULL,
        indication text NOT NULL,
        body_areas text[] NOT NULL,
        product text NOT NULL,
        lot_number text,
        performed_at timestamptz NOT NULL,
        protocol_id uuid NOT NULL REFERENCES protocols(id),
        protocol_version int NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
        cancelled_at timestamptz,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX treatments_patient_idx ON treatments (patient_id, performed_at DESC)`);

    await q.query(`
      CREATE TABLE check_ins (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        treatment_id uuid NOT NULL REFERENCES treatments(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        step int NOT NULL,
        day_offset int NOT NULL,
        due_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        remind_at timestamptz,
        status text NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'answered', 'expired', 'cancelled', 'failed')),
        channel text CHECK (channel IN ('sms', 'email')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_owner text,
        lease_expires_at timestamptz,
        sent_at timestamptz,
        reminder_sent_at timestamptz,
        answered_at timestamptz,
        clarifications_sent int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (treatment_id, step)
      )`);
    // The dispatcher's queue: only rows still waiting are indexed.
    await q.query(`CREATE INDEX check_ins_due_idx ON check_ins (next_attempt_at) WHERE status IN ('scheduled', 'sending')`);
    await q.query(`CREATE INDEX check_ins_open_idx ON check_ins (patient_id, sent_at DESC) WHERE status = 'sent'`);
    await q.query(`CREATE INDEX check_ins_remind_idx ON check_ins (remind_at) WHERE status = 'sent' AND reminder_sent_at IS NULL`);
    await q.query(`CREATE INDEX check_ins_expiry_idx ON check_ins (expires_at) WHERE status IN ('scheduled', 'sent')`);

    // Each message sent for a check-in carries its own link; all die with the check-in.
    await q.query(`
      CREATE TABLE check_in_tokens (
        token_hash bytea PRIMARY KEY,
        check_in_id uuid NOT NULL REFERENCES check_ins(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX check_in_tokens_check_in_idx ON check_in_tokens (check_in_id)`);

    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid REFERENCES patients(id),
        staff_user_id uuid REFERENCES staff_users(id),
        check_in_id uuid REFERENCES check_ins(id),
        direction text NOT NULL CHECK (direction IN ('out', 'in')),
        channel text NOT NULL CHECK (channel IN ('sms', 'email')),
        transport text NOT NULL CHECK (transport IN ('smtp', 'twilio', 'outbox')),
        purpose text NOT NULL,
        to_address text NOT NULL,
        from_address text,
        subject text,
        body text NOT NULL,
        html text,
        provider_id text UNIQUE,
        status text NOT NULL,
        error_code text,
        error_message text,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX messages_queue_idx ON messages (next_attempt_at) WHERE status IN ('queued', 'sending')`);
    await q.query(`CREATE INDEX messages_patient_idx ON messages (patient_id, created_at)`);

    await q.query(`
      CREATE TABLE responses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        treatment_id uuid NOT NULL REFERENCES treatments(id),
        check_in_id uuid REFERENCES check_ins(id),
        message_id uuid REFERENCES messages(id),
        source text NOT NULL CHECK (source IN ('form', 'sms')),
        bruising smallint CHECK (bruising BETWEEN 0 AND 4),
        redness smallint CHECK (redness BETWEEN 0 AND 4),
        itching smallint CHECK (itching BETWEEN 0 AND 4),
        burning smallint CHECK (burning BETWEEN 0 AND 4),
        pain smallint CHECK (pain BETWEEN 0 AND 4),
        warning_signs text[] NOT NULL DEFAULT '{}',
        free_text text,
        raw_text text,
        day_since_treatment int NOT NULL,
        received_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX responses_patient_idx ON responses (patient_id, received_at)`);
    await q.query(`CREATE UNIQUE INDEX responses_one_per_check_in ON responses (check_in_id) WHERE check_in_id IS NOT NULL AND bruising IS NOT NULL`);

    await q.query(`
      CREATE TABLE flags (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL REFERENCES patients(id),
        treatment_id uuid REFERENCES treatments(id),
        response_id uuid REFERENCES responses(id),
        message_id uuid REFERENCES messages(id),
        rule_id text NOT NULL,
        rule_version int NOT NULL,
        priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
        reason text NOT NULL,
        evidence jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        assignee_id uuid REFERENCES staff_users(id),
        acknowledged_at timestamptz,
        acknowledged_by uuid REFERENCES staff_users(id),
        resolved_at timestamptz,
        resolved_by uuid REFERENCES staff_users(id),
        outcome text CHECK (outcome IN ('no_action_needed', 'advice_given', 'seen_in_clinic', 'referred', 'reported_to_authority')),
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX flags_queue_idx ON flags (clinic_id, status, priority, created_at DESC)`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigserial PRIMARY KEY,
        clinic_id uuid REFERENCES clinics(id),
        clinic_seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('staff', 'integration', 'patient', 'system', 'provider')),
        actor_id text,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        data jsonb NOT NULL DEFAULT '{}',
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE NULLS NOT DISTINCT (clinic_id, clinic_seq)
      )`);
    await q.query(`CREATE INDEX audit_events_clinic_idx ON audit_events (clinic_id, clinic_seq)`);

    // Answers and the audit log are written once: the database refuses edits for every role.
    await q.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'responses']) {
      await q.query(`CREATE TRIGGER ${table}_no_update_delete BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'flags',
      'responses',
      'messages',
      'check_in_tokens',
      'check_ins',
      'treatments',
      'protocols',
      'patients',
      'api_keys',
      'staff_users',
      'clinics',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS refuse_change()`);
  }
}
