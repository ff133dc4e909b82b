import type { TestApp } from './support/app';
import { appWithClinic, linkIn, newPatient, newTreatment, NO_WARNING_SIGNS, replyBySms, TestClinic } from './support/factories';

/**
 * Issue 13 §1 through the API: the patient's words are read with their negations. "No fever"
 * raises nothing and sends no advice; "no fever but my lips are swelling" takes the urgent
 * pathway for the swelling, and the flag quotes the words it acted on. The negated signs stay
 * on the answer for the practitioner to see.
 */
describe('warning signs in words, negations read (SMS and form)', () => {
  const suite = appWithClinic({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  let t: TestApp;
  let c: TestClinic;
  beforeAll(() => {
    ({ t, c } = suite);
  });

  const mark = () => ({ sms: t.twilioApi.requests.length, mail: t.smtp.received.length });
  const smsSince = (m: { sms: number }, to: string) => t.twilioApi.requests.slice(m.sms).filter((r) => r.params.To === to).map((r) => r.params.Body);
  const mailSince = (m: { mail: number }) => t.smtp.received.slice(m.mail);
  const flagsOf = async (patientId: string) =>
    ((await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items as Array<{ patientId: string; ruleId: string; priority: string; reason: string }>).filter(
      (f) => f.patientId === patientId,
    );
  const responsesOf = async (patientId: string) =>
    (await t.http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as Array<{ warningSigns: string[]; signReadings: unknown[]; rawText: string | null }>;

  /** A patient asked their day-1 check-in on `channel`; returns the patient and the form link. */
  async function asked(channel: 'sms' | 'email', locale = 'en') {
    t.clock.set('2026-03-02T08:00:00Z');
    const patient = await newPatient(t, c, { preferredChannel: channel, locale });
    await newTreatment(t, c, patient.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const text = channel === 'sms' ? t.twilioApi.to(patient.phone!).at(-1)!.params.Body : t.smtp.to(patient.email!).at(-1)!.parsed.text!;
    t.clock.advance(20 * 60_000);
    return { patient, link: linkIn(text) };
  }

  it('"No fever, no pus, just a bit tender." by SMS with scores: stored with its negated signs, no flag, no advice, nobody paged', async () => {
    const { patient } = await asked('sms');
    const m = mark();
    await replyBySms(t, c, patient.phone!, '1 1 0 0 1 No fever, no pus, just a bit tender.');
    expect(await flagsOf(patient.id)).toEqual([]);
    expect(smsSince(m, patient.phone!)).toEqual([]);
    expect(t.twilioApi.requests.slice(m.sms)).toEqual([]);
    expect(mailSince(m)).toEqual([]);
    const [answer] = await responsesOf(patient.id);
    expect(answer.warningSigns).toEqual([]);
    expect(answer.signReadings).toEqual([
      { sign: 'fever', status: 'negated', words: 'fever', cue: 'No' },
      { sign: 'discharge', status: 'negated', words: 'pus', cue: 'no' },
    ]);
  });

  it('"No fever, no pus, just a bit tender." by SMS alone: no flag and no advice (only the usual request for the numbers)', async () => {
    const { patient } = await asked('sms');
    const m = mark();
    await replyBySms(t, c, patient.phone!, 'No fever, no pus, just a bit tender.');
    expect(await flagsOf(patient.id)).toEqual([]);
    const sent = smsSince(m, patient.phone!);
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toMatch(/call|contact us now|emergency/i);
    expect(mailSince(m)).toEqual([]);
  });

  it('"Kein Fieber, keine Schwellung im Gesicht." by SMS and in the form: no flag, no advice', async () => {
    const bySms = await asked('sms', 'de');
    let m = mark();
    await replyBySms(t, c, bySms.patient.phone!, '1 1 0 0 1 Kein Fieber, keine Schwellung im Gesicht.');
    expect(await flagsOf(bySms.patient.id)).toEqual([]);
    expect(t.twilioApi.requests.slice(m.sms)).toEqual([]);
    expect(mailSince(m)).toEqual([]);

    const byForm = await asked('email', 'de');
    m = mark();
    const page = await t.http
      .post(byForm.link)
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, free_text: 'Kein Fieber, keine Schwellung im Gesicht.' })
      .expect(200);
    expect(page.text).not.toMatch(/sofort|Notruf|112/);
    expect(await flagsOf(byForm.patient.id)).toEqual([]);
    expect(t.twilioApi.requests.slice(m.sms)).toEqual([]);
    expect(mailSince(m)).toEqual([]);
    const [answer] = await responsesOf(byForm.patient.id);
    expect(answer.signReadings).toEqual([
      { sign: 'fever', status: 'negated', words: 'Fieber', cue: 'Kein' },
      { sign: 'airway_swelling', status: 'negated', words: 'Schwellung im Gesicht', cue: 'keine' },
    ]);
  });

  it('"no fever but my lips are swelling": the urgent pathway, advice to the patient, on-call paged, the reason quoting the words', async () => {
    const { patient } = await asked('sms');
    const m = mark();
    await replyBySms(t, c, patient.phone!, 'no fever but my lips are swelling');
    const flags = await flagsOf(patient.id);
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'warning-sign', priority: 'urgent' })]);
    expect(flags[0].reason).toContain('"lips are swelling"');
    expect(flags[0].reason).toContain('they said no to: "fever" ("no")');

    const advice = smsSince(m, patient.phone!);
    expect(advice).toEqual([expect.stringContaining('call emergency services (112 / 999 / 911) now')]);
    // Nobody is on the rota: every practitioner is paged.
    const paged = t.twilioApi.requests.slice(m.sms).filter((r) => r.params.To !== patient.phone).map((r) => r.params.Body);
    expect(paged).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^URGENT flag at ${c.clinic.name}:`))]));
    expect(mailSince(m).some((mail) => mail.envelopeTo.includes(c.practitioner.email))).toBe(true);

    const [answer] = await responsesOf(patient.id);
    expect(answer.warningSigns).toEqual(['airway_swelling']);
    expect(answer.signReadings).toEqual([
      { sign: 'fever', status: 'negated', words: 'fever', cue: 'no' },
      { sign: 'airway_swelling', status: 'present', words: 'lips are swelling', cue: null },
    ]);
  });

  it('a hedged sign in the form ("I think it might be pus") is urgent and says it was unsure', async () => {
    const { patient, link } = await asked('email');
    await t.http
      .post(link)
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, free_text: 'I think it might be pus' })
      .expect(200);
    const flags = await flagsOf(patient.id);
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'warning-sign', priority: 'urgent' })]);
    expect(flags[0].reason).toContain('"pus" (unsure: "might be")');
  });
});
