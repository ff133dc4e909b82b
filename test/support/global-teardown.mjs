export default async function globalTeardown() {
  const dbs = globalThis.__AFTERCARE_TEST_DBS__;
  const pg = globalThis.__AFTERCARE_PG__;
  if (pg) {
    await pg.stop();
    return;
  }
  // A server given by DATABASE_URL keeps running: drop what this run created.
  if (dbs) {
    const { default: pgLib } = await import('pg');
    const admin = new pgLib.Client({ connectionString: dbs.url });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC`, [`${dbs.base}%`]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
