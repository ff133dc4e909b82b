import type { TestApp } from './support/app';
import { newClinic, newPhone, TestClinic } from './support/factories';
import { newSid, Patient, smsSuite, TWIML_EMPTY } from './support/sms';

/** SMS replies by signed webhook: matching a reply to its patient, reading it in any format or language, asking for what is missing, flags from words. */

describe('SMS replies', () => {
  const { app, treated, dispatchStep, checkInSms, reply, responsesOf, checkInsOf, flagsOf, auditOf, count } = smsSuite();
  let t: TestApp;
  beforeAll(() => (t = app.t));

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
});
