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
