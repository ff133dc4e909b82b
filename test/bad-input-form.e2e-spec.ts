import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { appSuite, PUBLIC_BASE_URL, TestApp } from './support/app';
import { newClinic, newPatient, newTreatment, TestClinic } from './support/factories';
import { TEST_AUTH_TOKEN } from './support/twilio-api';
import { expectError, firstEmailLink, FULL_FORM, moveClock, rowsOf } from './support/refusals';

/**
 * Bad input from outside, on the real app (the patient form, paging numbers, unsigned Twilio
 * webhooks): each case checks the exact status, the `{ statusCode, error, message }` body, and
 * that no row was written anywhere for the clinic.
 */
describe('bad input from outside is refused and leaves nothing behind', () => {
  const suite = appSuite({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  let t: TestApp;
  beforeAll(() => {
    t = suite.t;
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
