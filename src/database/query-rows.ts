import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/*
 * How SQL is written in src/ (the rule these helpers serve):
 * - Each feature's SQL lives in its repository (`<feature>.repository.ts`): raw SQL with `$n`
 *   parameters, its rows typed through queryRows/queryOne below (never the `any` of `query()`).
 *   Inserts, and updates or reads by primary key, may use TypeORM's repository API instead.
 * - Every query on clinic data takes the clinic id and filters by it. The exceptions say why
 *   beside the query: a lookup by an unguessable token or a signed link, a scheduled pass over
 *   every clinic (lease queues, escalation, expiry), a provider's callback or the SMS webhook
 *   finding whose row or which clinics' number it is.
 * - A feature reads and writes only its own tables; another feature calls its service. Read
 *   models (adverse events, signals, reports, health metrics; the triage queue's page) may JOIN
 *   other features' tables read-only inside their own repository, within the clinic, and say so.
 * - Writes only through the owner, in the caller's transaction when there is one.
 */

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

/**
 * Rows of a read that runs often with the same text (a page of the triage queue, a patient's
 * record): as a named prepared statement on each pool connection (named by the text's hash), so
 * PostgreSQL parses it once per connection and, once its generic plan is as good as the custom
 * ones, stops planning it on every call (planning was half of these statements' server time).
 * Outside a transaction only: inside one (a manager with a query runner) it runs as a plain query
 * on the transaction's connection.
 */
export async function queryPrepared<T>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const manager = 'manager' in db ? db.manager : db;
  if (manager.queryRunner) return queryRows<T>(manager, sql, params);
  const pool = (manager.connection.driver as unknown as { master: { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }> } }).master;
  let name = statementNames.get(sql);
  if (!name) {
    // A text with interpolated numbers (a page's LIMIT/OFFSET) has a few variants in practice;
    // past PREPARED_MAX distinct texts the rest run unnamed rather than grow every connection.
    if (statementNames.size >= PREPARED_MAX) return queryRows<T>(manager, sql, params);
    statementNames.set(sql, (name = `q_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  }
  return (await pool.query({ name, text: sql, values: params })).rows;
}

/** At most this many statements prepared (per connection, process-wide names). */
const PREPARED_MAX = 256;
const statementNames = new Map<string, string>();
