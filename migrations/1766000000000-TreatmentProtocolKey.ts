import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A treatment records its protocol's key: sessions form a course only with sessions of the same
 * procedure and protocol key (a scalp treatment does not end a body course's follow-up).
 */
export class TreatmentProtocolKey1766000000000 implements MigrationInterface {
  name = 'TreatmentProtocolKey1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE treatments ADD COLUMN protocol_key text`);
    await q.query(`UPDATE treatments t SET protocol_key = p.key FROM protocols p WHERE p.id = t.protocol_id`);
    await q.query(`ALTER TABLE treatments ALTER COLUMN protocol_key SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE treatments DROP COLUMN protocol_key`);
  }
}
