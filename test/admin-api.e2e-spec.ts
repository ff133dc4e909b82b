import { DEFAULT_EXPECTED_COURSE } from '../src/protocols/expected-course';
import { EscalationService } from '../src/flags/escalation.service';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

const MINUTE = 60_000;

/** The API behind the console's admin pages: clinic escalation delays, protocol usage, API keys. */
describe('admin API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  const auditOf = async (c: TestClinic, entityId: string) =>
    (await t.http.get(`/v1/audit-events?entityId=${entityId}`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: Record<string, unknown>; changes: unknown }>;

  describe('clinic escalation delays', () => {
    it('shows the service defaults, takes the clinic its own delays, audits before and after, and clears them with null', async () => {
      const c = await newClinic(t);
      const before = (await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body;
      expect(before).toMatchObject({ escalateUrgentAfterMinutes: null, escalateHighAfterHours: null, escalationDefaults: { urgentAfterMinutes: 30, highAfterHours: 24 } });

      const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send({ escalateUrgentAfterMinutes: 10, escalateHighAfterHours: 8 }).expect(200);
      expect(res.body).toMatchObject({ escalateUrgentAfterMinutes: 10, escalateHighAfterHours: 8 });
      const events = (await auditOf(c, c.clinic.id)).filter((e) => e.action === 'clinic.updated');
      expect(events.at(-1)).toMatchObject({
        data: { fields: ['escalateUrgentAfterMinutes', 'escalateHighAfterHours'] },
        changes: { escalateUrgentAfterMinutes: { from: null, to: 10 }, escalateHighAfterHours: { from: null, to: 8 } },
      });

      await t.http.patch('/v1/clinic').set(c.admin.auth).send({ escalateUrgentAfterMinutes: null }).expect(200);
      expect((await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body).toMatchObject({ escalateUrgentAfterMinutes: null, escalateHighAfterHours: 8 });
    });

    it('refuses delays out of range with a message that starts with the field', async () => {
      const c = await newClinic(t);
      const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send({ escalateUrgentAfterMinutes: 0, escalateHighAfterHours: 1.5 }).expect(400);
      expect(res.body.message).toEqual(
        expect.arrayContaining([
          'escalateUrgentAfterMinutes must be from 1 to 1440 minutes (24 hours)',
          'escalateHighAfterHours must be a whole number of hours',
        ]),
      );
      await t.http.patch('/v1/clinic').set(c.practitioner.auth).send({ escalateUrgentAfterMinutes: 5 }).expect(403);
      await t.http.patch('/v1/clinic').set(c.compliance.auth).send({ escalateUrgentAfterMinutes: 5 }).expect(403);
    });

    it("escalates an urgent flag after the clinic's own delay, while another clinic keeps the default", async () => {
      const quick = await newClinic(t);
      const usual = await newClinic(t);
      await t.http.patch('/v1/clinic').set(quick.admin.auth).send({ escalateUrgentAfterMinutes: 5 }).expect(200);
      t.clock.set('2026-03-02T08:00:00Z');
      const flags: Record<string, string> = {};
      const patients = [];
      for (const c of [quick, usual]) {
        const p = await newPatient(t, c, { preferredChannel: 'email' });
        await newTreatment(t, c, p.id);
        patients.push({ c, p });
      }
      t.clock.set('2026-03-03T09:00:00Z');
      await t.dispatcher.tick();
      for (const { c, p } of patients) {
        const link = linkIn(t.smtp.to(p.email!).at(-1)!.parsed.text!);
        await t.http
          .post(link)
          .type('form')
          .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, ws_airway_swelling: 'yes', free_text: '' })
          .expect(200);
        const items = (await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; priority: string }>;
        flags[c.clinic.id] = items.find((f) => f.patientId === p.id && f.priority === 'urgent')!.id;
      }
      const escalated = async (c: TestClinic) =>
        ((await t.http.get(`/v1/flags/${flags[c.clinic.id]}`).set(c.practitioner.auth).expect(200)).body.history as Array<{ kind: string }>).filter((e) => e.kind === 'escalated').length;
      t.clock.advance(4 * MINUTE);
      await t.get(EscalationService).tick();
      expect([await escalated(quick), await escalated(usual)]).toEqual([0, 0]);
      t.clock.advance(2 * MINUTE);
      await t.get(EscalationService).tick();
      expect([await escalated(quick), await escalated(usual)]).toEqual([1, 0]);
      t.clock.advance(25 * MINUTE);
      await t.get(EscalationService).tick();
      expect([await escalated(quick), await escalated(usual)]).toEqual([1, 1]);
    });
  });

  describe('protocol usage', () => {
    it('counts the treatments, active ones and patients of each version, for the own clinic only', async () => {
      t.clock.set('2026-03-02T08:00:00Z');
      const c = await newClinic(t);
      const other = await newClinic(t);
      const p1 = await newPatient(t, c);
      const p2 = await newPatient(t, c);
      const first = await newTreatment(t, c, p1.id, { protocolKey: 'body' });
      await newTreatment(t, c, p2.id, { protocolKey: 'body' });
      const v2 = (
        await t.http
          .put('/v1/protocols/body')
          .set(c.admin.auth)
          .send({ name: 'Body, shorter', dayOffsets: [1, 7, 30], sendTime: '10:00', expiryHours: 48, reminderAfterHours: 24, expectedCourse: DEFAULT_EXPECTED_COURSE })
          .expect(200)
      ).body;
      t.clock.advance(60 * MINUTE);
      await newTreatment(t, c, p1.id, { protocolKey: 'body', bodyAreas: ['abdomen'] });
      await t.http.post(`/v1/treatments/${first.id}/cancel`).set(c.practitioner.auth).send({ reason: 'Recorded twice' }).expect((r) => expect([200, 201]).toContain(r.status));

      const { items } = (await t.http.get('/v1/protocols/usage').set(c.admin.auth).expect(200)).body;
      expect(items).toEqual([
        expect.objectContaining({ key: 'body', version: 1, treatments: 2, activeTreatments: 1, patients: 2 }),
        expect.objectContaining({ key: 'body', version: v2.version, protocolId: v2.id, treatments: 1, activeTreatments: 1, patients: 1 }),
      ]);
      expect((await t.http.get('/v1/protocols/usage').set(other.admin.auth).expect(200)).body.items).toEqual([]);
      await t.http.get('/v1/protocols/usage').set(c.compliance.auth).expect(200);
      await t.http.get('/v1/protocols/usage').set(c.practitioner.auth).expect(403);
    });
  });

  describe('staff invitation', () => {
    it('creates a staff member with a temporary password they must change at their first sign-in', async () => {
      const c = await newClinic(t);
      const email = `invited-${Date.now()}@clinic.example`;
      const created = (
        await t.http.post('/v1/staff').set(c.admin.auth).send({ email, name: 'Ines Invited', role: 'practitioner', password: 'tulip-orbit-canyon-42', mustChangePassword: true }).expect(201)
      ).body;
      expect(created).toMatchObject({ mustChangePassword: true, active: true });
      const login = (await t.http.post('/v1/auth/login').send({ email, password: 'tulip-orbit-canyon-42' }).expect(200)).body;
      expect(login.mustChangePassword).toBe(true);
      await t.http.get('/v1/patients').set({ Authorization: `Bearer ${login.accessToken}` }).expect(403);
    });
  });

  describe('API keys', () => {
    it('are shown once, work as X-API-Key and as a bearer, are listed without the key, and are refused once revoked', async () => {
      const c = await newClinic(t);
      const created = (await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: 'Booking system' }).expect(201)).body;
      expect(created.key).toMatch(/^ak_/);
      await t.http.get('/v1/protocols').set({ 'X-API-Key': created.key }).expect(200);
      await t.http.get('/v1/protocols').set({ Authorization: `Bearer ${created.key}` }).expect(200);
      const list = (await t.http.get('/v1/api-keys').set(c.admin.auth).expect(200)).body.items;
      expect(list).toEqual([expect.objectContaining({ id: created.id, name: 'Booking system', revokedAt: null })]);
      expect(JSON.stringify(list)).not.toContain(created.key);
      await t.http.post(`/v1/api-keys/${created.id}/revoke`).set(c.admin.auth).expect(200);
      await t.http.get('/v1/protocols').set({ 'X-API-Key': created.key }).expect(401);
      await t.http.get('/v1/protocols').set({ Authorization: `Bearer ${created.key}` }).expect(401);
      await t.http.get('/v1/api-keys').set(c.practitioner.auth).expect(403);
    });
  });
});
