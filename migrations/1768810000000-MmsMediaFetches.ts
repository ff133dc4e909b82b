import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MMS media intake as a queued job (issue 9): the Twilio webhook no longer fetches a patient's
 * MMS photos inside its request; it queues one row per medium in the transaction that stores
 * the text (so a retried webhook, stored once by MessageSid, queues nothing twice), and
 * MmsIntake fetches them through the lease queue (src/database/lease-queue.ts), with retries,
 * into the photo store. Keyed (clinic_id, id) from the start: the Citus-ready key.
 */
export class MmsMediaFetches1768810000000 implements MigrationInterface {
  name = 'MmsMediaFetches1768810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mms_media_fetches (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinics(id),
        patient_id uuid NOT NULL,
        message_id uuid NOT NULL,
        response_id uuid,
        position smallint NOT NULL CHECK (position BETWEEN 1 AND 3),
        url text NOT NULL,
        content_type text,
        status text NOT NULL CHECK (status IN ('waiting', 'sending', 'stored', 'refused')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_expires_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (clinic_id, id)
      )`);
    await q.query(`CREATE INDEX mms_media_fetches_id_idx ON mms_media_fetches (id)`);
    await q.query(`CREATE INDEX mms_media_fetches_due_idx ON mms_media_fetches (next_attempt_at) WHERE status IN ('waiting', 'sending')`);
    await q.query(`CREATE INDEX mms_media_fetches_patient_idx ON mms_media_fetches (clinic_id, patient_id)`);
    await q.query(`REVOKE ALL ON mms_media_fetches FROM aftercare_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON mms_media_fetches TO aftercare_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mms_media_fetches`);
  }
}
