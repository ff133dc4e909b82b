import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A channel with no transport is 'off': a message that still reaches it is recorded as failed
 * there. A clinic without an SMS sender is told once (when), and the dev outbox is listed per clinic.
 */
export class ChannelsOff1767200000000 implements MigrationInterface {
  name = 'ChannelsOff1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP CONSTRAINT messages_transport_check`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_transport_check CHECK (transport IN ('smtp', 'twilio', 'outbox', 'off'))`);
    await q.query(`ALTER TABLE clinics ADD COLUMN sms_sender_notice_at timestamptz`);
    await q.query(`CREATE INDEX messages_outbox_idx ON messages (clinic_id, created_at DESC) WHERE transport = 'outbox' AND direction = 'out'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_outbox_idx`);
    await q.query(`ALTER TABLE clinics DROP COLUMN sms_sender_notice_at`);
    await q.query(`UPDATE messages SET transport = 'outbox' WHERE transport = 'off'`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT messages_transport_check`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_transport_check CHECK (transport IN ('smtp', 'twilio', 'outbox'))`);
  }
}
