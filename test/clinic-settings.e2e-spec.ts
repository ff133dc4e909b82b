import { BootstrapService } from '../src/clinics/bootstrap.service';
import { ClinicsService } from '../src/clinics/clinics.service';
import { loadConfig } from '../src/config/app-config';
import { createTestApp, TestApp } from './support/app';
import { countRows, newClinic, newEmail, newPatient, TestClinic } from './support/factories';

/**
 * A clinic's own settings: the bootstrap clinic's from the environment, and GET and PATCH
 * /v1/clinic (admins only, validated, audited, no deadlock beside other audited writes).
 */

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
    const auditBefore = await countRows(t, `audit_events WHERE clinic_id = $1`, [c.clinic.id]);
    const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send(body).expect(400);
    expect([res.body.message].flat()).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
    expect(await clinicRow(c)).toEqual(before);
    expect(await countRows(t, `audit_events WHERE clinic_id = $1`, [c.clinic.id])).toBe(auditBefore);
  });
});
