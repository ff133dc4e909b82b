import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { AuditService } from '../src/audit/audit.service';
import { BootstrapService } from '../src/clinics/bootstrap.service';
import { ClinicsService } from '../src/clinics/clinics.service';
import { loadConfig } from '../src/config/app-config';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newEmail, newPatient, newTreatment, TestClinic } from './support/factories';

/** Concurrency, the database's own guarantees, the audit log in nested transactions, and clinic settings. */

const newSid = () => 'SM' + randomBytes(16).toString('hex');
async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const count = async (t: TestApp, sql: string, params: unknown[] = []) => (await t.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n as number;

// First in the file: the file's own database has no clinic yet, as on a first start.
describe('the bootstrap clinic', () => {
  it('takes its phone from BOOTSTRAP_CLINIC_PHONE', async () => {
    const t = await createTestApp();
    try {
      expect(await t.get(ClinicsService).count()).toBe(0);
      const config = loadConfig({
        BOOTSTRAP_CLINIC_NAME: 'Boot Clinic',
        BOOTSTRAP_ADMIN_EMAIL: newEmail('boot'),
        BOOTSTRAP_ADMIN_PASSWORD: 'a-long-enough-password',
        BOOTSTRAP_CLINIC_PHONE: '+34911234569',
      });
      await new BootstrapService(t.get(ClinicsService), config).onApplicationBootstrap();
      expect(await t.db.query(`SELECT name, phone FROM clinics`)).toEqual([{ name: 'Boot Clinic', phone: '+34911234569' }]);
    } finally {
      await t.close();
    }
  });
});

describe('under concurrent load', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(() => t.close());

  it('takes 30 SMS replies at once without exhausting the connection pool (one connection per transaction)', async () => {
    const c = await newClinic(t);
    const treated = [];
    for (let i = 0; i < 30; i++) {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      treated.push({ patient, treatment: await newTreatment(t, c, patient.id) });
    }
    t.clock.set(new Date(treated[0].treatment.checkIns[0].dueAt));
    expect((await t.dispatcher.tick()).sent).toBe(30);

    // Each reply's transaction used to ask the pool for a second connection while holding one.
    // Every third names a warning sign, so the urgent path (staff to alert) runs under load too.
    const results = await Promise.all(
      treated.map(({ patient }, i) =>
        t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newSid(), From: patient.phone!, To: c.smsNumber, Body: i % 3 ? '1 0 1 0 1' : 'my lips are swelling' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await count(t, `responses WHERE clinic_id = $1`, [c.clinic.id])).toBe(30);
    expect(await count(t, `check_ins WHERE clinic_id = $1 AND status = 'answered'`, [c.clinic.id])).toBe(30);
    expect(await count(t, `flags WHERE clinic_id = $1 AND priority = 'urgent'`, [c.clinic.id])).toBe(10);
    // The practitioner (no rota: every practitioner) gets an SMS and an email per urgent flag.
    expect(await count(t, `messages WHERE clinic_id = $1 AND purpose = 'staff_alert'`, [c.clinic.id])).toBe(20);
  });

  it('creates one treatment for an externalRef sent three times at once: one 201, the rest 409', async () => {
    const c = await newClinic(t);
    const patient = await newPatient(t, c);
    const body = {
      patientId: patient.id,
      procedure: 'mesotherapy',
      indication: 'cellulite',
      bodyAreas: ['thighs'],
      product: 'Lipolytic cocktail A',
      externalRef: `visit-${randomBytes(4).toString('hex')}`,
      performedAt: t.clock.now().toISOString(),
    };
    // Line the three up past the service's friendly check: the patient row lock makes each INSERT
    // wait (its foreign key needs the row), so all three reach the database together.
    const blocker = new Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    let results: Response[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM patients WHERE id = $1 FOR UPDATE', [patient.id]);
      const pending = Promise.all([1, 2, 3].map(() => t.http.post('/v1/treatments').set(c.practitioner.auth).send(body).then((r) => r)));
      // Read as the owner: the service role (aftercare_app) does not see other sessions' wait events.
      await waitFor(async () => {
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await blocker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return rows[0].n === 3;
      });
      await blocker.query('COMMIT');
      results = await pending;
    } finally {
      await blocker.end();
    }
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(await count(t, `treatments WHERE clinic_id = $1`, [c.clinic.id])).toBe(1);
    expect(await count(t, `check_ins WHERE clinic_id = $1`, [c.clinic.id])).toBe(7); // days 1, 3, 7, 14, 30, 60, 90
    expect(await count(t, `audit_events WHERE clinic_id = $1 AND action = 'treatment.created'`, [c.clinic.id])).toBe(1);
  });
});

describe('the audit log in nested transactions (savepoints)', () => {
  let t: TestApp;
  let c: TestClinic;
  let audit: AuditService;
  beforeAll(async () => {
    t = await createTestApp();
    c = await newClinic(t);
    audit = t.get(AuditService);
  });
  afterAll(() => t.close());

  const entry = (action: string) => ({ clinicId: c.clinic.id, actor: { type: 'system' as const, id: null }, action, entityType: 'test' });
  const events = (action: string) => count(t, `audit_events WHERE clinic_id = $1 AND action = $2`, [c.clinic.id, action]);

  it('refuses to record inside a savepoint, with a clear error', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await m.transaction((inner) => audit.record(inner, entry('test.inside_savepoint')));
      }),
    ).rejects.toThrow(/nested transaction/);
    expect(await events('test.inside_savepoint')).toBe(0);
  });

  it("keeps the outer transaction's events when a savepoint rolls back", async () => {
    await t.db.transaction(async (m) => {
      await audit.record(m, entry('test.outer_kept'));
      await m.transaction(async () => {
        throw new Error('undo the savepoint only');
      }).catch(() => undefined);
    });
    expect(await events('test.outer_kept')).toBe(1);
  });

  it('flushes at the outer COMMIT, not when a savepoint is released', async () => {
    let seenBeforeCommit = -1;
    await t.db.transaction(async (m) => {
      await audit.record(m, entry('test.flushed_once'));
      await m.transaction(async (inner) => {
        await inner.query('SELECT 1');
      });
      [{ n: seenBeforeCommit }] = await m.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1 AND action = 'test.flushed_once'`, [c.clinic.id]);
    });
    expect(seenBeforeCommit).toBe(0);
    expect(await events('test.flushed_once')).toBe(1);
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
  });

  it('drops the events of a rolled-back outer transaction', async () => {
    await expect(
      t.db.transaction(async (m) => {
        await audit.record(m, entry('test.rolled_back'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await events('test.rolled_back')).toBe(0);
  });
});

describe('clinic settings: GET and PATCH /v1/clinic', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const clinicRow = async (c: TestClinic) => (await t.db.query(`SELECT * FROM clinics WHERE id = $1`, [c.clinic.id]))[0];
  const MG = 'MG' + 'a1'.repeat(16);

  it('settings changes and audited writes of the same clinic at once never deadlock', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    const statuses: number[] = [];
    for (let round = 0; round < 15; round++) {
      const res = await Promise.all([
        t.http.patch('/v1/clinic').set(c.admin.auth).send({ name: `Clinic round ${round}` }),
        t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ familyName: `Round${round}` }),
        t.http.patch(`/v1/patients/${p.id}`).set(c.admin.auth).send({ givenName: `Given${round}` }),
      ]);
      statuses.push(...res.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
  });

  it('lets an admin read and change their own clinic, auditing the changed field names in the same transaction', async () => {
    const c = await newClinic(t);
    const other = await newClinic(t);
    const otherBefore = await clinicRow(other);
    const before = (await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body;
    expect(before).toMatchObject({ id: c.clinic.id, name: c.clinic.name, timeZone: 'Europe/Madrid', smsFrom: c.smsNumber, sendWindowStart: '09:00', sendWindowEnd: '20:00' });

    const res = await t.http
      .patch('/v1/clinic')
      .set(c.admin.auth)
      .send({ name: 'Renamed Clinic', timeZone: 'Europe/Berlin', phone: '+34911234568', smsFrom: MG, emailFrom: 'care@clinic.test', sendWindowStart: '08:30', sendWindowEnd: '19:00' })
      .expect(200);
    expect(res.body).toMatchObject({ id: c.clinic.id, name: 'Renamed Clinic', timeZone: 'Europe/Berlin', phone: '+34911234568', smsFrom: MG, emailFrom: 'care@clinic.test', sendWindowStart: '08:30', sendWindowEnd: '19:00' });
    expect((await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body).toEqual(res.body);

    const audit = (await t.http.get('/v1/audit-events?action=clinic.updated').set(c.compliance.auth).expect(200)).body.items;
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: 'staff',
        actorId: c.admin.id,
        entityType: 'clinic',
        entityId: c.clinic.id,
        data: { fields: ['name', 'timeZone', 'phone', 'smsFrom', 'emailFrom', 'sendWindowStart', 'sendWindowEnd'], requestId: expect.any(String) },
      }),
    ]);

    // Null clears the optional ones; the same values again change nothing and record nothing.
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ phone: null, emailFrom: null }).expect(200);
    expect(await clinicRow(c)).toMatchObject({ phone: null, email_from: null, sms_from: MG });
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ name: 'Renamed Clinic', sendWindowEnd: '19:00' }).expect(200);
    const fields = (await t.http.get('/v1/audit-events?action=clinic.updated').set(c.compliance.auth).expect(200)).body.items.map(
      (e: { data: { fields: string[] } }) => e.data.fields,
    );
    expect(fields).toEqual([expect.any(Array), ['phone', 'emailFrom']]);
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
    expect(await clinicRow(other)).toEqual(otherBefore);
  });

  it('403s everyone but an admin, and changes nothing', async () => {
    const c = await newClinic(t);
    const before = await clinicRow(c);
    for (const who of [c.practitioner, c.compliance]) {
      await t.http.get('/v1/clinic').set(who.auth).expect(403);
      await t.http.patch('/v1/clinic').set(who.auth).send({ name: 'Taken over' }).expect(403);
    }
    const key = (await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: 'booking' }).expect(201)).body.key;
    await t.http.patch('/v1/clinic').set({ 'X-API-Key': key }).send({ name: 'Taken over' }).expect(403);
    expect(await clinicRow(c)).toEqual(before);
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone must be an IANA time zone'],
    [{ phone: '911234567' }, 'phone must be a valid phone number in E.164 format'],
    [{ smsFrom: 'MG1234' }, 'smsFrom must be a phone number in E.164 format or a Twilio messaging service SID'],
    [{ emailFrom: 'not-an-email' }, 'emailFrom must be an email address'],
    [{ sendWindowStart: '25:00' }, 'sendWindowStart must be a local time as HH:mm'],
    [{ sendWindowEnd: '9:00' }, 'sendWindowEnd must be a local time as HH:mm'],
    [{ sendWindowStart: '10:00', sendWindowEnd: '10:00' }, 'sendWindowStart and sendWindowEnd must differ'],
    [{ sendWindowStart: '20:00' }, 'sendWindowStart and sendWindowEnd must differ'],
    [{ name: '' }, 'name must be longer than or equal to 1 characters'],
    [{ name: null }, 'name cannot be null'],
    [{ timeZone: null }, 'timeZone cannot be null'],
    [{ sendWindowEnd: null }, 'sendWindowEnd cannot be null'],
    [{ name: 'Bad\u0000Name' }, 'Text contains a character that cannot be stored'],
    [{ id: '00000000-0000-4000-8000-000000000000' }, 'property id should not exist'],
  ])('400s %j and changes nothing', async (body, message) => {
    const c = await newClinic(t);
    const before = await clinicRow(c);
    const auditBefore = await count(t, `audit_events WHERE clinic_id = $1`, [c.clinic.id]);
    const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send(body).expect(400);
    expect([res.body.message].flat()).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    expect(await clinicRow(c)).toEqual(before);
    expect(await count(t, `audit_events WHERE clinic_id = $1`, [c.clinic.id])).toBe(auditBefore);
  });
});
