import { randomBytes } from 'node:crypto';
import { ClinicsService } from '../src/clinics/clinics.service';
import { PatientsService } from '../src/patients/patients.service';
import { createTestApp, DEFAULT_SMS_FROM, TestApp } from './support/app';
import { newClinic, newEmail, newPatient, newPhone, newTreatment, TestClinic } from './support/factories';
import type { TwilioMessageRequest } from './support/twilio-api';

/** SMS in both directions: replies by signed webhook, keywords, flags from words, delivery statuses. */

type Patient = Awaited<ReturnType<typeof newPatient>>;
type Treatment = Awaited<ReturnType<typeof newTreatment>>;
type CheckInRow = { id: string; step: number; status: string; channel: string | null; dueAt: string };

const newSid = () => 'SM' + randomBytes(16).toString('hex');
const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('SMS replies, keywords and delivery statuses', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A patient (SMS first, email consented too) with a treatment done now. */
  async function treated(c: TestClinic, overrides: Record<string, unknown> = {}) {
    const patient = await newPatient(t, c, { preferredChannel: 'sms', ...overrides });
    const treatment = await newTreatment(t, c, patient.id);
    return { patient, treatment };
  }

  /** Moves the clock to the given step's due time (never back) and runs the dispatcher. */
  async function dispatchStep(treatment: Treatment, step = 1) {
    const due = new Date(treatment.checkIns[step - 1].dueAt);
    if (t.clock.now() < due) t.clock.set(due);
    return t.dispatcher.tick();
  }


  /** The one check-in SMS of this treatment's first step that reached the local Twilio API. */
  function checkInSms(patient: Patient, c: TestClinic): TwilioMessageRequest {
    const sms = t.twilioApi.to(patient.phone!).filter((r) => r.params.From === c.smsNumber && r.params.Body.includes('Reply with 5 numbers'));
    expect(sms).toHaveLength(1);
    return sms[0];
  }

  function reply(c: TestClinic, from: string, body: string, sid = newSid()) {
    return t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) });
  }

  const responsesOf = async (c: TestClinic, patientId: string) =>
    (await t.http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as Array<Record<string, unknown>>;
  const checkInsOf = async (c: TestClinic, treatmentId: string) =>
    (await t.http.get(`/v1/treatments/${treatmentId}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as CheckInRow[];
  const flagsOf = async (c: TestClinic, patientId: string) =>
    ((await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items as Array<Record<string, unknown>>).filter(
      (f) => f.patientId === patientId,
    );
  const auditOf = async (c: TestClinic, entityId: string, action: string) =>
    (await t.http.get(`/v1/audit-events?limit=200&action=${action}&entityId=${entityId}`).set(c.compliance.auth).expect(200)).body.items as Array<{
      action: string;
      actorType: string;
      data: Record<string, unknown>;
    }>;
  const count = async (sql: string, params: unknown[] = []) => (await t.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n as number;

  it('processes a repeated MessageSid once: one inbound message, one response', async () => {
    const c = await newClinic(t);
    const { patient, treatment } = await treated(c);
    await dispatchStep(treatment);
    checkInSms(patient, c);

    const sid = newSid();
    for (let i = 0; i < 3; i++) {
      const res = await reply(c, patient.phone!, '1 1 0 0 1', sid).expect(200);
      expect(res.text).toBe(TWIML_EMPTY);
    }
    // Twilio never re-uses a SID with other content, but if it did the first one would still stand.
    await reply(c, patient.phone!, '4 4 4 4 4', sid).expect(200);

    expect(await count(`messages WHERE provider_id = $1`, [sid])).toBe(1);
    const [inbound] = await t.db.query(`SELECT id, direction, status, clinic_id, patient_id, body FROM messages WHERE provider_id = $1`, [sid]);
    expect(inbound).toMatchObject({ direction: 'in', status: 'received', clinic_id: c.clinic.id, patient_id: patient.id, body: '1 1 0 0 1' });
    const responses = await responsesOf(c, patient.id);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ source: 'sms', messageId: inbound.id, bruising: 1, redness: 1, itching: 0, burning: 0, pain: 1 });
    expect(await count(`audit_events WHERE clinic_id = $1 AND action = 'message.received'`, [c.clinic.id])).toBe(1);
    expect(await count(`audit_events WHERE clinic_id = $1 AND action = 'response.stored'`, [c.clinic.id])).toBe(1);
    expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
    expect(await flagsOf(c, patient.id)).toEqual([]);
  });

  it('matches a reply by sender AND clinic number: the same phone at two clinics', async () => {
    const a = await newClinic(t);
    const b = await newClinic(t);
    const phone = newPhone();
    const atA = await treated(a, { phone, givenName: 'Alba' });
    const atB = await treated(b, { phone, givenName: 'Alba' });
    await dispatchStep(atA.treatment);
    await dispatchStep(atB.treatment);
    // One check-in text from each clinic's own number, to the same phone.
    expect(t.twilioApi.to(phone).map((r) => r.params.From).sort()).toEqual([a.smsNumber, b.smsNumber].sort());

    const toB = newSid();
    await reply(b, phone, '2 2 2 2 2', toB).expect(200);
    expect(await responsesOf(a, atA.patient.id)).toEqual([]);
    expect(await responsesOf(b, atB.patient.id)).toEqual([expect.objectContaining({ bruising: 2, pain: 2, treatmentId: atB.treatment.id })]);
    expect((await checkInsOf(a, atA.treatment.id))[0].status).toBe('sent');
    expect((await checkInsOf(b, atB.treatment.id))[0].status).toBe('answered');
    const [inB] = await t.db.query(`SELECT clinic_id, patient_id FROM messages WHERE provider_id = $1`, [toB]);
    expect(inB).toEqual({ clinic_id: b.clinic.id, patient_id: atB.patient.id });

    const toA = newSid();
    await reply(a, phone, '0', toA).expect(200);
    expect(await responsesOf(a, atA.patient.id)).toEqual([expect.objectContaining({ bruising: 0, pain: 0, treatmentId: atA.treatment.id })]);
    expect(await responsesOf(b, atB.patient.id)).toHaveLength(1);
    expect((await checkInsOf(a, atA.treatment.id))[0].status).toBe('answered');
    const [inA] = await t.db.query(`SELECT clinic_id, patient_id FROM messages WHERE provider_id = $1`, [toA]);
    expect(inA).toEqual({ clinic_id: a.clinic.id, patient_id: atA.patient.id });
  });

  describe('reply formats', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    it.each([
      ['1,0,2,0,1', { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 }],
      ['b1 r0 i2 bu0 p1', { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 }],
      ['0', { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 0 }],
      ['1 0 2 0 1', { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 }],
      ['21012', { bruising: 2, redness: 1, itching: 0, burning: 1, pain: 2 }],
      ['P1 BU0 I2 R0 B1 a bit sore', { bruising: 1, redness: 0, itching: 2, burning: 0, pain: 1 }],
      ['bruising 2, redness 1, itching 0, burning 0, pain 1', { bruising: 2, redness: 1, itching: 0, burning: 0, pain: 1 }],
    ])('stores "%s" as scores', async (body, scores) => {
      const { patient, treatment } = await treated(c);
      await dispatchStep(treatment);
      checkInSms(patient, c);
      await reply(c, patient.phone!, body).expect(200);
      const responses = await responsesOf(c, patient.id);
      expect(responses).toEqual([expect.objectContaining({ source: 'sms', rawText: body, checkInId: treatment.checkIns[0].id, daySinceTreatment: 1, ...scores })]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
      // Read, so no clarification was needed.
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(1);
    });
  });

  describe('consent keywords', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    it.each(['STOP', 'stop', 'Unsubscribe'])('"%s" opts the patient out of SMS; the next check-in goes by email', async (keyword) => {
      const { patient, treatment } = await treated(c);
      await dispatchStep(treatment);
      checkInSms(patient, c);
      const texts = t.twilioApi.to(patient.phone!).length;

      await reply(c, patient.phone!, keyword).expect(200);
      const at = t.clock.now().toISOString();
      const p = (await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body;
      expect(p.smsOptedOutAt).toBe(at);
      expect(p.smsConsentAt).not.toBeNull();
      const consent = await auditOf(c, patient.id, 'patient.consent_changed');
      expect(consent.at(-1)).toMatchObject({
        actorType: 'patient',
        data: { channel: 'sms', change: 'opted_out', source: `sms:${keyword.toUpperCase()}` },
      });
      // A keyword is not an answer, and Twilio itself confirms a STOP: nothing is stored or sent.
      expect(await responsesOf(c, patient.id)).toEqual([]);
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(texts);

      // Day 3: by email, and nothing to the phone.
      await dispatchStep(treatment, 2);
      const mails = t.smtp.to(patient.email!).filter((m) => m.parsed.subject?.includes('3 days after your treatment'));
      expect(mails).toHaveLength(1);
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(texts);
      const step2 = (await checkInsOf(c, treatment.id))[1];
      expect(step2).toMatchObject({ status: 'sent', channel: 'email' });
      expect(await count(`messages WHERE patient_id = $1 AND direction = 'out' AND channel = 'sms' AND created_at > $2`, [patient.id, at])).toBe(0);
    });

    it('"START" opts the patient back in, and check-ins go by SMS again', async () => {
      const { patient, treatment } = await treated(c);
      await dispatchStep(treatment);
      await reply(c, patient.phone!, 'STOP').expect(200);
      expect((await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body.smsOptedOutAt).not.toBeNull();

      t.clock.advanceHours(1);
      await reply(c, patient.phone!, 'START').expect(200);
      const p = (await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body;
      expect(p.smsOptedOutAt).toBeNull();
      expect(p.smsConsentAt).toBe(t.clock.now().toISOString());
      expect(p.smsConsentSource).toBe('sms:START');
      expect((await auditOf(c, patient.id, 'patient.consent_changed')).map((e) => e.data.change)).toEqual(['given', 'given', 'opted_out', 'opted_in']);

      const before = t.twilioApi.to(patient.phone!).length;
      await dispatchStep(treatment, 2);
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(before + 1);
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain('3 days after your treatment');
      expect((await checkInsOf(c, treatment.id))[1]).toMatchObject({ status: 'sent', channel: 'sms' });
    });

    it.each(['STOP', 'STOPALL', 'Unsubscribe', 'cancel', 'END', 'quit', 'Revoke', 'OPTOUT', 'stop all'])(
      'every opt-out keyword in any case opts out, and every opt-in keyword opts back in: %s',
      async (keyword) => {
        const patient = await newPatient(t, c, { preferredChannel: 'sms' });
        for (const [word, optedOut] of [[keyword, true], ['START', false], [keyword, true], ['unstop', false], [keyword, true], ['Yes', false]] as const) {
          t.clock.advance(60_000);
          await reply(c, patient.phone!, word).expect(200);
          const p = (await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body;
          expect({ word, optedOut: p.smsOptedOutAt !== null }).toEqual({ word, optedOut });
        }
      },
    );

    it('"INFO" is HELP too', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      await reply(c, patient.phone!, 'info').expect(200);
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain(c.clinic.name);
    });

    it('"HELP" gets a reply SMS naming the clinic, from the clinic number', async () => {
      const patient = await newPatient(t, c, { preferredChannel: 'sms' });
      await reply(c, patient.phone!, 'HELP').expect(200);
      const texts = t.twilioApi.to(patient.phone!);
      expect(texts).toHaveLength(1);
      expect(texts[0].params.From).toBe(c.smsNumber);
      expect(texts[0].params.Body).toContain(c.clinic.name);
      expect(texts[0].params.Body).toContain('Reply STOP');
      const [row] = await t.db.query(`SELECT purpose, status FROM messages WHERE provider_id = $1`, [texts[0].sid]);
      expect(row).toEqual({ purpose: 'consent_reply', status: 'sent' });
      expect(await responsesOf(c, patient.id)).toEqual([]);
      expect(await flagsOf(c, patient.id)).toEqual([]);
    });
  });

  it('asks once about an unreadable reply, then flags the second one for a person', async () => {
    const c = await newClinic(t);
    const { patient, treatment } = await treated(c);
    await dispatchStep(treatment);
    checkInSms(patient, c);

    await reply(c, patient.phone!, 'what is this about?').expect(200);
    const texts = t.twilioApi.to(patient.phone!);
    expect(texts).toHaveLength(2);
    expect(texts[1].params.From).toBe(c.smsNumber);
    expect(texts[1].params.Body).toContain('sorry, we could not read that');
    expect(await flagsOf(c, patient.id)).toEqual([]);

    const second = newSid();
    await reply(c, patient.phone!, 'sorry I do not understand', second).expect(200);
    expect(t.twilioApi.to(patient.phone!)).toHaveLength(2);
    const [inbound] = await t.db.query(`SELECT id FROM messages WHERE provider_id = $1`, [second]);
    expect(await flagsOf(c, patient.id)).toEqual([
      expect.objectContaining({ ruleId: 'unreadable-reply', priority: 'normal', status: 'open', messageId: inbound.id, treatmentId: treatment.id }),
    ]);
    expect(await responsesOf(c, patient.id)).toEqual([]);
    expect((await checkInsOf(c, treatment.id))[0].status).toBe('sent');
  });

  describe('replies as people type them', () => {
    let c: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
    });

    /** A patient whose day-1 check-in went out by SMS; texts to them so far. */
    async function awaitingAnswer(overrides: Record<string, unknown> = {}) {
      const { patient, treatment } = await treated(c, overrides);
      await dispatchStep(treatment);
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(1);
      return { patient, treatment };
    }

    /** The patient texts again a minute later, as people do. */
    async function textAgain(patient: Patient, body: string) {
      t.clock.advance(60_000);
      const sid = newSid();
      await reply(c, patient.phone!, body, sid).expect(200);
      return (await t.db.query(`SELECT id FROM messages WHERE provider_id = $1`, [sid]))[0].id as string;
    }

    const clarificationsSent = async (checkInId: string) => (await t.db.query(`SELECT clarifications_sent AS n FROM check_ins WHERE id = $1`, [checkInId]))[0].n as number;

    it.each([
      ['bruising bad, rest fine', { bruising: 3, redness: 0, itching: 0, burning: 0, pain: 0 }],
      ['Bluterguss leicht, Rötung keine, Juckreiz keine, Brennen keins, Schmerzen mittel', { bruising: 1, redness: 0, itching: 0, burning: 0, pain: 2 }],
      ['moretón fuerte, lo demás bien', { bruising: 3, redness: 0, itching: 0, burning: 0, pain: 0 }],
      ["un peu de rougeur, rien d'autre", { bruising: 0, redness: 1, itching: 0, burning: 0, pain: 0 }],
    ])('stores the words "%s" as scores', async (body, scores) => {
      const { patient, treatment } = await awaitingAnswer();
      await reply(c, patient.phone!, body).expect(200);
      expect(await responsesOf(c, patient.id)).toEqual([
        expect.objectContaining({ source: 'sms', rawText: body, checkInId: treatment.checkIns[0].id, warningSigns: [], ...scores }),
      ]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(1);
    });

    it('asks for just the missing symptoms, then stores the completion as one response', async () => {
      const { patient, treatment } = await awaitingAnswer();
      const checkInId = treatment.checkIns[0].id;

      const first = await textAgain(patient, 'bruising bad, redness 0');
      const texts = t.twilioApi.to(patient.phone!);
      expect(texts).toHaveLength(2);
      const prompt = texts[1];
      expect(prompt.params.From).toBe(c.smsNumber);
      expect(prompt.params.Body).toContain(c.clinic.name);
      expect(prompt.params.Body).toContain('Please also send itching, burning and pain');
      expect(prompt.params.Body).not.toMatch(/bruising|redness/i);
      const [row] = await t.db.query(`SELECT purpose, status, check_in_id FROM messages WHERE provider_id = $1`, [prompt.sid]);
      expect(row).toEqual({ purpose: 'clarification', status: 'sent', check_in_id: checkInId });
      // Nothing is stored from half an answer.
      expect(await responsesOf(c, patient.id)).toEqual([]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('sent');
      expect(await clarificationsSent(checkInId)).toBe(1);

      const second = await textAgain(patient, 'itching 1 burning 0 pain 2');
      const responses = await responsesOf(c, patient.id);
      expect(responses).toEqual([
        expect.objectContaining({
          source: 'sms',
          checkInId,
          messageId: second,
          bruising: 3,
          redness: 0,
          itching: 1,
          burning: 0,
          pain: 2,
          rawText: 'bruising bad, redness 0\nitching 1 burning 0 pain 2',
        }),
      ]);
      expect(first).not.toBe(second);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
      expect(await count(`audit_events WHERE clinic_id = $1 AND action = 'response.stored' AND data->>'checkInId' = $2`, [c.clinic.id, checkInId])).toBe(1);
      // The rules judged the combined answer: bruising 3 is severe.
      expect(await flagsOf(c, patient.id)).toEqual([expect.objectContaining({ ruleId: 'severe-symptom', priority: 'high', responseId: responses[0].id })]);
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(2);
    });

    it("asks in the patient's language, and \"Rest gut\" completes the answer", async () => {
      const { patient, treatment } = await awaitingAnswer({ locale: 'de' });

      await textAgain(patient, 'Bluterguss leicht, Rötung keine');
      const prompt = t.twilioApi.to(patient.phone!).at(-1)!;
      expect(prompt.params.Body).toContain('Bitte senden Sie noch Juckreiz, Brennen und Schmerzen');
      expect(prompt.params.Body).not.toMatch(/Bluterguss|Rötung/);

      await textAgain(patient, 'Rest gut');
      expect(await responsesOf(c, patient.id)).toEqual([expect.objectContaining({ bruising: 1, redness: 0, itching: 0, burning: 0, pain: 0, checkInId: treatment.checkIns[0].id })]);
      expect(await flagsOf(c, patient.id)).toEqual([]);
    });

    it('asks at most twice, then hands the reply to a person; a later completion is still stored', async () => {
      const { patient, treatment } = await awaitingAnswer();
      const checkInId = treatment.checkIns[0].id;

      await textAgain(patient, 'bruising bad');
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain('Please also send redness, itching, burning and pain');
      await textAgain(patient, 'pain 1');
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(3);
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain('Please also send redness, itching and burning');
      expect(await clarificationsSent(checkInId)).toBe(2);
      expect(await flagsOf(c, patient.id)).toEqual([]);

      const third = await textAgain(patient, 'itching 0');
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(3);
      const flags = await flagsOf(c, patient.id);
      expect(flags).toEqual([expect.objectContaining({ ruleId: 'unreadable-reply', priority: 'normal', status: 'open', messageId: third, treatmentId: treatment.id })]);
      expect(flags[0].reason).toContain('still missing: redness, burning');
      expect(await responsesOf(c, patient.id)).toEqual([]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('sent');

      await textAgain(patient, 'redness 0 burning 0');
      expect(await responsesOf(c, patient.id)).toEqual([expect.objectContaining({ checkInId, bruising: 3, redness: 0, itching: 0, burning: 0, pain: 1 })]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(3);
    });

    it('counts an earlier clarification against the two prompts', async () => {
      const { patient, treatment } = await awaitingAnswer();
      await textAgain(patient, 'hello?');
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain('sorry, we could not read that');
      await textAgain(patient, 'pain bad');
      expect(t.twilioApi.to(patient.phone!).at(-1)!.params.Body).toContain('Please also send bruising, redness, itching and burning');
      await textAgain(patient, 'bruising 1');
      expect(t.twilioApi.to(patient.phone!)).toHaveLength(3);
      expect(await flagsOf(c, patient.id)).toEqual([expect.objectContaining({ ruleId: 'unreadable-reply', priority: 'normal', treatmentId: treatment.id })]);
    });

    it.each(['please stop texting me', 'bitte keine SMS mehr', 'no me envíen más mensajes'])(
      '"%s" goes to a person as a flag and does not opt the patient out',
      async (body) => {
        const { patient, treatment } = await awaitingAnswer();
        const inbound = await textAgain(patient, body);

        const flags = await flagsOf(c, patient.id);
        expect(flags).toEqual([expect.objectContaining({ ruleId: 'stop-request', priority: 'normal', status: 'open', messageId: inbound, treatmentId: treatment.id })]);
        expect(flags[0].reason).toMatch(/^Patient asked to stop messages in their own words; call them\./);
        const p = (await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body;
        expect(p).toMatchObject({ smsOptedOutAt: null, smsConsentAt: expect.any(String) });
        expect((await auditOf(c, patient.id, 'patient.consent_changed')).map((e) => e.data.change)).toEqual(['given', 'given']); // at creation only
        // No clarification to someone who asked us to stop; nothing stored.
        expect(t.twilioApi.to(patient.phone!)).toHaveLength(1);
        expect(await responsesOf(c, patient.id)).toEqual([]);
        expect((await checkInsOf(c, treatment.id))[0].status).toBe('sent');
      },
    );

    it('stores an answer that also asks to stop, and flags the request', async () => {
      const { patient, treatment } = await awaitingAnswer();
      await textAgain(patient, '0 0 1 0 0. Please stop texting me after this');
      expect(await responsesOf(c, patient.id)).toEqual([expect.objectContaining({ itching: 1, checkInId: treatment.checkIns[0].id })]);
      expect(await flagsOf(c, patient.id)).toEqual([expect.objectContaining({ priority: 'normal', reason: expect.stringContaining('asked to stop messages') })]);
      expect((await t.http.get(`/v1/patients/${patient.id}`).set(c.practitioner.auth).expect(200)).body.smsOptedOutAt).toBeNull();
    });

    it('sends a warning sign in a partial German answer down the urgent path', async () => {
      const { patient, treatment } = await awaitingAnswer();
      await textAgain(patient, 'Bluterguss leicht, aber meine Lippen sind geschwollen');
      expect(await flagsOf(c, patient.id)).toEqual([expect.objectContaining({ ruleId: 'warning-sign', priority: 'urgent', treatmentId: treatment.id })]);
      expect(await responsesOf(c, patient.id)).toEqual([expect.objectContaining({ bruising: null, warningSigns: ['airway_swelling'] })]);
      expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');
      // Safety advice, not a request for the missing scores.
      const last = t.twilioApi.to(patient.phone!).at(-1)!;
      expect(last.params.Body).not.toContain('also send');
      expect(await count(`messages WHERE patient_id = $1 AND purpose = 'safety_advice'`, [patient.id])).toBe(1);
    });
  });

  it('treats a warning sign in words as urgent: flag, safety advice to the patient, alert to the practitioner', async () => {
    const c = await newClinic(t);
    const practitionerPhone = ((await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items as Array<{ id: string; phone: string }>).find(
      (s) => s.id === c.practitioner.id,
    )!.phone;
    const { patient, treatment } = await treated(c);
    await dispatchStep(treatment);
    checkInSms(patient, c);

    await reply(c, patient.phone!, 'my lips are swelling').expect(200);

    const flags = await flagsOf(c, patient.id);
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'warning-sign', priority: 'urgent', status: 'open', treatmentId: treatment.id })]);
    expect(flags[0].evidence).toMatchObject({ signs: ['airway_swelling'] });
    expect(await responsesOf(c, patient.id)).toEqual([
      expect.objectContaining({ source: 'sms', bruising: null, pain: null, warningSigns: ['airway_swelling'], freeText: 'my lips are swelling' }),
    ]);
    // It answers the open check-in: no "how is your skin?" reminder after an emergency.
    expect((await checkInsOf(c, treatment.id))[0].status).toBe('answered');

    const advice = t.twilioApi.to(patient.phone!).at(-1)!;
    expect(advice.params.From).toBe(c.smsNumber);
    expect(advice.params.Body).toContain(c.clinic.name);
    expect(advice.params.Body).toContain('call emergency services');
    const alert = t.twilioApi.to(practitionerPhone).at(-1);
    expect(alert?.params.Body).toMatch(new RegExp(`^URGENT flag at ${c.clinic.name}`));
    expect(alert?.params.Body).toContain(`/app/flags/${flags[0].id}`);
    const [sent] = await t.db.query(
      `SELECT count(*)::int AS n FROM messages WHERE clinic_id = $1 AND purpose IN ('safety_advice', 'staff_alert') AND status = 'sent'`,
      [c.clinic.id],
    );
    // Advice to the patient; an SMS and an email to the practitioner.
    expect(sent.n).toBe(3);
  });

  it('applies status callbacks forward only, and ignores an unknown MessageSid', async () => {
    const c = await newClinic(t);
    const { patient, treatment } = await treated(c);
    await dispatchStep(treatment);
    const sms = checkInSms(patient, c);
    const statusOf = async () => (await t.db.query(`SELECT status FROM messages WHERE provider_id = $1`, [sms.sid]))[0].status;
    const callback = (MessageStatus: string, MessageSid = sms.sid) =>
      t.twilioWebhook('/webhooks/twilio/status', { MessageSid, MessageStatus, AccountSid: 'AC' + '0'.repeat(32), To: patient.phone!, From: c.smsNumber }).expect(200);

    expect(await statusOf()).toBe('sent');
    await callback('queued');
    expect(await statusOf()).toBe('sent');
    await callback('sent');
    expect(await statusOf()).toBe('sent');
    await callback('delivered');
    expect(await statusOf()).toBe('delivered');
    await callback('sent'); // late
    expect(await statusOf()).toBe('delivered');
    await callback('delivered'); // repeated
    expect(await statusOf()).toBe('delivered');

    const changes = await t.db.query(
      `SELECT data FROM audit_events WHERE action = 'message.status_changed' AND entity_id = (SELECT id::text FROM messages WHERE provider_id = $1)`,
      [sms.sid],
    );
    expect(changes).toEqual([{ data: { from: 'sent', to: 'delivered', errorCode: null, requestId: expect.any(String) } }]);

    const before = { messages: await count('messages'), audit: await count('audit_events'), statuses: await t.db.query(`SELECT id, status, updated_at FROM messages ORDER BY id`) };
    const res = await callback('delivered', newSid());
    expect(res.text).toBe('<Response/>');
    await callback('failed', newSid());
    expect({ messages: await count('messages'), audit: await count('audit_events'), statuses: await t.db.query(`SELECT id, status, updated_at FROM messages ORDER BY id`) }).toEqual(before);
  });

  it('STOP to a sender shared by clinics opts out the patient at each of them', async () => {
    const clinics = t.get(ClinicsService);
    const patients = t.get(PatientsService);
    const phone = newPhone();
    const ids: Array<{ clinicId: string; patientId: string }> = [];
    for (const name of ['Shared A', 'Shared B']) {
      // No number of their own: both use TWILIO_FROM.
      const { clinic } = await clinics.createClinicWithAdmin({ name, timeZone: 'Europe/Madrid', adminEmail: newEmail('shared'), adminPassword: 'long-enough-password' });
      const p = await patients.create(clinic.id, { type: 'integration', id: 'test' }, { givenName: 'S', familyName: 'S', phone, smsConsent: true });
      ids.push({ clinicId: clinic.id, patientId: p.id });
    }
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newSid(), From: phone, To: DEFAULT_SMS_FROM, Body: 'STOP' }).expect(200);
    for (const { clinicId, patientId } of ids) {
      expect((await patients.get(clinicId, patientId)).smsOptedOutAt).not.toBeNull();
    }
  });

  describe('clinics sending through a Twilio messaging service (sms_from = MG…)', () => {
    const newMg = () => 'MG' + randomBytes(16).toString('hex');

    it('matches a reply by MessagingServiceSid: Twilio posts the number as To and the service separately', async () => {
      const mg = newMg();
      const { clinic } = await t.get(ClinicsService).createClinicWithAdmin({ name: 'Service Clinic', timeZone: 'Europe/Madrid', adminEmail: newEmail('mg'), adminPassword: 'long-enough-password', smsFrom: mg });
      const patient = await t.get(PatientsService).create(clinic.id, { type: 'integration', id: 'test' }, { givenName: 'M', familyName: 'G', phone: newPhone(), smsConsent: true });
      const admin = await t.http.post('/v1/auth/login').send({ email: (await t.get(ClinicsService).listStaff(clinic.id))[0].email, password: 'long-enough-password' }).expect(200);
      const auth = { Authorization: `Bearer ${admin.body.accessToken}` };
      const treatment = (await t.http.post('/v1/treatments').set(auth).send({ patientId: patient.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'P', performedAt: t.clock.now().toISOString() }).expect(201)).body;
      await dispatchStep(treatment);
      const [out] = t.twilioApi.to(patient.phone!);
      expect(out.params).toMatchObject({ MessagingServiceSid: mg });

      // The number the service picked for this message: not known to any clinic by itself.
      const serviceNumber = newPhone();
      const sid = newSid();
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: patient.phone!, To: serviceNumber, MessagingServiceSid: mg, Body: '2 1 0 0 1' }).expect(200);
      const [inbound] = await t.db.query(`SELECT clinic_id, patient_id, to_address FROM messages WHERE provider_id = $1`, [sid]);
      expect(inbound).toEqual({ clinic_id: clinic.id, patient_id: patient.id, to_address: serviceNumber });
      const responses = (await t.http.get(`/v1/patients/${patient.id}/responses`).set(auth).expect(200)).body.items;
      expect(responses).toEqual([expect.objectContaining({ bruising: 2, redness: 1, pain: 1, checkInId: treatment.checkIns[0].id })]);

      // Without the service SID the number alone matches nothing, as before.
      const stray = newSid();
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: stray, From: patient.phone!, To: serviceNumber, Body: '0' }).expect(200);
      expect(await count(`messages WHERE provider_id = $1`, [stray])).toBe(0);
    });

    it('treats a default sender (TWILIO_FROM) that is a messaging service the same way, for clinics without their own', async () => {
      const mg = newMg();
      const clinics = t.get(ClinicsService);
      const { clinic: own } = await clinics.createClinicWithAdmin({ name: 'Own', timeZone: 'Europe/Madrid', adminEmail: newEmail('own'), adminPassword: 'long-enough-password', smsFrom: newPhone() });
      const { clinic: shared } = await clinics.createClinicWithAdmin({ name: 'Default', timeZone: 'Europe/Madrid', adminEmail: newEmail('def'), adminPassword: 'long-enough-password' });
      const ids = (list: Array<{ id: string }>) => list.map((c) => c.id);
      expect(ids(await clinics.clinicsForSmsNumber(newPhone(), mg, mg))).toContain(shared.id);
      expect(ids(await clinics.clinicsForSmsNumber(newPhone(), mg, mg))).not.toContain(own.id);
      expect(ids(await clinics.clinicsForSmsNumber(newPhone(), mg, newMg()))).not.toContain(shared.id);
      expect(ids(await clinics.clinicsForSmsNumber(own.smsFrom!, mg, undefined))).toEqual([own.id]);
    });
  });

  describe('a text from an unknown number', () => {
    it("is kept under the clinic when the number is that clinic's alone", async () => {
      const c = await newClinic(t);
      const sid = newSid();
      const stranger = newPhone();
      await reply(c, stranger, 'hello?', sid).expect(200);
      const [inbound] = await t.db.query(`SELECT clinic_id, patient_id FROM messages WHERE provider_id = $1`, [sid]);
      expect(inbound).toEqual({ clinic_id: c.clinic.id, patient_id: null });
    });

    it('is not filed under a guessed clinic when several share the number: nothing is stored', async () => {
      const clinics = t.get(ClinicsService);
      const made: string[] = [];
      for (const name of ['Default A', 'Default B']) {
        const { clinic } = await clinics.createClinicWithAdmin({ name, timeZone: 'Europe/Madrid', adminEmail: newEmail('default'), adminPassword: 'long-enough-password' });
        made.push(clinic.id);
      }
      const before = await count(`audit_events WHERE clinic_id = ANY($1::uuid[])`, [made]);
      const sid = newSid();
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: newPhone(), To: DEFAULT_SMS_FROM, Body: 'who is this?' }).expect(200);
      expect(await count(`messages WHERE provider_id = $1`, [sid])).toBe(0);
      expect(await count(`audit_events WHERE clinic_id = ANY($1::uuid[])`, [made])).toBe(before);
    });
  });
});
