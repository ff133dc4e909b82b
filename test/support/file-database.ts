import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Every test file gets its own clone of the migrated template database (a fast file copy in
 * PostgreSQL). The dispatcher works across all clinics of its database, so files must not
 * share one: a file that moves its clock and ticks would send another file's check-ins.
 * Within a file, tests share the database and stay apart by each creating its own clinic.
 * The clones are dropped by the global teardown.
 */
beforeAll(async () => {
  const template = process.env.AFTERCARE_TEST_DATABASE_URL;
  if (!template) throw new Error('AFTERCARE_TEST_DATABASE_URL is not set: run the tests through jest (global setup)');
  const url = new URL(template);
  const name = `${url.pathname.slice(1)}_f${process.env.JEST_WORKER_ID ?? '1'}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: template.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${url.pathname.slice(1)}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
});
