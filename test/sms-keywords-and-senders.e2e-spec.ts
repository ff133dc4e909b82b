import { ClinicsService } from '../src/clinics/clinics.service';
import { PatientsService } from '../src/patients/patients.service';
import { DEFAULT_SMS_FROM, type TestApp } from './support/app';
import { newClinic, newEmail, newPatient, newPhone, TestClinic } from './support/factories';
import { newMessagingServiceSid, newSid, smsSuite } from './support/sms';

/** SMS keywords (STOP, START, HELP), delivery statuses, and which clinic a text belongs to by its sender. */

describe('SMS keywords, senders and delivery statuses', () => {
  const { app, treated, dispatchStep, checkInSms, reply, responsesOf, checkInsOf, flagsOf, auditOf, count } = smsSuite();
  let t: TestApp;
  beforeAll(() => (t = app.t));

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
    const newMg = newMessagingServiceSid;

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
