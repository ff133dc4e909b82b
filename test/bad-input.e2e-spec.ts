import { randomBytes, randomUUID } from 'node:crypto';
import type { Response as HttpResponse } from 'supertest';
import twilio from 'twilio';
import { AuthService } from '../src/auth/auth.service';
import { createTestApp, PUBLIC_BASE_URL, TestApp } from './support/app';
import { linkIn, newApiKey, newClinic, newEmail, newPatient, newPhone, newTreatment, NO_WARNING_SIGNS, TestClinic, patientBody, treatmentBody } from './support/factories';
import { TEST_AUTH_TOKEN } from './support/twilio-api';

/**
 * Everything a caller can get wrong, on the real app: each case checks the exact status, the
 * `{ statusCode, error, message }` body, and that no row was written anywhere for the clinic.
 */

const ERROR_NAME: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
};

/** The JSON error body, with `message` (a string or the validator's list) containing `expected`. */
function expectError(res: HttpResponse, status: number, expected: string | RegExp): void {
  if (res.status !== status) throw new Error(`Expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual({ statusCode: status, error: ERROR_NAME[status], message: expect.anything() });
  const messages = [res.body.message].flat();
  expect(messages).toEqual(
    expect.arrayContaining([typeof expected === 'string' ? expect.stringContaining(expected) : expect.stringMatching(expected)]),
  );
}

const CLINIC_TABLES = ['patients', 'treatments', 'check_ins', 'responses', 'messages', 'flags', 'api_keys', 'staff_users', 'audit_events'] as const;

/** Row counts of every clinic-owned table for one clinic: "nothing stored" means this does not move. */
async function rowsOf(t: TestApp, c: TestClinic): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of CLINIC_TABLES) {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE clinic_id = $1`, [c.clinic.id]);
    out[table] = n;
  }
  const [{ n }] = await t.db.query(
    `SELECT count(*)::int AS n FROM check_in_tokens k JOIN check_ins ci ON ci.id = k.check_in_id WHERE ci.clinic_id = $1`,
    [c.clinic.id],
  );
  out.check_in_tokens = n;
  return out;
}

type Treatment = Awaited<ReturnType<typeof newTreatment>>;

/** Moves the clock forward, never back (test access tokens outlive any move). */
function moveClock(t: TestApp, to: Date): void {
  if (to.getTime() > t.clock.now().getTime()) t.clock.set(to);
}

/** Moves the clock to the treatment's first check-in, dispatches, and returns the form link emailed to `email`. */
async function firstEmailLink(t: TestApp, treatment: Treatment, email: string): Promise<string> {
  moveClock(t, new Date(treatment.checkIns[0].dueAt));
  await t.dispatcher.tick();
  const mail = t.smtp.to(email).find((m) => m.parsed.subject?.includes('one day after your treatment'));
  if (!mail) throw new Error(`No check-in email reached ${email}`);
  return linkIn(mail.parsed.text!);
}

const FULL_FORM = { bruising: '1', redness: '0', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS };

/** A patient reports severe pain by the form: one open `high` flag in the clinic. */
async function raiseFlag(t: TestApp, c: TestClinic) {
  const patient = await newPatient(t, c, { preferredChannel: 'email' });
  const treatment = await newTreatment(t, c, patient.id);
  const link = await firstEmailLink(t, treatment, patient.email!);
  await t.http.post(link).type('form').send({ ...FULL_FORM, pain: '3' }).expect(200);
  const flags = (await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; status: string }>;
  const flag = flags.find((f) => f.patientId === patient.id);
  if (!flag) throw new Error('No flag was raised');
  return { patient, treatment, flag };
}

