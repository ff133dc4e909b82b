import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/database/data-source';
import { freePort, startEmbeddedPostgres } from '../../src/database/embedded';

/**
 * A migrated database for a bench: DATABASE_URL's, else an embedded PostgreSQL in a temp folder
 * named from `folderPrefix`; `stop` ends the embedded one (nothing for DATABASE_URL's).
 */
export async function benchDatabase(folderPrefix: string): Promise<{ url: string; stop: () => Promise<void> }> {
  let url = process.env.DATABASE_URL;
  let stop: () => Promise<void> = async () => undefined;
  if (!url) {
    const db = await startEmbeddedPostgres({ dataDir: mkdtempSync(path.join(os.tmpdir(), folderPrefix)), port: await freePort(), persistent: false });
    url = db.url;
    stop = db.stop;
  }
  const migrate = await createDataSource(url).initialize();
  await migrate.runMigrations();
  await migrate.destroy();
  return { url, stop };
}

/**
 * The service's configuration for a bench on `url` (with `env` over the process's): migrations
 * already run, no bootstrap, and no timer of its own (dispatch, escalation, checkpoints, signals),
 * so the bench decides what runs when.
 */
export function benchConfig(url: string, env: Record<string, string> = {}) {
  return {
    ...loadConfig({ ...process.env, DATABASE_URL: url, ...env }),
    migrationsRun: false,
    dispatchIntervalMs: 0,
    escalationIntervalMs: 0,
    auditCheckpointIntervalMs: 0,
    signalIntervalMs: 0,
    bootstrapOnStart: false,
  };
}

/** A fresh database for the seed: DATABASE_URL must name a bench database (aftercare_bench_…), which is dropped and created again. */
export async function freshDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^aftercare_bench_\w+$/.test(name)) throw new Error(`DATABASE_URL must name a bench database (aftercare_bench_…), dropped and seeded again by this bench; got "${name}"`);
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}
