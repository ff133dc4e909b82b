export default async function globalTeardown() {
  const pg = globalThis.__AFTERCARE_PG__;
  if (pg) await pg.stop();
}
