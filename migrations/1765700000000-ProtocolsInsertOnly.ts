import { MigrationInterface, QueryRunner } from 'typeorm';

/** Protocols are never changed once written (a trigger refuses it); the service role may only add versions. */
export class ProtocolsInsertOnly1765700000000 implements MigrationInterface {
  name = 'ProtocolsInsertOnly1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON protocols FROM aftercare_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT UPDATE, DELETE ON protocols TO aftercare_app`);
  }
}
