import { randomUUID } from 'node:crypto';
import { AuthService } from '../src/auth/auth.service';
import { appSuite, TestApp } from './support/app';
import { newApiKey, newClinic, newEmail, TestClinic } from './support/factories';
import { expectError, raiseFlag, rowsOf } from './support/refusals';

/**
 * Bad access, on the real app (another clinic's records, auth and roles): each case checks the
 * exact status, the `{ statusCode, error, message }` body, and that no row was written anywhere
 * for the clinic.
 */
describe('bad access is refused and leaves nothing behind', () => {
  const suite = appSuite({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
  });

  describe("another clinic's records are not found", () => {
    let mine: TestClinic;
    let theirs: TestClinic;
    let their: Awaited<ReturnType<typeof raiseFlag>>;

    beforeAll(async () => {
      mine = await newClinic(t);
      theirs = await newClinic(t);
      // Made through the other clinic's own credentials, down to a flag from a real answer.
      their = await raiseFlag(t, theirs);
    });

    it('404s every read and write by id, for staff and API keys alike, and changes nothing', async () => {
      const key = await newApiKey(t, mine);
      const theirsBefore = await rowsOf(t, theirs);
      const mineBefore = await rowsOf(t, mine);
      const { patient, treatment, flag } = their;

      for (const auth of [mine.practitioner.auth, mine.admin.auth, key]) {
        expectError(await t.http.get(`/v1/patients/${patient.id}`).set(auth), 404, 'Patient not found');
        expectError(await t.http.patch(`/v1/patients/${patient.id}`).set(auth).send({ givenName: 'Mallory' }), 404, 'Patient not found');
        expectError(await t.http.get(`/v1/treatments/${treatment.id}`).set(auth), 404, 'Treatment not found');
        expectError(await t.http.get(`/v1/treatments/${treatment.id}/check-ins`).set(auth), 404, 'Treatment not found');
        expectError(await t.http.post(`/v1/treatments/${treatment.id}/cancel`).set(auth).send({ reason: 'x' }), 404, 'Treatment not found');
      }
      for (const auth of [mine.practitioner.auth, mine.admin.auth, mine.compliance.auth]) {
        expectError(await t.http.get(`/v1/patients/${patient.id}/responses`).set(auth), 404, 'Patient not found');
        expectError(await t.http.get(`/v1/flags/${flag.id}`).set(auth), 404, 'Flag not found');
      }
      for (const auth of [mine.practitioner.auth, mine.admin.auth]) {
        expectError(await t.http.post(`/v1/flags/${flag.id}/acknowledge`).set(auth).send({}), 404, 'Flag not found');
        expectError(await t.http.post(`/v1/flags/${flag.id}/resolve`).set(auth).send({ outcome: 'no_action_needed', note: 'x' }), 404, 'Flag not found');
      }
      expect((await t.http.get('/v1/flags').set(mine.practitioner.auth).expect(200)).body.total).toBe(0);

      // Their clinic sees everything as it was.
      expect(await rowsOf(t, mine)).toEqual(mineBefore);
      expect(await rowsOf(t, theirs)).toEqual(theirsBefore);
      const p = (await t.http.get(`/v1/patients/${patient.id}`).set(theirs.practitioner.auth).expect(200)).body;
      expect(p.givenName).toBe('Ana');
      const tr = (await t.http.get(`/v1/treatments/${treatment.id}`).set(theirs.practitioner.auth).expect(200)).body;
      expect(tr.status).toBe('active');
      const f = (await t.http.get(`/v1/flags/${flag.id}`).set(theirs.practitioner.auth).expect(200)).body;
      expect(f).toMatchObject({ status: 'open', acknowledgedAt: null, resolvedAt: null });
      expect((await t.http.get(`/v1/patients/${patient.id}/responses`).set(theirs.practitioner.auth).expect(200)).body.items).toHaveLength(1);
    });

    it('400s an id that is not a UUID before looking anything up', async () => {
      expectError(await t.http.get('/v1/patients/123').set(mine.practitioner.auth), 400, 'uuid');
      expectError(await t.http.get('/v1/treatments/123/check-ins').set(mine.practitioner.auth), 400, 'uuid');
      expectError(await t.http.post('/v1/flags/123/acknowledge').set(mine.practitioner.auth).send({}), 400, 'uuid');
    });
  });

  describe('auth and roles', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    it('401s a request without credentials or with bad ones', async () => {
      const before = await rowsOf(t, c);
      expectError(await t.http.get('/v1/flags'), 401, 'Missing credentials');
      expectError(await t.http.post('/v1/patients').send({ givenName: 'A', familyName: 'B', email: newEmail() }), 401, 'Missing credentials');
      expectError(await t.http.get('/v1/flags').set('Authorization', 'Basic abc'), 401, 'Bearer');
      expectError(await t.http.get('/v1/flags').set('Authorization', 'Bearer not.a.jwt'), 401, 'access token is invalid');
      expectError(await t.http.get('/v1/flags').set('X-API-Key', 'ak_nope'), 401, 'API key is invalid');
      expect(await rowsOf(t, c)).toEqual(before);
    });

    it('401s a wrong password, and after the free failures 429s that address on that account (even with the right password)', async () => {
      const email = c.compliance.email;
      const before = await rowsOf(t, c);
      const [{ seq }] = await t.db.query(`SELECT coalesce(max(clinic_seq), 0) AS seq FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]);
      expectError(await t.http.post('/v1/auth/login').send({ email: newEmail('nobody'), password: 'whatever-whatever' }), 401, 'Email or password is wrong');
      // LOGIN_FREE_FAILURES (5) cost nothing; the sixth sets a delay.
      for (let i = 0; i < 6; i++) {
        expectError(await t.http.post('/v1/auth/login').send({ email, password: `wrong-password-${i}` }), 401, 'Email or password is wrong');
      }
      expectError(await t.http.post('/v1/auth/login').send({ email, password: c.compliance.password }), 429, 'Too many failed logins');
      expectError(await t.http.post('/v1/auth/login').send({ email: email.toUpperCase(), password: c.compliance.password }), 429, 'Too many failed logins');
      // No login happened; the only trace is the failed attempts in the audit log (written after each 401).
      await t.get(AuthService).failedSignInsRecorded();
      expect({ ...(await rowsOf(t, c)), audit_events: 0 }).toEqual({ ...before, audit_events: 0 });
      const added = await t.db.query(`SELECT action, entity_id FROM audit_events WHERE clinic_id = $1 AND clinic_seq > $2`, [c.clinic.id, seq]);
      for (const e of added) expect(e).toEqual({ action: 'staff.login_failed', entity_id: c.compliance.id });
      // Another account is not affected, nor the owner of this one from another address (see test/rate-limits.e2e-spec.ts).
      await t.http.post('/v1/auth/login').send({ email: c.practitioner.email, password: c.practitioner.password }).expect(200);
    });

    it('403s a compliance user acknowledging or resolving a flag, and leaves the flag as it was', async () => {
      const { flag } = await raiseFlag(t, c);
      const before = await rowsOf(t, c);
      expectError(await t.http.post(`/v1/flags/${flag.id}/acknowledge`).set(c.compliance.auth).send({}), 403, 'not allowed for role compliance');
      expectError(
        await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.compliance.auth).send({ outcome: 'no_action_needed', note: 'fine' }),
        403,
        'not allowed for role compliance',
      );
      expect(await rowsOf(t, c)).toEqual(before);
      const after = (await t.http.get(`/v1/flags/${flag.id}`).set(c.compliance.auth).expect(200)).body;
      expect(after).toMatchObject({ status: 'open', acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, outcome: null, note: null });
    });

    it('403s a practitioner reading the audit log', async () => {
      expectError(await t.http.get('/v1/audit-events').set(c.practitioner.auth), 403, 'not allowed for role practitioner');
      expectError(await t.http.get('/v1/audit-events/verify').set(c.practitioner.auth), 403, 'not allowed for role practitioner');
    });

    it('lets an integration key create a patient and a treatment, and 403s it on the flags', async () => {
      const key = await newApiKey(t, c);
      const patient = (
        await t.http
          .post('/v1/patients')
          .set(key)
          .send({ givenName: 'Ivo', familyName: 'Key', email: newEmail(), preferredChannel: 'email', emailConsent: true })
          .expect(201)
      ).body;
      const treatment = (
        await t.http
          .post('/v1/treatments')
          .set(key)
          .send({ patientId: patient.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['abdomen'], product: 'Aqualyx', performedAt: t.clock.now().toISOString() })
          .expect(201)
      ).body;
      expect(treatment.checkIns).toHaveLength(7); // body protocol: days 1, 3, 7, 14, 30, 60, 90
      // The key also works as a bearer token.
      await t.http.get(`/v1/treatments/${treatment.id}`).set('Authorization', `Bearer ${key['X-API-Key']}`).expect(200);

      const before = await rowsOf(t, c);
      expectError(await t.http.get('/v1/flags').set(key), 403, 'not allowed for role integration');
      expectError(await t.http.get(`/v1/patients/${patient.id}/responses`).set(key), 403, 'not allowed for role integration');
      expectError(await t.http.get('/v1/audit-events').set(key), 403, 'not allowed for role integration');
      expectError(await t.http.post('/v1/api-keys').set(key).send({ name: 'more' }), 403, 'not allowed for role integration');
      expect(await rowsOf(t, c)).toEqual(before);
    });

    it('409s a second API key with the same name (any case), storing nothing', async () => {
      const name = `booking-${randomUUID().slice(0, 6)}`;
      await newApiKey(t, c, name);
      const before = await rowsOf(t, c);
      expectError(await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name }), 409, `An active API key named "${name}" already exists`);
      expectError(await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name: name.toUpperCase() }), 409, 'already exists');
      expect(await rowsOf(t, c)).toEqual(before);
    });

    it('400s a resolve with a bad outcome and 409s resolving twice', async () => {
      const { flag } = await raiseFlag(t, c);
      const before = await rowsOf(t, c);
      expectError(
        await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'fixed_it', note: 'x' }),
        400,
        'outcome must be one of no_action_needed, advice_given, seen_in_clinic, referred, reported_to_authority',
      );
      expectError(await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: '' }), 400, 'note must not be empty');
      expect(await rowsOf(t, c)).toEqual(before);
      expect((await t.http.get(`/v1/flags/${flag.id}`).set(c.practitioner.auth).expect(200)).body.status).toBe('open');

      await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Called; cold packs.' }).expect(200);
      const resolved = await rowsOf(t, c);
      expectError(
        await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.admin.auth).send({ outcome: 'referred', note: 'again' }),
        409,
        'The flag is resolved',
      );
      expectError(await t.http.post(`/v1/flags/${flag.id}/acknowledge`).set(c.practitioner.auth).send({}), 409, 'The flag is resolved');
      expect(await rowsOf(t, c)).toEqual(resolved);
      expect((await t.http.get(`/v1/flags/${flag.id}`).set(c.practitioner.auth).expect(200)).body).toMatchObject({
        status: 'resolved',
        outcome: 'advice_given',
        note: 'Called; cold packs.',
        resolvedBy: c.practitioner.id,
      });
    });
  });
});
