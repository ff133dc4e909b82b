import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every instance: one row per bucket (e.g. a client address on the
 * patient form, an account and address at sign-in), a fixed window, an optional block, and the
 * time after which the row means nothing and may be pruned.
 */
export class RateLimits1767100000000 implements MigrationInterface {
  name = 'RateLimits1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limits (
        bucket text PRIMARY KEY,
        count integer NOT NULL,
        window_ends_at timestamptz NOT NULL,
        blocked_until timestamptz,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
  }
}
