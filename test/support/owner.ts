import { Client } from 'pg';

/**
 * A connection as the database owner (the migrations' role), not the service's restricted
 * role: for tests that seed or tamper below the service, or show what only the triggers stop.
 */
export async function asOwner<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a superuser could do: one statement with a table's guard trigger switched off. The chain must catch it. */
export function tamper(table: string, trigger: string, sql: string, params: unknown[] = []): Promise<void> {
  return asOwner(async (client) => {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
    await client.query(sql, params);
    await client.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    await client.query('COMMIT');
  });
}
