import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from './app';
import { linkIn, newClinic, newEmail, newPatient, newTreatment, NO_WARNING_SIGNS, StaffLogin, TestClinic } from './factories';

const MINUTE = 60_000;
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * For a describe block: a clinic's adverse-event log built through the real loop: treatments by
 * two practitioners with two products and three lots, answers through the form (and one
 * unreadable SMS conversation), flags raised by the rules. Made in beforeAll, closed in afterAll;
 * read `suite.t`, `suite.c`, `suite.other`, `suite.second` from a test or a later beforeAll
 * (`flagOf` and `patients` are filled in place).
 */
export function adverseEventLog() {
  let t: TestApp;
  let c: TestClinic;
  let other: TestClinic;
  let second: StaffLogin;
  const flagOf: Record<string, string> = {};
  const patients: Record<string, { id: string; email: string | null; phone: string | null }> = {};

  async function secondPractitioner(clinic: TestClinic): Promise<StaffLogin> {
    const email = newEmail('practitioner');
    const password = 'correct-horse-battery-staple';
    const res = await t.http.post('/v1/staff').set(clinic.admin.auth).send({ email, name: 'Dr Second', role: 'practitioner', password }).expect(201);
    const login = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    return { id: res.body.id, email, password, token: login.body.accessToken, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  }

  /** Answers the newest check-in email of the patient through the form. */
  async function answerByForm(email: string, fields: Record<string, string>) {
    const mails = t.smtp.to(email);
    expect(mails.length).toBeGreaterThan(0);
    await t.http
      .post(linkIn(mails[mails.length - 1].parsed.text!))
      .type('form')
      .send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS, free_text: '', ...fields })
      .expect(200);
  }

  async function clinicalFlagsOf(clinic: TestClinic, patientId: string) {
    const items = (await t.http.get('/v1/flags?limit=200').set(clinic.practitioner.auth).expect(200)).body.items as Json[];
    return items.filter((f) => f.patientId === patientId);
  }

  const log = (who: { Authorization: string } | Record<string, string>, query = '') => t.http.get(`/v1/adverse-events${query}`).set(who);

  const suite = {
    t: undefined as unknown as TestApp,
    c: undefined as unknown as TestClinic,
    other: undefined as unknown as TestClinic,
    second: undefined as unknown as StaffLogin,
    flagOf,
    patients,
    answerByForm,
    clinicalFlagsOf,
    log,
  };

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    c = await newClinic(t);
    other = await newClinic(t);
    second = await secondPractitioner(c);

    // Monday 2 March: three patients treated.
    for (const [key, overrides] of [
      ['severe', { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A1', practitionerId: c.practitioner.id }],
      ['warning', { product: 'Hyaluronic B', lotNumber: 'LOT-B7', practitionerId: second.id }],
      ['unreadable', { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A2', practitionerId: second.id }],
    ] as const) {
      const p = await newPatient(t, c, { preferredChannel: key === 'unreadable' ? 'sms' : 'email' });
      patients[key] = p;
      await newTreatment(t, c, p.id, overrides);
    }
    // The other clinic has a flagged reaction of its own, which must never show here.
    const stranger = await newPatient(t, other, { preferredChannel: 'email' });
    await newTreatment(t, other, stranger.id, { practitionerId: other.practitioner.id });

    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.advance(30 * MINUTE);
    await answerByForm(patients.severe.email!, { bruising: '1', pain: '3' });
    t.clock.advance(10 * MINUTE);
    await answerByForm(patients.warning.email!, { redness: '1', ws_fever: 'yes' });
    await answerByForm(stranger.email!, { pain: '4' });
    // Two unreadable SMS replies go to a person: a flag, but not an adverse event.
    const reply = (body: string) =>
      t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: patients.unreadable.phone!, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);
    await reply('what is this about?');
    await reply('sorry I do not understand');

    // Friday 20 March: a fourth patient, answer on the 21st.
    t.clock.set('2026-03-20T08:00:00Z');
    const late = await newPatient(t, c, { preferredChannel: 'email' });
    patients.late = late;
    await newTreatment(t, c, late.id, { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A1', practitionerId: c.practitioner.id });
    t.clock.set('2026-03-21T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.advance(20 * MINUTE);
    await answerByForm(late.email!, { redness: '3' });

    for (const key of ['severe', 'warning', 'late'] as const) {
      const flags = await clinicalFlagsOf(c, patients[key].id);
      const wanted = key === 'warning' ? 'warning-sign' : 'severe-symptom';
      flagOf[key] = flags.find((f) => f.ruleId === wanted)!.id;
      expect(flagOf[key]).toBeDefined();
    }
    const unreadable = await clinicalFlagsOf(c, patients.unreadable.id);
    expect(unreadable.map((f) => f.ruleId)).toContain('unreadable-reply');
    Object.assign(suite, { t, c, other, second });
  });
  afterAll(() => t.close());
  return suite;
}

/**
 * What the assessment tests do to the severe flag, for a file that needs the log as they leave it:
 * assessed on 3 March, resolved as seen in clinic on the 4th, reassessed as related and serious.
 */
export async function assessAndResolveSevere(suite: ReturnType<typeof adverseEventLog>) {
  const { t, c, flagOf } = suite;
  const assess = (who: { Authorization: string }, body: object) => t.http.post(`/v1/flags/${flagOf.severe}/assess`).set(who).send(body).expect(200);
  t.clock.set('2026-03-03T11:00:00Z');
  await assess(c.practitioner.auth, { causality: 'possibly_related', seriousness: 'non_serious', note: 'Expected bruising pattern, pain high.' });
  t.clock.set('2026-03-04T10:00:00Z');
  await t.http.post(`/v1/flags/${flagOf.severe}/resolve`).set(c.practitioner.auth).send({ outcome: 'seen_in_clinic', note: 'Seen: hematoma drained.' }).expect(200);
  t.clock.advance(5 * MINUTE);
  await assess(c.admin.auth, { causality: 'related', seriousness: 'serious', seriousnessCriteria: ['medically_important', 'hospitalisation'], note: 'Hematoma needed drainage.' });
}
