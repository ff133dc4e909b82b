import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * check_in_tokens was the one table of clinic data without clinic_id (issue 9, "every table
 * carries clinic_id"): a distributed PostgreSQL (Citus, by clinic_id) could not co-locate a
 * token with its check-in. Backfilled from the check-in; written by CheckInTokens.issue.
 * Lookups stay by token hash (the token is the credential).
 */
export class CheckInTokensClinic1768700000000 implements MigrationInterface {
  name = 'CheckInTokensClinic1768700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_in_tokens ADD COLUMN clinic_id uuid REFERENCES clinics(id)`);
    await q.query(`UPDATE check_in_tokens k SET clinic_id = ci.clinic_id FROM check_ins ci WHERE ci.id = k.check_in_id`);
    await q.query(`ALTER TABLE check_in_tokens ALTER COLUMN clinic_id SET NOT NULL`);
    await q.query(`DROP INDEX check_in_tokens_check_in_idx`);
    await q.query(`CREATE INDEX check_in_tokens_check_in_idx ON check_in_tokens (clinic_id, check_in_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX check_in_tokens_check_in_idx`);
    await q.query(`CREATE INDEX check_in_tokens_check_in_idx ON check_in_tokens (check_in_id)`);
    await q.query(`ALTER TABLE check_in_tokens DROP COLUMN clinic_id`);
  }
}
