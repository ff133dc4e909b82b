import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One unresolved (open or acknowledged) flag per treatment and rule: new evidence joins that
 * flag (FlagsService.raise, under a per-treatment advisory lock); this index makes sure of it.
 * A database that already holds duplicates stops here with the count, rather than having
 * flags resolved or merged behind the practitioners' backs: resolve the extras, then rerun.
 */
export class OneOpenFlagPerRule1765200000000 implements MigrationInterface {
  name = 'OneOpenFlagPerRule1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE duplicates int;
      BEGIN
        SELECT count(*) INTO duplicates FROM (
          SELECT treatment_id, rule_id FROM flags
          WHERE status <> 'resolved' AND treatment_id IS NOT NULL
          GROUP BY treatment_id, rule_id HAVING count(*) > 1
        ) d;
        IF duplicates > 0 THEN
          RAISE EXCEPTION 'OneOpenFlagPerRule: % (treatment, rule) pairs have more than one unresolved flag; resolve the extra flags first', duplicates;
        END IF;
      END $$`);
    await q.query(`
      CREATE UNIQUE INDEX flags_one_open_per_treatment_rule ON flags (treatment_id, rule_id)
      WHERE status <> 'resolved' AND treatment_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX flags_one_open_per_treatment_rule`);
  }
}