describe('bad input is refused and leaves nothing behind', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /v1/patients', () => {
    let c: TestClinic;
    const valid = () => patientBody();
    beforeAll(async () => {
      c = await newClinic(t);
    });

    const refused = async (body: unknown, status: number, message: string | RegExp, type = 'json') => {
      const before = await rowsOf(t, c);
      const req = t.http.post('/v1/patients').set(c.practitioner.auth).type(type);
      const res = await req.send(body as object);
      expectError(res, status, message);
      expect(await rowsOf(t, c)).toEqual(before);
    };

    it('refuses an unknown field, naming it', async () => {
      await refused({ ...valid(), bogus: 'x' }, 400, 'property bogus should not exist');
    });

    it('refuses malformed JSON with 400', async () => {
      // The parser's own words come through (Nest maps body-parser's SyntaxError before our filter sees it).
      await refused('{"givenName": "Ana", "familyName": ', 400, /JSON/);
    });

    it('refuses a body over the size limit with 413', async () => {
      await refused({ ...valid(), givenName: 'A'.repeat(200_000) }, 413, 'Request body is too large');
    });

    it('refuses JSON nested 50,000 levels deep with 400 (not a 500 or a stack overflow)', async () => {
      const deep = `{"givenName":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
      await refused(deep, 400, 'JSON is nested too deeply (more than 32 levels)');
    });

    it('refuses JSON 33 levels deep but takes brackets inside strings as text', async () => {
      const nest = (n: number): unknown => (n === 0 ? 'x' : { a: nest(n - 1) });
      await refused({ ...valid(), extra: nest(33) }, 400, 'JSON is nested too deeply');
      // 40 brackets in a string are not nesting: this body fails only on its unknown field.
      await refused({ ...valid(), givenName: '['.repeat(40), bogus: 1 }, 400, 'property bogus should not exist');
    });

    it.each([
      ['__proto__ at the top', '{"givenName":"Ana","__proto__":{"role":"admin"}}', '__proto__'],
      ['constructor inside an object', '{"givenName":"Ana","consent":{"constructor":{"prototype":{}}}}', 'consent.constructor'],
      ['prototype in a list item', '{"givenName":"Ana","tags":[{"prototype":1}]}', 'tags.0.prototype'],
    ])('refuses a JSON body with %s, naming the key', async (_, body, key) => {
      await refused(body, 400, `Field name "${key}" is not allowed`);
    });

    it('refuses __proto__ and constructor keys in a form body and a query string', async () => {
      await refused('givenName=Ana&__proto__[role]=admin', 400, 'Field name "__proto__[role]" is not allowed', 'form');
      await refused('givenName=Ana&a[constructor][prototype]=1', 400, 'is not allowed', 'form');
      expectError(await t.http.get('/v1/patients?__proto__[x]=1').set(c.practitioner.auth), 400, 'Field name "__proto__[x]" is not allowed');
      expectError(await t.http.get('/v1/patients?limit=5&constructor=1').set(c.practitioner.auth), 400, 'Field name "constructor" is not allowed');
    });

    it.each([
      ['without a country code', '612345678'],
      ['with spaces', '+34 612 34 56 78'],
      ['too short to be a number', '+1234'],
      ['valid in form but not a real number', '+15550000000'],
    ])('refuses a phone number %s', async (_, phone) => {
      await refused({ ...valid(), phone }, 400, 'phone must be a valid phone number in E.164 format');
    });

    it('refuses an unknown time zone', async () => {
      await refused({ ...valid(), timeZone: 'Mars/Olympus' }, 400, 'timeZone must be an IANA time zone');
    });

    it('refuses an unsupported locale', async () => {
      await refused({ ...valid(), locale: 'xx' }, 400, 'locale must be one of en, de, fr, es');
    });

    it('refuses preferredChannel sms without a phone', async () => {
      const { phone: _, ...noPhone } = valid();
      await refused({ ...noPhone, preferredChannel: 'sms' }, 400, 'preferredChannel is sms but the patient has no phone');
    });

    it('refuses a patient with neither email nor phone', async () => {
      await refused({ givenName: 'Ana', familyName: 'Ruiz' }, 400, 'A patient needs an email or a phone number');
    });

    it('refuses a PATCH that would leave an sms patient without a phone, and keeps the patient as it was', async () => {
      const p = await newPatient(t, c);
      const before = await rowsOf(t, c);
      expectError(
        await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ phone: null }),
        400,
        'preferredChannel is sms but the patient has no phone',
      );
      expectError(await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ timeZone: 'Mars/Olympus' }), 400, 'timeZone');
      expect(await rowsOf(t, c)).toEqual(before);
      const now = (await t.http.get(`/v1/patients/${p.id}`).set(c.practitioner.auth).expect(200)).body;
      expect(now).toMatchObject({ phone: p.phone, timeZone: 'Europe/Madrid', updatedAt: p.updatedAt });
    });

    it.each(['givenName', 'familyName', 'locale', 'preferredChannel', 'smsConsent', 'emailConsent'])(
      'refuses a PATCH setting %s to null (it has no cleared state), and keeps the patient as it was',
      async (field) => {
        const p = await newPatient(t, c);
        const before = await rowsOf(t, c);
        expectError(await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ [field]: null }), 400, `${field} cannot be null`);
        expect(await rowsOf(t, c)).toEqual(before);
        expect((await t.http.get(`/v1/patients/${p.id}`).set(c.practitioner.auth).expect(200)).body).toEqual(p);
      },
    );

    it('lets a PATCH clear email, timeZone and externalRef with null', async () => {
      const p = await newPatient(t, c, { externalRef: `ref-${randomUUID()}` });
      const res = await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ email: null, timeZone: null, externalRef: null }).expect(200);
      expect(res.body).toMatchObject({ email: null, timeZone: null, externalRef: null, phone: p.phone });
    });
  });

  describe('text the database cannot store (NUL, U+0000)', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });
    const NUL = '\u0000';
    const UNSTORABLE = 'Text contains a character that cannot be stored';

    it('400s a NUL anywhere in a JSON body (a field, a list item, a patch), storing nothing', async () => {
      const patient = await newPatient(t, c);
      const before = await rowsOf(t, c);
      const patientBody = { givenName: 'Ana', familyName: 'Ruiz', email: newEmail(), emailConsent: true };
      expectError(await t.http.post('/v1/patients').set(c.practitioner.auth).send({ ...patientBody, givenName: `A${NUL}na` }), 400, `${UNSTORABLE} (a NUL character in givenName)`);
      expectError(await t.http.post('/v1/patients').set(c.practitioner.auth).send({ ...patientBody, consentSource: `intake${NUL}` }), 400, UNSTORABLE);
      const treatment = {
        patientId: patient.id,
        procedure: 'mesotherapy',
        indication: 'cellulite',
        bodyAreas: ['thighs', `hips${NUL}`],
        product: 'Lipolytic cocktail A',
        performedAt: t.clock.now().toISOString(),
      };
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send(treatment), 400, `${UNSTORABLE} (a NUL character in bodyAreas[1])`);
      expectError(await t.http.patch(`/v1/patients/${patient.id}`).set(c.practitioner.auth).send({ familyName: `Ruiz${NUL}` }), 400, UNSTORABLE);
      expect(await rowsOf(t, c)).toEqual(before);
      expect((await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body).toEqual(patient);
    });

    it('400s a NUL in a query string (the database error is mapped, not a 500)', async () => {
      expectError(await t.http.get('/v1/audit-events?action=flag%00').set(c.compliance.auth), 400, UNSTORABLE);
    });

    it('takes an SMS reply with a NUL in it, stored without the NUL', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      const treatment = await newTreatment(t, c, patient.id);
      moveClock(t, new Date(treatment.checkIns[0].dueAt));
      await t.dispatcher.tick();
      const sid = 'SM' + randomBytes(16).toString('hex');
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: patient.phone!, To: c.smsNumber, Body: `1 0 2${NUL} 0 1` }).expect(200);
      const [inbound] = await t.db.query(`SELECT body FROM messages WHERE provider_id = $1`, [sid]);
      expect(inbound).toEqual({ body: '1 0 2 0 1' });
      const responses = (await t.http.get(`/v1/patients/${patient.id}/responses`).set(c.practitioner.auth).expect(200)).body.items;
      expect(responses).toEqual([expect.objectContaining({ rawText: '1 0 2 0 1', bruising: 1, itching: 2, pain: 1 })]);
    });

    it('400s a form whose message holds a NUL, with a page that says so, and keeps the check-in open', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'email' });
      const treatment = await newTreatment(t, c, patient.id);
      const link = await firstEmailLink(t, treatment, patient.email!);
      const before = await rowsOf(t, c);
      const res = await t.http.post(link).type('form').send({ ...FULL_FORM, free_text: `sore${NUL}` });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('The message contains a character that cannot be stored');
      expect(await rowsOf(t, c)).toEqual(before);
      await t.http.post(link).type('form').send({ ...FULL_FORM, free_text: 'sore' }).expect(200);
    });
  });

  describe('POST /v1/treatments', () => {
    let c: TestClinic;
    let other: TestClinic;
    let patientId: string;
    let othersPatientId: string;
    const body = (overrides: Record<string, unknown> = {}) => treatmentBody(t, c, patientId, overrides);
    beforeAll(async () => {
      c = await newClinic(t);
      other = await newClinic(t);
      patientId = (await newPatient(t, c)).id;
      othersPatientId = (await newPatient(t, other)).id;
    });

    const refused = async (payload: Record<string, unknown>, status: number, message: string | RegExp) => {
      const before = [await rowsOf(t, c), await rowsOf(t, other)];
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send(payload), status, message);
      expect([await rowsOf(t, c), await rowsOf(t, other)]).toEqual(before);
      expect(before[0].treatments).toBe(0);
      expect(before[0].check_ins).toBe(0);
    };

    it('404s an unknown patient', async () => {
      await refused(body({ patientId: randomUUID() }), 404, 'Patient not found');
    });

    it("404s another clinic's patient", async () => {
      await refused(body({ patientId: othersPatientId }), 404, 'Patient not found');
    });

    it("404s another clinic's practitioner, and a compliance user as practitioner", async () => {
      await refused(body({ practitionerId: other.practitioner.id }), 404, 'Practitioner not found');
      await refused(body({ practitionerId: c.compliance.id }), 404, 'Practitioner not found');
    });

    it('400s missing or empty bodyAreas', async () => {
      const { bodyAreas: _, ...missing } = body();
      await refused(missing, 400, /^bodyAreas /);
      await refused(body({ bodyAreas: [] }), 400, 'bodyAreas must name at least one area');
    });

    it('400s performedAt without an offset', async () => {
      await refused(body({ performedAt: '2026-03-02T07:30:00' }), 400, 'performedAt must carry a time zone offset or Z');
    });

    it('400s performedAt in the future', async () => {
      const tomorrow = new Date(t.clock.now().getTime() + 86400_000).toISOString();
      await refused(body({ performedAt: tomorrow }), 400, 'performedAt is in the future');
    });

    it('400s a performedAt that is not a date', async () => {
      await refused(body({ performedAt: 'yesterday' }), 400, 'performedAt must be an ISO 8601 date-time');
    });

    it('400s a patientId that is not a UUID', async () => {
      await refused(body({ patientId: 'not-a-uuid' }), 400, 'patientId must be a UUID');
    });
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

  describe('the patient form', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    const responsesOf = async (patientId: string) =>
      (await t.http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as unknown[];
    const checkInsOf = async (treatmentId: string) =>
      (await t.http.get(`/v1/treatments/${treatmentId}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{
        status: string;
        expiresAt: string;
      }>;

    it('takes a token once: a second POST is 410 and stores nothing', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'email' });
      const treatment = await newTreatment(t, c, patient.id);
      const link = await firstEmailLink(t, treatment, patient.email!);
      await t.http.post(link).type('form').send(FULL_FORM).expect(200);
      const before = await rowsOf(t, c);

      const again = await t.http.post(link).type('form').send({ ...FULL_FORM, pain: '4' });
      expect(again.status).toBe(410);
      expect(again.headers['content-type']).toMatch(/text\/html/);
      expect(again.text).toContain('Already answered');
      await t.http.get(link).expect(410);

      expect(await rowsOf(t, c)).toEqual(before);
      expect(await responsesOf(patient.id)).toEqual([expect.objectContaining({ source: 'form', pain: 1 })]);
    });

    it('closes an expired link: GET and POST are 410 with a page that says so', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'email' });
      const treatment = await newTreatment(t, c, patient.id);
      const link = await firstEmailLink(t, treatment, patient.email!);
      const [first] = await checkInsOf(treatment.id);
      expect(first.status).toBe('sent');

      moveClock(t, new Date(new Date(first.expiresAt).getTime() + 60_000));
      const before = await rowsOf(t, c);
      for (const res of [await t.http.get(link), await t.http.post(link).type('form').send(FULL_FORM)]) {
        expect(res.status).toBe(410);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toContain('This check-in has closed');
        expect(res.text).toContain('The time to answer this check-in has passed');
        expect(res.text).not.toContain('<form');
      }
      expect(await rowsOf(t, c)).toEqual(before);
      expect(await responsesOf(patient.id)).toEqual([]);
    });

    it('404s an altered token and a garbage token', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'email' });
      const treatment = await newTreatment(t, c, patient.id);
      const link = await firstEmailLink(t, treatment, patient.email!);
      const token = link.slice('/c/'.length);
      const i = 20;
      const altered = `/c/${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(altered).toHaveLength(link.length);
      const before = await rowsOf(t, c);

      for (const bad of [altered, '/c/garbage', `/c/${'x'.repeat(43)}`, `/c/${'%00'.repeat(5)}`]) {
        for (const res of [await t.http.get(bad), await t.http.post(bad).type('form').send(FULL_FORM)]) {
          expect(res.status).toBe(404);
          expect(res.text).toContain('Link not found');
        }
      }
      expect(await rowsOf(t, c)).toEqual(before);
      // The real link still works.
      await t.http.get(link).expect(200);
    });

    it('400s a form with a missing answer, naming it, and keeps the check-in open', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'email' });
      const treatment = await newTreatment(t, c, patient.id);
      const link = await firstEmailLink(t, treatment, patient.email!);
      const before = await rowsOf(t, c);

      const { pain: _, ...noPain } = FULL_FORM;
      const res = await t.http.post(link).type('form').send(noPain);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('Please check your answers');
      expect(res.text).toContain('Please choose a level for pain.');
      // What was answered is kept on the page.
      expect(res.text).toMatch(/name="bruising" value="1" required checked/);

      const { ws_hives: __, ...noHives } = FULL_FORM;
      const res2 = await t.http.post(link).type('form').send(noHives);
      expect(res2.status).toBe(400);
      expect(res2.text).toContain('Please answer yes or no for &quot;Hives&quot;.');

      expect(await rowsOf(t, c)).toEqual(before);
      expect((await checkInsOf(treatment.id))[0].status).toBe('sent');
      await t.http.get(link).expect(200);
      await t.http.post(link).type('form').send(FULL_FORM).expect(200);
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

  describe('paging numbers beyond what can be counted (issue 10, hole 7)', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    it.each(['/v1/flags', '/v1/audit-events', '/v1/audit-events/checkpoints', '/v1/adverse-events'])('400s an offset or limit past bigint on %s, naming it', async (path) => {
      for (const offset of ['99999999999999999999999', '9223372036854775808', String(Number.MAX_SAFE_INTEGER + 1)]) {
        expectError(await t.http.get(`${path}?offset=${offset}`).set(c.admin.auth), 400, 'offset must not be greater than 9007199254740991');
      }
      expectError(await t.http.get(`${path}?offset=1.5`).set(c.admin.auth), 400, 'offset must be a whole number');
      expectError(await t.http.get(`${path}?limit=1e30`).set(c.admin.auth), 400, 'limit must not be greater than 200');
      const last = await t.http.get(`${path}?offset=${Number.MAX_SAFE_INTEGER}`).set(c.admin.auth).expect(200);
      expect(last.body).toMatchObject({ items: [], offset: Number.MAX_SAFE_INTEGER });
    });
  });

  describe('text fields take printable text only (issue 10, hole 7)', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    const BAD_SINGLE_LINE: Array<[string, string, string]> = [
      ['a line feed', 'Ana\nRuiz', 'must be a single line'],
      ['a carriage return', 'Ana\rRuiz', 'must be a single line'],
      ['a tab', 'Ana\tRuiz', 'must not contain control characters'],
      ['only spaces', '   ', 'must not be blank'],
      ['only a no-break space and a tab', '\u00a0\t', 'must not be blank'],
      ['a right-to-left override', 'Ana\u202eziuR', 'must not contain bidirectional'],
      ['a left-to-right embedding', '\u202aAna', 'must not contain bidirectional'],
      ['a first-strong isolate', 'Ana\u2068Ruiz\u2069', 'must not contain bidirectional'],
      ['a bell (C0 control)', 'Ana\u0007', 'must not contain control characters'],
      ['an escape (C0 control)', '\u001b[31mAna', 'must not contain control characters'],
      ['a next-line (C1 control)', 'Ana\u0085Ruiz', 'must not contain control characters'],
      ['a line separator', 'Ana\u2028Ruiz', 'must be a single line'],
      ['a lone high surrogate', 'Ana\ud800', 'must not contain a lone surrogate'],
      ['a lone low surrogate', '\udc00Ana', 'must not contain a lone surrogate'],
    ];

    it.each(BAD_SINGLE_LINE)('400s a patient name with %s, naming the field, storing nothing', async (_, value, problem) => {
      const before = await rowsOf(t, c);
      expectError(await t.http.post('/v1/patients').set(c.practitioner.auth).send(patientBody({ givenName: value })), 400, `givenName ${problem}`);
      expectError(await t.http.post('/v1/patients').set(c.practitioner.auth).send(patientBody({ familyName: value })), 400, `familyName ${problem}`);
      expect(await rowsOf(t, c)).toEqual(before);
    });

    it('takes names in any script, with accents, apostrophes and emoji (surrogate pairs)', async () => {
      for (const givenName of ['Zoë', "O'Brien-Núñez", 'محمد', '李小龍', 'Ana 🌸']) {
        const res = await t.http.post('/v1/patients').set(c.practitioner.auth).send(patientBody({ givenName })).expect(201);
        expect(res.body.givenName).toBe(givenName);
      }
    });

    it('400s bad text in treatment fields, each body area, a patch, the clinic name, a protocol name and a reason', async () => {
      const patient = await newPatient(t, c);
      const treatment = { patientId: patient.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'Aqualyx', performedAt: t.clock.now().toISOString(), sendInstructions: false };
      const before = await rowsOf(t, c);
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send({ ...treatment, procedure: 'meso\ntherapy' }), 400, 'procedure must be a single line');
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send({ ...treatment, product: '\u202eAqualyx' }), 400, 'product must not contain bidirectional');
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send({ ...treatment, bodyAreas: ['thighs', '  '] }), 400, 'bodyAreas must not be blank');
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send({ ...treatment, lotNumber: 'L1\r\nL2' }), 400, 'lotNumber must be a single line');
      expectError(await t.http.post('/v1/treatments').set(c.practitioner.auth).send({ ...treatment, formula: 'a\u0001b' }), 400, 'formula must not contain control characters');
      expectError(await t.http.patch(`/v1/patients/${patient.id}`).set(c.practitioner.auth).send({ familyName: 'Ruiz\u2066' }), 400, 'familyName must not contain bidirectional');
      expectError(await t.http.patch('/v1/clinic').set(c.admin.auth).send({ name: 'Clinic\nTwo' }), 400, 'name must be a single line');
      expectError(await t.http.patch('/v1/clinic').set(c.admin.auth).send({ name: ' ' }), 400, 'name must not be blank');
      expectError(
        await t.http.put('/v1/protocols/body').set(c.admin.auth).send({ name: '\ud83d', dayOffsets: [1], sendTime: '10:00', expiryHours: 48, expectedCourse: {} }),
        400,
        'name must not contain a lone surrogate',
      );
      expectError(await t.http.post(`/v1/patients/${patient.id}/legal-hold`).set(c.admin.auth).send({ reason: 'court\norder' }), 400, 'reason must be a single line');
      expect(await rowsOf(t, c)).toEqual(before);
      const clinic = (await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body;
      expect(clinic.name).toBe(c.clinic.name);
    });

    it('400s bad text in query filters', async () => {
      expectError(await t.http.get(`/v1/adverse-events?product=${encodeURIComponent('A\u202eB')}`).set(c.admin.auth), 400, 'product must not contain bidirectional');
      expectError(await t.http.get(`/v1/reports/course?procedure=${encodeURIComponent('meso\ntherapy')}`).set(c.admin.auth), 400, 'procedure must be a single line');
      expectError(await t.http.get(`/v1/audit-events?action=${encodeURIComponent('   ')}`).set(c.admin.auth), 400, 'action must not be blank');
    });

    it('takes line breaks in a flag note but not bidi controls or blank text, and leaves the flag as it was', async () => {
      const { flag } = await raiseFlag(t, c);
      const post = (path: string, body: object) => t.http.post(`/v1/flags/${flag.id}/${path}`).set(c.practitioner.auth).send(body);
      expectError(await post('notes', { text: 'called\u202e back' }), 400, 'text must not contain bidirectional');
      expectError(await post('notes', { text: ' \n\t ' }), 400, 'text must not be blank');
      expectError(await post('acknowledge', { note: 'seen\u0007' }), 400, 'note must not contain control characters');
      expectError(await post('resolve', { outcome: 'advice_given', note: 'ok\udfff' }), 400, 'note must not contain a lone surrogate');
      const after = (await t.http.get(`/v1/flags/${flag.id}`).set(c.practitioner.auth).expect(200)).body;
      expect(after.status).toBe('open');
      expect(after.history.map((e: { kind: string }) => e.kind)).not.toContain('note');
      await post('notes', { text: 'Called the patient.\r\nAdvice given:\n\t- ice' }).expect(201);
    });
  });

  describe('Twilio webhooks without a valid signature', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    it('403s /webhooks/twilio/sms and /status with a wrong or missing X-Twilio-Signature, storing nothing', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      const treatment = await newTreatment(t, c, patient.id);
      moveClock(t, new Date(treatment.checkIns[0].dueAt));
      await t.dispatcher.tick();
      const [sms] = t.twilioApi.to(patient.phone!);
      expect(sms).toBeDefined();

      const reply = { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: patient.phone!, To: c.smsNumber, Body: '4 4 4 4 4', AccountSid: 'AC' + '0'.repeat(32) };
      const status = { MessageSid: sms.sid, MessageStatus: 'failed', ErrorCode: '30006' };
      const signedFor = (path: string, params: Record<string, string>) => twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, PUBLIC_BASE_URL + path, params);
      const before = await rowsOf(t, c);
      const bad: Array<[string, Record<string, string>, string | null, string]> = [
        ['/webhooks/twilio/sms', reply, null, 'Missing X-Twilio-Signature'],
        ['/webhooks/twilio/sms', reply, 'bm90IGEgc2lnbmF0dXJl', 'Invalid X-Twilio-Signature'],
        // Signed for other content (the body was changed on the way).
        ['/webhooks/twilio/sms', reply, signedFor('/webhooks/twilio/sms', { ...reply, Body: '0' }), 'Invalid X-Twilio-Signature'],
        // Signed for the other endpoint.
        ['/webhooks/twilio/sms', reply, signedFor('/webhooks/twilio/status', reply), 'Invalid X-Twilio-Signature'],
        ['/webhooks/twilio/status', status, null, 'Missing X-Twilio-Signature'],
        ['/webhooks/twilio/status', status, 'bm90IGEgc2lnbmF0dXJl', 'Invalid X-Twilio-Signature'],
        ['/webhooks/twilio/status', status, signedFor('/webhooks/twilio/status', { ...status, MessageStatus: 'delivered' }), 'Invalid X-Twilio-Signature'],
      ];
      for (const [path, params, signature, message] of bad) {
        expectError(await t.twilioWebhook(path, params, { signature }), 403, message);
      }
      expect(await rowsOf(t, c)).toEqual(before);
      const [row] = await t.db.query(`SELECT status, error_code FROM messages WHERE provider_id = $1`, [sms.sid]);
      expect(row).toEqual({ status: 'sent', error_code: null });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE provider_id = $1`, [reply.MessageSid]);
      expect(n).toBe(0);

      // The same reply, signed, is taken: the refusals were about the signature alone.
      await t.twilioWebhook('/webhooks/twilio/sms', reply).expect(200);
      expect((await t.http.get(`/v1/patients/${patient.id}/responses`).set(c.practitioner.auth).expect(200)).body.items).toHaveLength(1);
    });
  });
});
