import { EntityManager } from 'typeorm';

/**
 * Waits for, then holds until COMMIT or ROLLBACK, the transaction-scoped advisory lock named
 * `key` (e.g. `check-in-plan:<patient id>`). Re-entrant within a transaction. The audit chain
 * has a lock of its own (AuditService.lockChain).
 */
export async function lockKey(tx: EntityManager, key: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}
