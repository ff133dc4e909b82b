import { randomBytes, randomUUID } from 'node:crypto';
import twilio from 'twilio';
import { appSuite, TestApp } from './support/app';
import { newClinic, newEmail, newPatient, newTreatment, TestClinic, patientBody, treatmentBody } from './support/factories';
import { expectError, firstEmailLink, FULL_FORM, moveClock, raiseFlag, rowsOf } from './support/refusals';

/**
 * Bad records, on the real app (patients, treatments, text the database cannot store or that is
 * not printable): each case checks the exact status, the `{ statusCode, error, message }` body,
 * and that no row was written anywhere for the clinic.
 */
describe('bad records are refused and leave nothing behind', () => {
  const suite = appSuite({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
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
});
