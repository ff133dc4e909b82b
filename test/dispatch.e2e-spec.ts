import { CheckInDispatcher } from '../src/check-ins/dispatcher.service';
import { PatientsService } from '../src/patients/patients.service';
import { CoursesService } from '../src/courses/courses.service';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newEmail, newPatient, newPhone, newTreatment, TestClinic, treatedYesterday } from './support/factories';

const statusesOf = async (t: TestApp, c: TestClinic, treatmentId: string) =>
  (await t.http.get(`/v1/treatments/${treatmentId}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{
    step: number;
    status: string;
    attempts: number;
    nextAttemptAt: string;
    dueAt: string;
    lastError: string | null;
  }>;

/** As if the lease's time had passed on the database's clock, the only clock leases use. */
const lapseLease = (t: TestApp, checkInId: string) =>
  t.db.query(`UPDATE check_ins SET lease_expires_at = clock_timestamp() - interval '1 second' WHERE id = $1 AND status = 'sending'`, [checkInId]);

describe('dispatching check-ins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  it('retries a throttled SMS with backoff and sends it once the provider recovers', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'sms' });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    t.twilioApi.failures.push({ status: 429, code: 20429, message: 'Too Many Requests' });
    const first = await t.dispatcher.tick();
    expect(first).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const [step1] = await statusesOf(t, c, tr.id);
    expect(step1).toMatchObject({ status: 'scheduled', attempts: 1 });
    const wait = new Date(step1.nextAttemptAt).getTime() - t.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(30_000); // half of the first backoff step, at least
    expect(wait).toBeLessThanOrEqual(60_000);

    // Not before the backoff has passed.
    expect((await t.dispatcher.tick()).claimed).toBe(0);
    t.clock.advance(wait);
    expect((await t.dispatcher.tick()).sent).toBe(1);
    expect(t.twilioApi.to(p.phone!)).toHaveLength(1);
    const [sent] = await statusesOf(t, c, tr.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    const audit = (await t.http.get(`/v1/audit-events?entityId=${step1 && (await t.db.query(`SELECT id FROM check_ins WHERE treatment_id = $1 AND step = 1`, [tr.id]))[0].id}`).set(c.admin.auth).expect(200)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['check_in.retry_scheduled', 'check_in.sent']);
  });

  it('marks a check-in failed after the last attempt, and at once on a permanent error', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const flaky = await newPatient(t, c, { preferredChannel: 'sms', emailConsent: false });
    const trFlaky = await newTreatment(t, c, flaky.id);
    t.clock.set('2026-03-03T09:00:00Z');
    for (let attempt = 1; attempt <= 5; attempt++) {
      t.twilioApi.failures.push({ status: 503, code: 20503, message: 'Service unavailable' });
      const r = await t.dispatcher.tick();
      expect(r.claimed).toBe(1);
      const [s] = await statusesOf(t, c, trFlaky.id);
      if (attempt < 5) {
        expect(s.status).toBe('scheduled');
        t.clock.set(s.nextAttemptAt);
      } else {
        expect(s).toMatchObject({ status: 'failed', attempts: 5 });
      }
    }

    t.clock.set('2026-03-02T08:00:00Z');
    const landline = await newPatient(t, c, { preferredChannel: 'sms', emailConsent: false });
    const trLandline = await newTreatment(t, c, landline.id);
    t.clock.set('2026-03-03T09:00:00Z');
    t.twilioApi.failures.push({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await t.dispatcher.tick()).toMatchObject({ claimed: 1, failed: 1 });
    const [s] = await statusesOf(t, c, trLandline.id);
    expect(s).toMatchObject({ status: 'failed', attempts: 1 });
    const [msg] = await t.db.query(`SELECT status, error_code FROM messages WHERE patient_id = $1`, [landline.id]);
    expect(msg).toEqual({ status: 'failed', error_code: '21211' });
  });

  it('falls back once to the other consented channel when SMS fails for good', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    t.twilioApi.failures.push({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await t.dispatcher.tick()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await t.dispatcher.tick()).toMatchObject({ claimed: 1, sent: 1 });
    const [s] = await statusesOf(t, c, tr.id);
    expect(s).toMatchObject({ status: 'sent', attempts: 1 });
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    const audit = (await t.http.get(`/v1/audit-events?entityId=${tr.checkIns[0].id}`).set(c.compliance.auth).expect(200)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['check_in.fallback', 'check_in.sent']);
    expect(audit[0].data).toMatchObject({ channel: 'sms', to: 'email', errorCode: '21211', permanent: true });
  });

  it('sends email when SMS is the preference but the patient gave no SMS consent', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'sms', smsConsent: false });
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(0);
    expect(t.smtp.to(p.email!)).toHaveLength(1);
  });

  it('returns a lapsed lease to the queue so a check-in is never lost', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    // An instance claims the check-in and dies before sending.
    const claimed = await t.dispatcher.claimDue(100);
    expect(claimed.map((x) => x.treatmentId)).toContain(tr.id);
    expect((await statusesOf(t, c, tr.id))[0].status).toBe('sending');
    expect((await t.dispatcher.tick()).claimed).toBe(0); // still leased
    // Leases run on the database's clock: moving the instance's Clock past the lease does not end it.
    t.clock.advance(5 * 60_000 + 1);
    await t.dispatcher.tick();
    expect((await statusesOf(t, c, tr.id))[0].status).toBe('sending');
    expect(t.smtp.to(p.email!)).toHaveLength(0);
    await lapseLease(t, tr.checkIns[0].id);
    const r = await t.dispatcher.tick();
    expect(r.released).toBeGreaterThanOrEqual(1);
    expect((await statusesOf(t, c, tr.id))[0].status).toBe('sent');
    expect(t.smtp.to(p.email!)).toHaveLength(1);
  });

  it('waits for the send window when a check-in is claimed at night', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email', timeZone: 'America/New_York' });
    const tr = await newTreatment(t, c, p.id);
    // Due 10:00 New York on 3 March (15:00 UTC); the service was down until 23:30 New York.
    expect(tr.checkIns[0].dueAt).toBe('2026-03-03T15:00:00.000Z');
    t.clock.set('2026-03-04T04:30:00Z');
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(0);
    const [s] = await statusesOf(t, c, tr.id);
    expect(s).toMatchObject({ status: 'scheduled', nextAttemptAt: '2026-03-04T14:00:00.000Z', attempts: 0 });
    t.clock.set('2026-03-04T14:00:00Z');
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    // The reminder follows the real send time: 24 hours later, not the planned 15:00 that day.
    const [{ remind_at }] = await t.db.query(`SELECT remind_at FROM check_ins WHERE id = $1`, [tr.checkIns[0].id]);
    expect(remind_at.toISOString()).toBe('2026-03-05T14:00:00.000Z');
  });

  it('an instance whose lease lapsed does not send what another instance has taken over', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    const [stale] = (await t.dispatcher.claimDue(100)).filter((x) => x.treatmentId === tr.id);
    await lapseLease(t, stale.id);
    // Another instance (here: the same one after its lease lapsed) returns the lease and sends.
    expect((await t.dispatcher.tick()).sent).toBeGreaterThanOrEqual(1);
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    // The first claim wakes up late: it must not send again.
    const other = t.get(CheckInDispatcher);
    Object.defineProperty(stale, 'attempts', { value: 1 });
    expect(await other.dispatch(stale)).toBe('skipped');
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    const actions = (await t.http.get(`/v1/audit-events?entityId=${tr.checkIns[0].id}`).set(c.compliance.auth).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'check_in.sent')).toHaveLength(1);
  });

  it('a status callback that beats the send outcome still finds its message by the id in its URL', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    const [sms] = t.twilioApi.to(p.phone!);
    const callback = new URL(sms.params.StatusCallback);
    const messageId = callback.searchParams.get('m');
    const [row] = await t.db.query(`SELECT id FROM messages WHERE check_in_id = $1`, [tr.checkIns[0].id]);
    expect(messageId).toBe(row.id);
    // As if the callback arrived before the SID was stored.
    await t.db.query(`UPDATE messages SET provider_id = NULL, status = 'sending' WHERE id = $1`, [messageId]);
    await t.twilioWebhook(`/webhooks/twilio/status?m=${messageId}`, { MessageSid: sms.sid, MessageStatus: 'undelivered', ErrorCode: '30003' }).expect(200);
    const [after] = await t.db.query(`SELECT status, provider_id, error_code FROM messages WHERE id = $1`, [messageId]);
    expect(after).toEqual({ status: 'undelivered', provider_id: sms.sid, error_code: '30003' });
  });

  it('drops a queued reminder when the patient opts out before it goes', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'sms' });
    await t.dispatcher.tick();
    // Down until 21:30 Madrid the next day: the reminder is queued for the morning.
    t.clock.set('2026-03-04T20:30:00Z');
    expect((await t.dispatcher.tick()).reminders).toBeGreaterThanOrEqual(1);
    const sentBefore = t.twilioApi.to(p.phone!).length;
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + 'f'.repeat(30) + '01', From: p.phone!, To: c.smsNumber, Body: 'STOP' }).expect(200);
    t.clock.set('2026-03-05T08:00:00Z');
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!)).toHaveLength(sentBefore);
    const [reminder] = await t.db.query(`SELECT status, error_message FROM messages WHERE check_in_id = $1 AND purpose = 'reminder'`, [tr.checkIns[0].id]);
    expect(reminder).toEqual({ status: 'cancelled', error_message: 'patient cannot be reached by sms any more' });
  });

  it('reminds once after 24 hours without an answer, then expires the check-in after 48', async () => {
    const { c, p, tr } = await treatedYesterday(t, { preferredChannel: 'email' });
    await t.dispatcher.tick();
    t.clock.set('2026-03-04T09:00:00Z');
    expect((await t.dispatcher.tick()).reminders).toBe(1);
    expect((await t.dispatcher.tick()).reminders).toBe(0);
    const mails = t.smtp.to(p.email!);
    expect(mails.map((m) => m.parsed.subject?.startsWith('Reminder:'))).toEqual([false, true]);
    t.clock.set('2026-03-05T09:00:00Z');
    const r = await t.dispatcher.tick();
    expect(r.expired).toBeGreaterThanOrEqual(1);
    const [s1] = await statusesOf(t, c, tr.id);
    expect(s1.status).toBe('expired');
    // Its link is dead too.
    const link = /https:\/\/aftercare\.test(\/c\/\S+)/.exec(mails[1].parsed.text!)![1];
    await t.http.get(link).expect(410);
  });

  it('plans a treatment entered late: past check-ins recorded as expired, the open one sent at once', async () => {
    t.clock.set('2026-03-06T12:00:00Z');
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    // Treated on 2 March, entered on 6 March at 13:00 Madrid: day 1 (3rd) has expired, day 3 (5th) is still open.
    const tr = await newTreatment(t, c, p.id, { performedAt: '2026-03-02T09:00:00+01:00' });
    expect(tr.checkIns.slice(0, 3).map((x) => x.status)).toEqual(['expired', 'scheduled', 'scheduled']);
    expect(tr.checkIns[1].dueAt).toBe('2026-03-06T12:00:00.000Z');
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    const expiredEvents = (await t.http.get(`/v1/audit-events?action=check_in.expired&entityId=${tr.checkIns[0].id}`).set(c.compliance.auth).expect(200)).body;
    expect(expiredEvents.total).toBe(1);
  });

  it('cancelling a treatment cancels its check-ins and nothing more is sent', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    const tr = await newTreatment(t, c, p.id);
    const res = await t.http.post(`/v1/treatments/${tr.id}/cancel`).set(c.practitioner.auth).send({ reason: 'entered in error' }).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelledCheckIns: 7 });
    await t.http.post(`/v1/treatments/${tr.id}/cancel`).set(c.practitioner.auth).send({}).expect(409);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(0);
    expect((await statusesOf(t, c, tr.id)).every((s) => s.status === 'cancelled')).toBe(true);
  });
});

describe('two dispatchers on one database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    b = await createTestApp({ start: '2026-03-02T08:00:00Z', smtp: a.smtp, twilioApi: a.twilioApi });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('an instance whose Clock runs hours ahead cannot take a check-in another instance holds', async () => {
    const { c, p, tr } = await treatedYesterday(a, { preferredChannel: 'email' });
    b.clock.set(a.clock.now());
    const [held] = (await a.dispatcher.claimDue(1000)).filter((x) => x.treatmentId === tr.id);
    expect(held).toBeDefined();
    // b's clock is six hours ahead of a's (and of the database): a lease on b's clock would have lapsed.
    b.clock.advance(6 * 3600_000);
    const r = await b.dispatcher.tick();
    expect(a.smtp.to(p.email!)).toHaveLength(0);
    const [row] = await a.db.query(`SELECT status, lease_owner, lease_expires_at > clock_timestamp() AS leased FROM check_ins WHERE id = $1`, [held.id]);
    expect(row).toMatchObject({ status: 'sending', leased: true });
    expect(r.sent).toBe(0);
    // The holder sends it, once.
    expect(await a.dispatcher.dispatch(held)).toBe('sent');
    expect(a.smtp.to(p.email!)).toHaveLength(1);
    const actions = (await a.http.get(`/v1/audit-events?entityId=${held.id}`).set(c.compliance.auth).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(actions).not.toContain('check_in.lease_lapsed');
    b.clock.set(a.clock.now());
  });

  it('send each of a few hundred due check-ins exactly once', async () => {
    const c = await newClinic(a);
    const patients = a.get(PatientsService);
    const treatments = a.get(CoursesService);
    const actor = { type: 'integration' as const, id: 'bulk' };
    const N = 300;
    const phones: string[] = [];
    for (let i = 0; i < N; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, N - i) }, async (_, k) => {
          const phone = newPhone();
          phones.push(phone);
          const useSms = (i + k) % 2 === 0;
          const p = await patients.create(c.clinic.id, actor, {
            givenName: 'P',
            familyName: String(i + k),
            phone,
            email: newEmail(),
            preferredChannel: useSms ? 'sms' : 'email',
            smsConsent: true,
            emailConsent: true,
          });
          await treatments.create(c.clinic.id, actor, {
            patientId: p.id,
            procedure: 'mesotherapy',
            indication: 'skin rejuvenation',
            bodyAreas: ['face'],
            product: 'HA cocktail',
            performedAt: '2026-03-02T08:00:00Z',
            sendInstructions: false,
          });
        }),
      );
    }
    a.clock.set('2026-03-03T09:00:00Z');
    b.clock.set('2026-03-03T09:00:00Z');
    const [ra, rb] = await Promise.all([a.dispatcher.tick(10), b.dispatcher.tick(10)]);
    expect(ra.sent + rb.sent).toBe(N);
    expect(ra.claimed + rb.claimed).toBe(N);

    const perCheckIn: Array<{ n: number }> = await a.db.query(
      `SELECT count(*)::int AS n FROM messages m JOIN check_ins ci ON ci.id = m.check_in_id
        WHERE ci.clinic_id = $1 AND m.purpose = 'check_in' GROUP BY m.check_in_id`,
      [c.clinic.id],
    );
    expect(perCheckIn).toHaveLength(N);
    expect(perCheckIn.every((r) => r.n === 1)).toBe(true);
    const smsTo = a.twilioApi.requests.filter((r) => phones.includes(r.params.To)).map((r) => r.params.To);
    expect(smsTo).toHaveLength(N / 2);
    expect(new Set(smsTo).size).toBe(N / 2);
    const [{ n: sentRows }] = await a.db.query(`SELECT count(*)::int AS n FROM check_ins WHERE clinic_id = $1 AND status = 'sent'`, [c.clinic.id]);
    expect(sentRows).toBe(N);
    // Hundreds of treatments planned and sent: minutes on a busy 2-core machine, not a speed claim.
  }, 180_000);
});
