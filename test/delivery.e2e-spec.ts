import { createTestApp, TestApp } from './support/app';
import { newClinic, newPatient, newTreatment, TestClinic, treatedYesterday } from './support/factories';

/** Delivery failures by kind, through the real twilio SDK and a real SMTP server. */
describe('delivery failures, consent and unsubscribe', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  const patientOf = async (c: TestClinic, id: string) => (await t.http.get(`/v1/patients/${id}`).set(c.practitioner.auth).expect(200)).body;
  const checkInsOf = async (c: TestClinic, id: string) => (await t.http.get(`/v1/treatments/${id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items;
  const actionsOf = async (c: TestClinic, entityId: string) =>
    (await t.http.get(`/v1/audit-events?entityId=${entityId}`).set(c.compliance.auth).expect(200)).body.items.map((e: { action: string }) => e.action);

  it('21610 (the patient sent STOP to the carrier) records the opt-out, is never retried, and the check-in goes by email', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    t.twilioApi.failures.push({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    await t.dispatcher.tick();
    await t.dispatcher.tick();
    expect((await patientOf(c, p.id)).smsOptedOutAt).not.toBeNull();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(0);
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    expect((await checkInsOf(c, tr.id))[0]).toMatchObject({ status: 'sent', channel: 'email' });
    expect(await actionsOf(c, p.id)).toContain('patient.consent_changed');
  });

  it.each([30005, 30006, 21211])('%i marks the number invalid, is not retried, and later check-ins go by email', async (code) => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    t.twilioApi.failures.push({ status: 400, code, message: `Error ${code}` });
    await t.dispatcher.tick();
    await t.dispatcher.tick();
    expect((await patientOf(c, p.id)).smsInvalidAt).not.toBeNull();
    expect(await actionsOf(c, p.id)).toContain('patient.contact_invalid');
    // Day 3 goes straight to email.
    t.clock.set(tr.checkIns[1].dueAt);
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(0);
    expect(t.smtp.to(p.email!)).toHaveLength(2);
  });

  it('30003 (unreachable handset) is retried with backoff on SMS', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    t.twilioApi.failures.push({ status: 400, code: 30003, message: 'Unreachable destination handset' });
    expect(await t.dispatcher.tick()).toMatchObject({ retried: 1 });
    const [s] = await checkInsOf(c, tr.id);
    expect(s.status).toBe('scheduled');
    t.clock.set(s.nextAttemptAt);
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(1);
    expect((await patientOf(c, p.id)).smsInvalidAt).toBeNull();
  });

  it('an SMS provider answering 5xx, then not at all, is retried and the check-in is sent exactly once', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    try {
      t.twilioApi.flaky = { errorRate: 1, timeoutRate: 0, hangMs: 20_000 };
      expect(await t.dispatcher.tick()).toMatchObject({ retried: 1 });
      let [s] = await checkInsOf(c, tr.id);
      expect(s).toMatchObject({ status: 'scheduled', attempts: 1 });
      // No HTTP answer: the SDK gives up after its 15 s timeout, which is a transient failure too.
      t.twilioApi.flaky = { errorRate: 0, timeoutRate: 1, hangMs: 20_000 };
      t.clock.set(s.nextAttemptAt);
      expect(await t.dispatcher.tick()).toMatchObject({ retried: 1 });
      [s] = await checkInsOf(c, tr.id);
      expect(s).toMatchObject({ status: 'scheduled', attempts: 2 });
      t.twilioApi.flaky = { errorRate: 0, timeoutRate: 0, hangMs: 20_000 };
      t.clock.set(s.nextAttemptAt);
      expect(await t.dispatcher.tick()).toMatchObject({ sent: 1 });
      expect(t.twilioApi.to(p.phone!)).toHaveLength(1);
      expect(t.smtp.to(p.email!)).toHaveLength(0);
      expect((await checkInsOf(c, tr.id))[0]).toMatchObject({ status: 'sent', attempts: 3 });
    } finally {
      t.twilioApi.flaky = { errorRate: 0, timeoutRate: 0, hangMs: 20_000 };
    }
  }, 60_000);

  it('30007 (carrier spam filter) is not retried on SMS and alerts the clinic admins', async () => {
    const { c, p } = await treatedYesterday(t, { preferredChannel: 'sms', emailConsent: false });
    t.twilioApi.failures.push({ status: 400, code: 30007, message: 'Message filtered' });
    await t.dispatcher.tick();
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(0);
    const alert = t.smtp.to(c.admin.email).find((m) => m.parsed.subject?.includes('carrier filtered'));
    expect(alert?.parsed.text).toContain('30007');
  });

  it('an SMTP 550 for the recipient marks the address invalid and the check-in falls back to SMS', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    t.smtp.rejectRecipients.add(p.email!.toLowerCase());
    await t.dispatcher.tick();
    await t.dispatcher.tick();
    expect((await patientOf(c, p.id)).emailInvalidAt).not.toBeNull();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(1);
    expect((await checkInsOf(c, tr.id))[0]).toMatchObject({ status: 'sent', channel: 'sms', fallbackFrom: 'email' });
  });

  it('a dropped or deferred SMTP delivery (451) is retried and arrives exactly once', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    t.smtp.failNext = { count: 1, code: 451 };
    expect(await t.dispatcher.tick()).toMatchObject({ retried: 1 });
    const [s] = await checkInsOf(c, tr.id);
    t.clock.set(s.nextAttemptAt);
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    expect((await checkInsOf(c, tr.id))[0].status).toBe('sent');
  });

  it('a connection dropped in the middle of an email is retried and the email arrives exactly once, with its Message-ID kept', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    t.smtp.dropNext = 1;
    expect(await t.dispatcher.tick()).toMatchObject({ retried: 1 });
    const [s] = await checkInsOf(c, tr.id);
    t.clock.set(s.nextAttemptAt);
    await t.dispatcher.tick();
    const mails = t.smtp.to(p.email!);
    expect(mails).toHaveLength(1);
    const [row] = await t.db.query(`SELECT provider_id FROM messages WHERE check_in_id = $1 AND status = 'sent'`, [tr.checkIns[0].id]);
    expect(row.provider_id).toBe(mails[0].parsed.messageId);
  });

  it('a reminder that falls due at 21:00 local goes out at 09:00 the next day', async () => {
    // The check-in goes out at 21:00 while the window runs to 22:00; the clinic then closes at
    // 20:00, so the reminder falls due in quiet hours and must wait for the morning.
    const c = await newClinic(t);
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ sendWindowStart: '09:00', sendWindowEnd: '22:00' }).expect(200);
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const tr = await newTreatment(t, c, p.id);
    // Sent at 21:00 Madrid (inside this clinic's window), so the reminder falls due at 21:00 the next day.
    t.clock.set('2026-03-03T20:00:00Z');
    await t.dispatcher.tick();
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ sendWindowEnd: '20:00' }).expect(200);
    t.clock.set('2026-03-04T20:00:00Z'); // 21:00 Madrid: quiet hours now
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    t.clock.set('2026-03-05T08:00:00Z'); // 09:00 Madrid
    await t.dispatcher.tick();
    const mails = t.smtp.to(p.email!);
    expect(mails).toHaveLength(2);
    expect(mails[1].parsed.subject).toMatch(/^Reminder:/);
    const [reminder] = await t.db.query(`SELECT updated_at FROM messages WHERE check_in_id = $1 AND purpose = 'reminder'`, [tr.checkIns[0].id]);
    expect(new Date(reminder.updated_at).toISOString()).toBe('2026-03-05T08:00:00.000Z');
  });

  it('an undelivered status callback reopens the check-in: 30003 retries, 30006 falls back to email', async () => {
    const a = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    const [smsA] = t.twilioApi.to(a.p.phone!);
    await t.twilioWebhook(`/webhooks/twilio/status?m=${new URL(smsA.params.StatusCallback).searchParams.get('m')}`, { MessageSid: smsA.sid, MessageStatus: 'undelivered', ErrorCode: '30006' }).expect(200);
    expect((await checkInsOf(a.c, a.tr.id))[0]).toMatchObject({ status: 'scheduled', channel: 'email', fallbackFrom: 'sms' });
    await t.dispatcher.tick();
    expect(t.smtp.to(a.p.email!)).toHaveLength(1);
    // A repeated or late callback changes nothing more.
    await t.twilioWebhook('/webhooks/twilio/status', { MessageSid: smsA.sid, MessageStatus: 'undelivered', ErrorCode: '30006' }).expect(200);
    await t.twilioWebhook('/webhooks/twilio/status', { MessageSid: smsA.sid, MessageStatus: 'sent' }).expect(200);
    expect((await checkInsOf(a.c, a.tr.id))[0]).toMatchObject({ status: 'sent', channel: 'email' });

    const b = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    const [smsB] = t.twilioApi.to(b.p.phone!);
    await t.twilioWebhook('/webhooks/twilio/status', { MessageSid: smsB.sid, MessageStatus: 'undelivered', ErrorCode: '30003' }).expect(200);
    const [s] = await checkInsOf(b.c, b.tr.id);
    expect(s).toMatchObject({ status: 'scheduled', channel: 'sms' });
    t.clock.set(s.nextAttemptAt);
    await t.dispatcher.tick();
    expect(t.twilioApi.to(b.p.phone!)).toHaveLength(2);
  });

  it('safety advice for a warning sign reported at night goes at once, quiet hours or not, saying how long it may wait', async () => {
    const { c, p } = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    t.clock.set('2026-03-03T22:30:00Z'); // 23:30 in Madrid
    const before = t.twilioApi.to(p.phone!).length;
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + 'e'.repeat(30) + '07', From: p.phone!, To: c.smsNumber, Body: 'I have a fever and pus' }).expect(200);
    const advice = t.twilioApi.to(p.phone!).slice(before);
    expect(advice).toHaveLength(1);
    expect(advice[0].params.Body).toContain(c.clinic.name);
    // Not bound to the send window, but not kept by the carrier forever either: 4 hours.
    expect(advice[0].params.ValidityPeriod).toBe(String(4 * 3600));
  });

  it('SMS carry a validity period that ends with the send window', async () => {
    const { p } = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    // Sent at 10:00 Madrid; the window closes at 20:00.
    expect(t.twilioApi.to(p.phone!)[0].params.ValidityPeriod).toBe(String(10 * 3600));
  });

  it('email offers one-click unsubscribe (RFC 8058) that works without a login and opts out of email only', async () => {
    const { c, p } = await treatedYesterday(t, { preferredChannel: 'email' });
    await t.dispatcher.tick();
    const [mail] = t.smtp.to(p.email!);
    const headers = mail.raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' '); // unfolded
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const path = /^List-Unsubscribe: <https:\/\/aftercare\.test(\/u\/[A-Za-z0-9_.-]+)>\r?$/m.exec(headers)![1];
    // The sender people see is the clinic.
    expect(mail.parsed.from?.value[0].name).toBe(c.clinic.name);
    // Opening the link changes nothing; the one-click POST opts out.
    await t.http.get(path).expect(200);
    expect((await patientOf(c, p.id)).emailOptedOutAt).toBeNull();
    await t.http.post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
    const after = await patientOf(c, p.id);
    expect(after.emailOptedOutAt).not.toBeNull();
    expect(after.smsOptedOutAt).toBeNull();
    await t.http.post(path.slice(0, -2) + 'xx').type('form').send('List-Unsubscribe=One-Click').expect(404);
  });

  it('two check-ins in a row unanswered raise one low "lost to follow-up" flag', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    for (const step of [0, 1]) {
      t.clock.set(tr.checkIns[step].dueAt);
      await t.dispatcher.tick();
      t.clock.set(new Date(new Date(tr.checkIns[step].dueAt).getTime() + 49 * 3600_000).toISOString());
      await t.dispatcher.tick();
    }
    const flags = (await t.http.get('/v1/flags?priority=low').set(c.practitioner.auth).expect(200)).body.items.filter((f: { patientId: string }) => f.patientId === p.id);
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'lost-to-follow-up', priority: 'low', status: 'open' })]);
  });

  it('a new treatment sends the aftercare instructions once, by the consented channel, inside the send window', async () => {
    t.clock.set('2026-03-02T19:30:00Z'); // 20:30 in Madrid: after the window
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const tr = await newTreatment(t, c, p.id, { sendInstructions: undefined, performedAt: '2026-03-02T18:00:00Z' });
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(0);
    t.clock.set('2026-03-03T08:00:00Z'); // 09:00 Madrid
    await t.dispatcher.tick();
    const mails = t.smtp.to(p.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0].parsed.from?.value[0].name).toBe(c.clinic.name);
    expect(mails[0].parsed.text).toContain('+34911234567'); // the clinic's phone
    expect(mails[0].parsed.text).toMatch(/bruis/i);
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    const events = (await t.http.get(`/v1/audit-events?entityId=${tr.id}&action=treatment.instructions_queued`).set(c.compliance.auth).expect(200)).body;
    expect(events.total).toBe(1);

    // Back-filled a week later: no "in the coming days" message.
    const late = await newPatient(t, c, { preferredChannel: 'email' });
    await newTreatment(t, c, late.id, { sendInstructions: undefined, performedAt: '2026-02-24T10:00:00Z' });
    await t.dispatcher.tick();
    expect(t.smtp.to(late.email!).filter((m) => !m.parsed.subject?.includes('after your treatment'))).toHaveLength(0);
  });
});
