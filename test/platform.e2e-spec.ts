import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newEmail, newPatient, newTreatment, NO_WARNING_SIGNS } from './support/factories';

// These tests start the CLI as a child process (ts-node loads the whole app): generous on a busy machine.
jest.setTimeout(180_000);

const run = promisify(execFile);

describe('platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The docs are off by default beside DATABASE_URL (test/operate.e2e-spec.ts); this app turns them on.
    t = await createTestApp({ env: { API_DOCS: 'true' } });
  });
  afterAll(() => t.close());

  it('reports health with the database, and serves the OpenAPI document', async () => {
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', database: 'up', channels: { email: 'smtp', sms: 'twilio' } });
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/login', '/v1/patients', '/v1/treatments', '/v1/flags', '/v1/flags/{id}/resolve', '/v1/audit-events', '/health']),
    );
    await t.http.get('/docs').expect(200);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on the audit log and on answers, for every role', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const link = linkIn(t.smtp.to(p.email!)[0].parsed.text!);
    await t.http.post(link).type('form').send({ bruising: '1', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS }).expect(200);
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const [{ seq }] = (await client.query(`SELECT seq FROM audit_events WHERE clinic_id = $1 LIMIT 1`, [c.clinic.id])).rows;
      await expect(client.query(`UPDATE audit_events SET action = 'x' WHERE seq = $1`, [seq])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_events WHERE seq = $1`, [seq])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_events CASCADE`)).rejects.toThrow(/append-only/);
      await expect(client.query(`UPDATE responses SET pain = 0 WHERE patient_id = $1`, [p.id])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM responses WHERE patient_id = $1`, [p.id])).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
  });

  it('names a broken chain link by its sequence number', async () => {
    const c = await newClinic(t);
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      // A superuser who disables the trigger can still alter a row; verification must notice.
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
      await client.query(`UPDATE audit_events SET data = '{"role":"compliance"}' WHERE clinic_id = $1 AND clinic_seq = 3`, [c.clinic.id]);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const report = (await t.http.get('/v1/audit-events/verify').set(c.admin.auth).expect(200)).body;
    // The count is the whole chain's, not where the walk stopped.
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]);
    expect(report).toMatchObject({ ok: false, status: 'broken', brokenAt: '3', reason: 'altered', count: n });
  });
});

describe('a first run without SMTP or Twilio', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ outboxOnly: true, start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  it('keeps messages in the dev outbox and shows them, so the loop can be seen without accounts', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Olivia' });
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    expect((await t.dispatcher.tick()).sent).toBe(1);
    expect(t.smtp.received).toHaveLength(0);
    // The clinic's admin sees it (test/channels.e2e-spec.ts covers who may not).
    const outbox = (await t.http.get('/v1/dev/outbox').set(c.admin.auth).expect(200)).body;
    expect(outbox.items).toEqual([expect.objectContaining({ to: p.email, text: expect.stringContaining('Hello Olivia') })]);
    // The link in the outbox works like a real one.
    const link = linkIn(outbox.items[0].text);
    await t.http.post(link).type('form').send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS }).expect(200);
    // Without a Twilio auth token, no webhook can be verified: all are refused.
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SMx', From: '+34600000000', To: '+34600000001', Body: '0' }, { signature: 'anything' }).expect(403);
  });
});

describe('the CLI', () => {
  it('creates a clinic with its first admin, who can then log in', async () => {
    const root = path.resolve(__dirname, '..');
    const email = newEmail('cli-admin');
    const mg = 'MG' + '0f'.repeat(16);
    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'clinic:create', '--name', 'North Clinic', '--admin-email', email, '--admin-password', 'a-long-enough-password', '--time-zone', 'Europe/Berlin', '--phone', '+34911234567', '--sms-from', mg],
      { cwd: root, env: { ...process.env } },
    );
    expect(stdout).toContain(`Created clinic North Clinic`);
    const t = await createTestApp();
    try {
      const res = await t.http.post('/v1/auth/login').send({ email, password: 'a-long-enough-password' }).expect(200);
      const staff = await t.http.get('/v1/staff').set({ Authorization: `Bearer ${res.body.accessToken}` }).expect(200);
      expect(staff.body.items).toEqual([expect.objectContaining({ email, role: 'admin' })]);
      const clinic = await t.http.get('/v1/clinic').set({ Authorization: `Bearer ${res.body.accessToken}` }).expect(200);
      expect(clinic.body).toMatchObject({ name: 'North Clinic', timeZone: 'Europe/Berlin', phone: '+34911234567', smsFrom: mg });
    } finally {
      await t.close();
    }
  });

  it('refuses an SMS sender that is neither a number nor a messaging service, creating nothing', async () => {
    const root = path.resolve(__dirname, '..');
    const email = newEmail('cli-bad');
    await expect(
      run(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'clinic:create', '--name', 'Bad', '--admin-email', email, '--admin-password', 'a-long-enough-password', '--sms-from', 'MG123'],
        { cwd: root, env: { ...process.env } },
      ),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('The SMS sender must be an E.164 number or a messaging service SID') });
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      expect((await client.query(`SELECT count(*)::int AS n FROM staff_users WHERE email = $1`, [email])).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses a missing option with a usage message', async () => {
    const root = path.resolve(__dirname, '..');
    await expect(
      run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'clinic:create', '--name', 'X'], { cwd: root, env: { ...process.env } }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--admin-email') });
  });
});
