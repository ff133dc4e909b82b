import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

/** The whole follow-up loop on PostgreSQL, SMTP and the twilio SDK, with the clock moved by the test. */
describe('the follow-up loop, end to end', () => {
  let t: TestApp;
  let c: TestClinic;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
    c = await newClinic(t);
  });
  afterAll(() => t.close());

  it('plans, sends by email and SMS, takes answers by form and SMS, flags, triages and audits every step', async () => {
    const byEmail = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Eva' });
    const bySms = await newPatient(t, c, { preferredChannel: 'sms', givenName: 'Sam' });
    const tEmail = await newTreatment(t, c, byEmail.id);
    const tSms = await newTreatment(t, c, bySms.id);

    // Planned (body protocol, thighs): days 1, 3, 7, 14, 30, 60, 90 at 10:00 Madrid (09:00 UTC in March).
    expect(tEmail.checkIns.map((x) => x.dueAt)).toEqual([
      '2026-03-03T09:00:00.000Z',
      '2026-03-05T09:00:00.000Z',
      '2026-03-09T09:00:00.000Z',
      '2026-03-16T09:00:00.000Z',
      // Spain moves to summer time on 29 March: 10:00 local is 08:00 UTC from then on.
      '2026-04-01T08:00:00.000Z',
      '2026-05-01T08:00:00.000Z',
      '2026-05-31T08:00:00.000Z',
    ]);

    // Nothing is due yet.
    expect((await t.dispatcher.tick()).sent).toBe(0);
    expect(t.smtp.received).toHaveLength(0);

    t.clock.set('2026-03-03T09:00:00Z');
    const report = await t.dispatcher.tick();
    expect(report.sent).toBe(2);

    // The email arrived at the SMTP server, with text and HTML parts and the form link.
    const [mail] = t.smtp.to(byEmail.email!);
    expect(mail.parsed.subject).toContain('one day after your treatment');
    expect(mail.parsed.html).toContain('/c/');
    const emailLink = linkIn(mail.parsed.text!);

    // The SMS went through the real twilio SDK to the local Twilio API.
    const [sms] = t.twilioApi.to(bySms.phone!);
    expect(sms.params.From).toBe(c.smsNumber);
    expect(sms.params.Body).toContain('Reply with 5 numbers 0-4');
    expect(sms.params.StatusCallback).toMatch(/^https:\/\/aftercare\.test\/webhooks\/twilio\/status\?m=[0-9a-f-]{36}$/);
    linkIn(sms.params.Body);

    // Opening the form changes nothing (mail scanners open links).
    const page = await t.http.get(emailLink).expect(200);
    expect(page.text).toContain('Bruising');
    expect(page.text).toContain('Swelling of the face, lips or throat');
    const [before] = (await t.http.get(`/v1/treatments/${tEmail.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items;
    expect(before.status).toBe('sent');

    // The email patient reports severe pain and a fever by the form.
    const thanks = await t.http
      .post(emailLink)
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '3', ...NO_WARNING_SIGNS, ws_fever: 'yes', free_text: 'hot and shivery' })
      .expect(200);
    expect(thanks.text).toContain('Please act now');

    // The token is used up.
    await t.http.post(emailLink).type('form').send({ bruising: '0' }).expect(410);
    await t.http.get(emailLink).expect(410);

    // Urgent: safety advice to the patient and an alert to the practitioner, at once.
    const advice = t.smtp.to(byEmail.email!).find((m) => m.parsed.subject?.includes('please contact us now'));
    expect(advice?.parsed.text).toContain('call');
    const practitionerPhone = (await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items.find(
      (s: { id: string }) => s.id === c.practitioner.id,
    ).phone;
    const alert = t.twilioApi.to(practitionerPhone).at(-1);
    expect(alert?.params.Body).toMatch(/^URGENT flag at Clinic/);
    expect(alert?.params.Body).toContain('/app/flags/');

    // The SMS patient answers by a signed reply.
    await t
      .twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + 'a'.repeat(32), From: bySms.phone!, To: c.smsNumber, Body: 'b1 r0 i4 bu0 p1', AccountSid: 'AC' + '0'.repeat(32) })
      .expect(200);
    const smsResponses = (await t.http.get(`/v1/patients/${bySms.id}/responses`).set(c.practitioner.auth).expect(200)).body.items;
    expect(smsResponses).toHaveLength(1);
    expect(smsResponses[0]).toMatchObject({ source: 'sms', bruising: 1, itching: 4, pain: 1, daySinceTreatment: 1 });

    // Delivery statuses: delivered sticks, a late "sent" does not undo it.
    await t.twilioWebhook('/webhooks/twilio/status', { MessageSid: sms.sid, MessageStatus: 'delivered' }).expect(200);
    await t.twilioWebhook('/webhooks/twilio/status', { MessageSid: sms.sid, MessageStatus: 'sent' }).expect(200);
    const [{ status }] = await t.db.query(`SELECT status FROM messages WHERE provider_id = $1`, [sms.sid]);
    expect(status).toBe('delivered');

    // The triage queue: urgent first, then high.
    const flags = (await t.http.get('/v1/flags?status=open').set(c.practitioner.auth).expect(200)).body;
    expect(flags.items.map((f: { priority: string; ruleId: string }) => `${f.priority}:${f.ruleId}`)).toEqual([
      'urgent:warning-sign',
      'high:severe-symptom',
      'high:severe-symptom',
    ]);
    const urgent = flags.items[0];
    expect(urgent).toMatchObject({ ruleVersion: 2, patientId: byEmail.id });
    expect(urgent.evidence.signs).toEqual(['fever']);

    // A practitioner acknowledges and resolves it.
    await t.http.post(`/v1/flags/${urgent.id}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);
    const resolved = await t.http
      .post(`/v1/flags/${urgent.id}/resolve`)
      .set(c.practitioner.auth)
      .send({ outcome: 'seen_in_clinic', note: 'Seen same day; antibiotics started.' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', outcome: 'seen_in_clinic', resolvedBy: c.practitioner.id });
    expect((await t.http.get('/v1/flags?status=open&priority=urgent').set(c.practitioner.auth).expect(200)).body.total).toBe(0);

    // The audit log lists every step, in order, and its chain verifies.
    const audit = (await t.http.get('/v1/audit-events?limit=200').set(c.compliance.auth).expect(200)).body.items as Array<{
      action: string;
      entityId: string;
      data: Record<string, unknown>;
    }>;
    const actions = audit.map((e) => e.action);
    expectInOrder(actions, [
      'clinic.created',
      'staff.created',
      'staff.logged_in',
      'patient.created',
      'patient.consent_changed',
      'treatment.created',
      'check_ins.planned',
      'message.sent',
      'check_in.sent',
      'response.stored',
      'check_in.answered',
      'flag.raised',
      'flag.urgent_messages_queued',
      'message.sent',
      'message.received',
      'response.stored',
      'message.status_changed',
      'flag.acknowledged',
      'flag.resolved',
    ]);
    expect(actions.filter((a) => a === 'message.status_changed')).toHaveLength(1);
    // No contact details in the audit log.
    const text = JSON.stringify(audit);
    expect(text).not.toContain(byEmail.email!);
    expect(text).not.toContain(bySms.phone!);
    const verify = await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200);
    expect(verify.body).toMatchObject({ ok: true, count: audit.length });
  });
});

function expectInOrder(actual: string[], expected: string[]): void {
  let i = 0;
  for (const a of actual) if (a === expected[i]) i++;
  if (i < expected.length) {
    throw new Error(`Audit steps out of order or missing from "${expected[i]}" on.\nActual: ${actual.join(', ')}`);
  }
}
