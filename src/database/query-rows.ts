import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of a raw query. TypeORM answers UPDATE/DELETE … RETURNING with `[rows, count]` and
 * everything else with plain rows; callers want rows either way.
 */
export async function queryRows<T>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** The first row of a raw query, or undefined when there is none. */
export async function queryOne<T>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T | undefined> {
  const [row] = await queryRows<T>(db, sql, params);
  return row;
}
