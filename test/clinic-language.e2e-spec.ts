import { EscalationService } from '../src/flags/escalation.service';
import { smsSegments } from '../src/common/sms-segments';
import type { TestApp } from './support/app';
import { appWithClinic, newPatient, newTreatment, replyBySms, TestClinic } from './support/factories';

/**
 * Issue 13 §3 through the API: the clinic's staff language and SMS name (settings, validation),
 * staff alerts and escalations in that language, every SMS saying how long it may wait, the
 * check-in in two segments whatever the patient's name, and the Spanish check-in's day count.
 */
describe("clinic's staff language, SMS name and how long an SMS may wait", () => {
  const suite = appWithClinic({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  let t: TestApp;
  let c: TestClinic;
  beforeAll(() => {
    ({ t, c } = suite);
  });


  async function askedBySms(overrides: Record<string, unknown> = {}) {
    t.clock.set('2026-03-02T08:00:00Z');
    const patient = await newPatient(t, c, { preferredChannel: 'sms', ...overrides });
    await newTreatment(t, c, patient.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.advance(20 * 60_000);
    return { patient, checkIn: t.twilioApi.to(patient.phone!).at(-1)!.params };
  }

  it('validates the settings with messages that say what is wrong, and audits the change', async () => {
    const bad = async (body: Record<string, unknown>, message: RegExp) => {
      const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send(body).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
    };
    await bad({ staffLocale: 'it' }, /staffLocale must be one of en, de, fr, es/);
    await bad({ staffLocale: null }, /staffLocale cannot be null/);
    await bad({ smsName: 'Clínica Estética Sol y Mar' }, /smsName must be shorter than or equal to 20 characters/);
    await bad({ smsName: 'Клиника' }, /smsName must use only the GSM-7 SMS alphabet/);
    await bad({ smsName: 'Sol 🌞' }, /GSM-7/);
    await t.http.patch('/v1/clinic').set(c.practitioner.auth).send({ staffLocale: 'de' }).expect(403);

    const before = (await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body;
    expect(before).toMatchObject({ smsName: null, staffLocale: 'en', smsNameInUse: expect.any(String) });
    expect(before.smsNameInUse.length).toBeLessThanOrEqual(20);
    const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send({ staffLocale: 'de', smsName: 'Hautzentrum Süd' }).expect(200);
    expect(res.body).toMatchObject({ staffLocale: 'de', smsName: 'Hautzentrum Süd', smsNameInUse: 'Hautzentrum Süd' });
    const audit = (await t.http.get(`/v1/audit-events?action=clinic.updated&entityId=${c.clinic.id}`).set(c.compliance.auth).expect(200)).body.items;
    expect(audit[0].data.fields).toEqual(expect.arrayContaining(['smsName', 'staffLocale']));
  });

  it("check-ins name the clinic by its SMS name and keep to two segments for a name in another script (greeting without it)", async () => {
    const { checkIn } = await askedBySms({ givenName: 'Александра' });
    expect(checkIn.Body).toMatch(/^Hautzentrum Süd: how is your skin one day after your treatment\?/);
    expect(checkIn.Body).not.toContain('Александра');
    expect(smsSegments(checkIn.Body)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('the Spanish check-in keeps the day count', async () => {
    const { checkIn } = await askedBySms({ locale: 'es', givenName: 'Lucía' });
    expect(checkIn.Body).toContain('hola Lucia, ¿qué tal su piel un dia después del tratamiento?');
    expect(smsSegments(checkIn.Body).segments).toBeLessThanOrEqual(2);
  });

  it('HELP replies and requests for missing scores say how long they may wait (2 hours)', async () => {
    const { patient } = await askedBySms();
    let before = t.twilioApi.to(patient.phone!).length;
    await replyBySms(t, c, patient.phone!, 'HELP');
    const help = t.twilioApi.to(patient.phone!).slice(before);
    expect(help).toHaveLength(1);
    expect(help[0].params.ValidityPeriod).toBe('7200');

    before = t.twilioApi.to(patient.phone!).length;
    await replyBySms(t, c, patient.phone!, 'bruising 1 redness 0');
    const ask = t.twilioApi.to(patient.phone!).slice(before);
    expect(ask).toHaveLength(1);
    expect(ask[0].params.Body).toContain('itching, burning and pain');
    expect(ask[0].params.ValidityPeriod).toBe('7200');
  });

  it("an urgent flag alerts staff in the clinic's language, and advice and alerts say how long they may wait", async () => {
    const { patient } = await askedBySms();
    const mark = { sms: t.twilioApi.requests.length, mail: t.smtp.received.length };
    await replyBySms(t, c, patient.phone!, 'I have a fever and pus');
    const advice = t.twilioApi.requests.slice(mark.sms).filter((r) => r.params.To === patient.phone);
    expect(advice).toHaveLength(1);
    expect(advice[0].params.Body).toMatch(/^Hautzentrum Süd: /);
    expect(advice[0].params.ValidityPeriod).toBe(String(4 * 3600));

    const staffSms = t.twilioApi.requests.slice(mark.sms).filter((r) => r.params.To !== patient.phone);
    expect(staffSms.length).toBeGreaterThan(0);
    for (const s of staffSms) {
      expect(s.params.Body).toMatch(new RegExp(`^DRINGEND: Meldung bei ${c.clinic.name}: .* Öffnen: https://aftercare.test/app/flags/`));
      expect(s.params.ValidityPeriod).toBe('3600');
    }
    const staffMail = t.smtp.received.slice(mark.mail).filter((m) => !m.envelopeTo.includes(patient.email ?? ''));
    expect(staffMail.map((m) => m.parsed.subject)).toContain(`[DRINGEND] Aftercare-Meldung bei ${c.clinic.name}`);

    // Nobody acknowledges it: the escalation is in German too.
    const escMark = t.twilioApi.requests.length;
    t.clock.advance(31 * 60_000);
    await t.get(EscalationService).tick();
    const escalated = t.twilioApi.requests.slice(escMark).map((r) => r.params.Body);
    expect(escalated).toEqual(expect.arrayContaining([expect.stringMatching(/^ESKALIERT: DRINGEND-Meldung bei .* seit 31 Minuten nicht bestätigt\./)]));
  });
});
