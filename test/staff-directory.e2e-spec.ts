import { FlagsService } from '../src/flags/flags.service';
import type { TestApp } from './support/app';
import { appWithClinic, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';

/**
 * What the console's assign dialog and treatment form read: the clinic's staff directory (every
 * staff member may read it; own clinic, active only, no personal data) and the list of treatment
 * areas a treatment's bodyAreas must come from.
 */
describe('staff directory and body areas', () => {
  const suite = appWithClinic({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  let c: TestClinic;
  beforeAll(() => {
    ({ t, c } = suite);
  });

  describe('GET /v1/staff/directory', () => {
    it("lists the own clinic's active staff by name, with role and whether they can be assigned, and nothing personal", async () => {
      const other = await newClinic(t);
      const colleague = await t.http
        .post('/v1/staff')
        .set(c.admin.auth)
        .send({ email: `zoe-${Date.now()}@example.com`, name: 'Dr Zoe Abad', role: 'practitioner', password: 'correct-horse-battery-staple', phone: '+34600111222' })
        .expect(201);
      const gone = await t.http
        .post('/v1/staff')
        .set(c.admin.auth)
        .send({ email: `gone-${Date.now()}@example.com`, name: 'Dr Gone', role: 'practitioner', password: 'correct-horse-battery-staple' })
        .expect(201);
      await t.http.patch(`/v1/staff/${gone.body.id}`).set(c.admin.auth).send({ active: false }).expect(200);

      for (const who of [c.practitioner, c.compliance, c.admin]) {
        const res = await t.http.get('/v1/staff/directory').set(who.auth).expect(200);
        const items = res.body.items as Array<Record<string, unknown>>;
        const ids = items.map((s) => s.id);
        expect(ids).toEqual(expect.arrayContaining([c.admin.id, c.practitioner.id, c.compliance.id, colleague.body.id]));
        expect(ids).toHaveLength(4);
        // Deactivated staff and other clinics' staff are not there.
        expect(ids).not.toContain(gone.body.id);
        for (const s of [other.admin, other.practitioner, other.compliance]) expect(ids).not.toContain(s.id);
        // Exactly id, name, role, assignable: no email, phone, sign-in times or clinic.
        for (const s of items) expect(Object.keys(s).sort()).toEqual(['assignable', 'id', 'name', 'role']);
        expect(JSON.stringify(res.body)).not.toMatch(/@|\+34600111222/);
        expect(items.find((s) => s.id === colleague.body.id)).toEqual({ id: colleague.body.id, name: 'Dr Zoe Abad', role: 'practitioner', assignable: true });
        expect(items.find((s) => s.id === c.compliance.id)?.assignable).toBe(false);
        expect(items.find((s) => s.id === c.admin.id)?.assignable).toBe(true);
        // By name.
        const names = items.map((s) => String(s.name));
        expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      // An integration's API key has no staff directory; no credential is 401.
      const key = (await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: 'lab' }).expect(201)).body.key as string;
      await t.http.get('/v1/staff/directory').set('X-API-Key', key).expect(403);
      await t.http.get('/v1/staff/directory').expect(401);
      // The admins' list stays admins' only.
      await t.http.get('/v1/staff').set(c.practitioner.auth).expect(403);
    });

    it('a practitioner assigns a case to a colleague from it; a colleague who cannot be assigned is refused in words', async () => {
      const p = await newPatient(t, c);
      const tr = await newTreatment(t, c, p.id);
      const flags = t.get(FlagsService);
      await t.db.transaction((m) =>
        flags.raiseUnreadable(m, { clinicId: c.clinic.id, patientId: p.id, treatmentId: tr.id, messageId: null as unknown as string, reason: 'Unreadable reply: "??"' }),
      );
      const queue = (await t.http.get('/v1/cases').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patient: { id: string } }>;
      const caseId = queue.find((k) => k.patient.id === p.id)!.id;
      const directory = (await t.http.get('/v1/staff/directory').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; role: string; assignable: boolean }>;
      const admin = directory.find((s) => s.id === c.admin.id)!;
      expect(admin.assignable).toBe(true);
      const res = await t.http.post(`/v1/cases/${caseId}/assign`).set(c.practitioner.auth).send({ staffId: admin.id }).expect(200);
      expect(res.body.case.assignee).toEqual({ id: c.admin.id, name: expect.any(String) });
      const refused = await t.http.post(`/v1/cases/${caseId}/assign`).set(c.practitioner.auth).send({ staffId: c.compliance.id }).expect(400);
      expect(refused.body.message).toBe('The assignee must be a practitioner or an admin');
      await t.http.post(`/v1/cases/${caseId}/assign`).set(c.practitioner.auth).send({ staffId: null }).expect(200);
    });
  });

  describe('body areas', () => {
    it('GET /v1/body-areas lists each area with a label and its region, face and scalp first', async () => {
      const res = await t.http.get('/v1/body-areas').set(c.practitioner.auth).expect(200);
      const items = res.body.items as Array<{ id: string; label: string; region: string }>;
      expect(items.length).toBeGreaterThan(20);
      expect(items).toEqual(expect.arrayContaining([{ id: 'thighs', label: 'Thighs', region: 'body' }, { id: 'scalp', label: 'Scalp', region: 'face-scalp' }]));
      const regions = items.map((a) => a.region);
      expect(regions.lastIndexOf('face-scalp')).toBeLessThan(regions.indexOf('body'));
      expect(new Set(items.map((a) => a.id)).size).toBe(items.length);
    });

    it('a treatment takes listed areas only, and a 400 names the ones that are not, storing nothing', async () => {
      const p = await newPatient(t, c);
      const refused = await t.http
        .post('/v1/treatments')
        .set(c.practitioner.auth)
        .send({ patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs', 'kneecap'], product: 'Aqualyx', performedAt: t.clock.now().toISOString() })
        .expect(400);
      expect(refused.body.message).toEqual([expect.stringMatching(/^bodyAreas: "kneecap" is not a treatment area; each must be one of scalp, .*thighs/)]);
      const twice = await t.http
        .post('/v1/treatments')
        .set(c.practitioner.auth)
        .send({ patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs', 'thighs'], product: 'Aqualyx', performedAt: t.clock.now().toISOString() })
        .expect(400);
      expect(twice.body.message).toEqual(['bodyAreas must not name an area twice']);
      expect((await t.http.get(`/v1/patients/${p.id}/timeline`).set(c.practitioner.auth).expect(200)).body.items.filter((i: { type: string }) => i.type === 'treatment')).toEqual([]);

      // The area's region chooses the protocol when none is named.
      const face = await newTreatment(t, c, p.id, { indication: 'skin quality', bodyAreas: ['nasolabial-folds', 'decollete'] });
      expect((face as unknown as { protocolKey: string }).protocolKey).toBe('face-scalp');
      const body = await newTreatment(t, c, (await newPatient(t, c)).id, { indication: 'skin quality', bodyAreas: ['neck', 'upper-arms'] });
      expect((body as unknown as { protocolKey: string }).protocolKey).toBe('body');
    });
  });
});
