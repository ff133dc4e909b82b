import { Client } from 'pg';
import { createTestApp, TestApp } from './support/app';

/**
 * With a superuser DATABASE_URL (as in the tests) the service's pool connects as aftercare_app
 * itself, so no session of the service can get the owner's powers back.
 */
describe("the service's database login", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('cannot RESET ROLE out of aftercare_app: DELETE FROM audit_events is refused by privilege', async () => {
    const qr = t.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('RESET ROLE');
      const [row] = await qr.query(`SELECT session_user AS login, current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS super`);
      expect(row).toEqual({ login: 'aftercare_app', role: 'aftercare_app', super: false });
      await expect(qr.query('DELETE FROM audit_events')).rejects.toThrow(/permission denied for table audit_events/);
      // Nor by switching the guard triggers off, or becoming the owner again.
      await expect(qr.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied/);
      await expect(qr.query(`SET SESSION AUTHORIZATION ${new URL(process.env.DATABASE_URL!).username}`)).rejects.toThrow(/permission denied/);
    } finally {
      await qr.release();
    }
  });
});

/**
 * The database going away under a running service (a restart, a failover): requests get 503
 * with Retry-After, not 500, and the service recovers by itself once the database is back.
 * Real PostgreSQL: the file's database refuses new connections and its sessions are ended.
 */
describe('database unavailable', () => {
  let t: TestApp;
  let admin: Client;
  let name: string;
  beforeAll(async () => {
    t = await createTestApp();
    const url = new URL(process.env.DATABASE_URL!);
    name = url.pathname.slice(1);
    url.pathname = '/postgres';
    admin = new Client({ connectionString: url.toString() });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await t.close();
  });

  it('answers 503 with Retry-After while the database is down, and works again once it is back', async () => {
    const login = () => t.http.post('/v1/auth/login').send({ email: 'nobody@clinic.test', password: 'not-the-password-at-all' });
    expect((await login()).status).toBe(401);
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    // Pooled sessions ended by the administrator (57P01), then connections refused.
    for (let i = 0; i < 3; i++) {
      const res = await login();
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The database is unavailable; try again shortly' });
    }
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    expect((await login()).status).toBe(401);
  });
});
