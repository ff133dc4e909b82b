import { unsubscribeToken } from '../src/patients/unsubscribe-token';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

/**
 * Channels that exist, and only those: the dev outbox behind an admin, a channel without a
 * transport left out of planning, a clinic without an SMS sender served by email (its admins told
 * once), senders a clinic may not spoof, provider error text kept out of the record.
 */

async function checkInRow(t: TestApp, id: string) {
  const [row] = await t.db.query(`SELECT status, channel, fallback_from, last_error FROM check_ins WHERE id = $1`, [id]);
  return row as { status: string; channel: string | null; fallback_from: string | null; last_error: string | null };
}

async function auditActions(t: TestApp, c: TestClinic, action: string) {
  return (await t.http.get(`/v1/audit-events?action=${action}`).set(c.admin.auth).expect(200)).body.items as Array<{ entityId: string; data: Record<string, unknown> }>;
}

describe('the dev outbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ outboxOnly: true, start: '2026-03-02T08:00:00Z' });
  });
  afterAll(() => t.close());

  it('needs an admin, and shows only their own clinic messages, newest first and paginated', async () => {
    const a = await newClinic(t);
    const b = await newClinic(t);
    const pa = await newPatient(t, a, { preferredChannel: 'email', givenName: 'Olivia' });
    const pa2 = await newPatient(t, a, { preferredChannel: 'sms', givenName: 'Pia' });
    const pb = await newPatient(t, b, { preferredChannel: 'email', givenName: 'Berta' });
    t.clock.set('2026-03-02T08:00:00Z');
    for (const [c, p] of [[a, pa], [a, pa2], [b, pb]] as const) await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();

    await t.http.get('/v1/dev/outbox').expect(401);
    await t.http.get('/v1/dev/outbox').set(a.practitioner.auth).expect(403);
    await t.http.get('/v1/dev/outbox').set(a.compliance.auth).expect(403);
    // The old public page is gone.
    await t.http.get('/dev/outbox').expect(404);

    const res = await t.http.get('/v1/dev/outbox').set(a.admin.auth).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    const to = res.body.items.map((m: { to: string }) => m.to).sort();
    expect(to).toEqual([pa.email, pa2.phone].sort());
    expect(JSON.stringify(res.body)).not.toContain(pb.email!);
    const mail = res.body.items.find((m: { channel: string }) => m.channel === 'email');
    expect(mail).toMatchObject({ purpose: 'check_in', patientId: pa.id, subject: expect.any(String), text: expect.stringContaining('Hello Olivia') });
    // The link in the outbox works like a real one.
    await t.http.post(linkIn(mail.text)).type('form').send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS }).expect(200);

    const page = await t.http.get('/v1/dev/outbox?limit=1&offset=1').set(a.admin.auth).expect(200);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1, items: [expect.any(Object)] });
    await t.http.get('/v1/dev/outbox?limit=500').set(a.admin.auth).expect(400);

    const other = await t.http.get('/v1/dev/outbox').set(b.admin.auth).expect(200);
    expect(other.body.items.map((m: { to: string }) => m.to)).toEqual([pb.email]);
  });

  it('says in /health that both channels go to the outbox', async () => {
    expect((await t.http.get('/health').expect(200)).body).toMatchObject({ status: 'ok', database: 'up', channels: { email: 'outbox', sms: 'outbox' } });
  });

  it('is documented with a response schema', async () => {
    const doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
    const op = doc.paths['/v1/dev/outbox'].get;
    expect(op.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OutboxPageDto' });
  });
});

describe('with SMTP and Twilio but no default SMS sender (no TWILIO_FROM)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', env: { TWILIO_FROM: '' } });
  });
  afterAll(() => t.close());

  it('a clinic without an SMS sender gets its check-ins by email, and its admins are told once', async () => {
    const c = await newClinic(t);
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ smsFrom: null }).expect(200);
    t.clock.set('2026-03-02T08:00:00Z');
    const p1 = await newPatient(t, c, { preferredChannel: 'sms' });
    const p2 = await newPatient(t, c, { preferredChannel: 'sms' });
    const smsOnly = await newPatient(t, c, { preferredChannel: 'sms', email: undefined, emailConsent: false });
    const trs = [await newTreatment(t, c, p1.id), await newTreatment(t, c, p2.id), await newTreatment(t, c, smsOnly.id)];
    const adminMailsBefore = t.smtp.to(c.admin.email).length;
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    await t.dispatcher.tick();

    // No SMS was even tried; the two patients with email got their check-in there.
    expect([p1, p2, smsOnly].flatMap((p) => t.twilioApi.to(p.phone!))).toEqual([]);
    for (const [p, tr] of [[p1, trs[0]], [p2, trs[1]]] as const) {
      expect(t.smtp.to(p.email!)).toHaveLength(1);
      expect(await checkInRow(t, tr.checkIns[0].id)).toMatchObject({ status: 'sent', channel: 'email' });
    }
    // The patient reachable only by SMS is not marked sent: nothing went anywhere.
    expect(await checkInRow(t, trs[2].checkIns[0].id)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('channel-off') });

    const notices = t.smtp.to(c.admin.email).slice(adminMailsBefore);
    expect(notices).toHaveLength(1);
    expect(notices[0].parsed.subject).toBe(`[ACTION] Aftercare cannot send SMS for ${c.clinic.name}: no SMS sender`);
    expect(notices[0].parsed.text).toContain('PATCH /v1/clinic');
    expect(await auditActions(t, c, 'clinic.sms_sender_missing_notice')).toHaveLength(1);

    // A later round says nothing again.
    t.clock.set('2026-03-05T09:00:00Z');
    await t.dispatcher.tick();
    await t.dispatcher.tick();
    expect(t.smtp.to(c.admin.email).slice(adminMailsBefore)).toHaveLength(1);

    // With a sender of its own, the clinic sends SMS again.
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ smsFrom: c.smsNumber }).expect(200);
    const p3 = await newPatient(t, c, { preferredChannel: 'sms' });
    t.clock.set('2026-03-05T09:00:00Z');
    await newTreatment(t, c, p3.id);
    t.clock.set('2026-03-06T09:00:00Z');
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p3.phone!)).toHaveLength(1);
    expect(t.twilioApi.to(p3.phone!)[0].params.From).toBe(c.smsNumber);
  });
});

describe('with SMTP only (the SMS channel is off)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', env: { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', TWILIO_API_URL: '', TWILIO_FROM: '' } });
  });
  afterAll(() => t.close());

  it('says so in /health, and a patient who prefers SMS gets email; nothing goes to the outbox', async () => {
    expect((await t.http.get('/health').expect(200)).body.channels).toEqual({ email: 'smtp', sms: 'off' });
    const c = await newClinic(t);
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'sms' });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    expect(t.smtp.to(p.email!)).toHaveLength(1);
    expect(await checkInRow(t, tr.checkIns[0].id)).toMatchObject({ status: 'sent', channel: 'email' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM messages WHERE clinic_id = $1 AND channel = 'sms'`, [c.clinic.id]);
    expect(n).toBe(0);
    await t.http.get('/v1/dev/outbox').set(c.admin.auth).expect(404);
  });
});

describe('senders, error text and pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z', env: { EMAIL_FROM_DOMAINS: 'clinics.example' } });
  });
  afterAll(() => t.close());

  it("refuses an emailFrom outside EMAIL_FROM's domain and EMAIL_FROM_DOMAINS, naming the allowed ones", async () => {
    const c = await newClinic(t);
    const res = await t.http.patch('/v1/clinic').set(c.admin.auth).send({ emailFrom: 'ceo@bank.example' }).expect(400);
    expect(res.body.message).toBe('emailFrom must be an address at clinic.test or clinics.example (the domain of EMAIL_FROM, or one listed in EMAIL_FROM_DOMAINS)');
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ emailFrom: 'care@sub.clinic.test' }).expect(400);
    expect((await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body.emailFrom).toBeNull();
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ emailFrom: 'front-desk@Clinics.example' }).expect(200);
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ emailFrom: 'care@clinic.test' }).expect(200);
    expect((await t.http.get('/v1/clinic').set(c.admin.auth).expect(200)).body.emailFrom).toBe('care@clinic.test');
  });

  it('sends the safety advice email with the clinic as sender, like every other patient email', async () => {
    const c = await newClinic(t);
    await t.http.patch('/v1/clinic').set(c.admin.auth).send({ emailFrom: 'care@clinics.example' }).expect(200);
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'email' });
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const checkIn = t.smtp.to(p.email!).at(-1)!;
    await t.http.post(linkIn(checkIn.parsed.text!)).type('form').send({ bruising: '1', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS, ws_fever: 'yes' }).expect(200);
    const advice = t.smtp.to(p.email!).find((m) => m.parsed.subject === `${c.clinic.name}: please contact us now`);
    expect(advice).toBeDefined();
    for (const mail of [checkIn, advice!]) {
      expect(mail.parsed.from?.value).toEqual([{ name: c.clinic.name, address: 'care@clinics.example' }]);
      // Replies go to the sender, the clinic's address; no other Reply-To.
      expect(mail.parsed.replyTo).toBeUndefined();
      expect(mail.envelopeFrom).toBe('care@clinics.example');
    }
  });

  it('keeps phone numbers out of check_ins.last_error and messages, and erasure blanks last_error', async () => {
    const c = await newClinic(t);
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'sms' });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    t.twilioApi.failures.push({ status: 400, code: 21211, message: `The 'To' number ${p.phone} is not a valid phone number.` });
    await t.dispatcher.tick();
    const row = await checkInRow(t, tr.checkIns[0].id);
    expect(row).toMatchObject({ fallback_from: 'sms', last_error: "21211: The 'To' number [phone] is not a valid phone number." });
    const [msg] = await t.db.query(`SELECT error_code, error_message FROM messages WHERE check_in_id = $1 AND channel = 'sms'`, [tr.checkIns[0].id]);
    expect(msg).toEqual({ error_code: '21211', error_message: "The 'To' number [phone] is not a valid phone number." });
    const digits = p.phone!.replace('+', '');
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM check_ins c WHERE c.patient_id = $1 AND c.last_error LIKE '%' || $2 || '%'`,
      [p.id, digits.slice(-7)],
    );
    expect(n).toBe(0);

    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'patient request' }).expect(200);
    const after = await t.db.query(`SELECT last_error FROM check_ins WHERE patient_id = $1`, [p.id]);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r: { last_error: string | null }) => r.last_error === null)).toBe(true);
  });

  it('shows the unsubscribe page in the patient language', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { preferredChannel: 'email', locale: 'de' });
    const token = unsubscribeToken(p.id, t.config.jwtSecret);
    const page = await t.http.get(`/u/${token}`).expect(200);
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('<h1>Keine Nachsorge-E-Mails mehr erhalten?</h1>');
    expect(page.text).toContain('<button type="submit">E-Mails abbestellen</button>');
    expect(page.text).not.toContain('Stop emails');
    const done = await t.http.post(`/u/${token}`).expect(200);
    expect(done.text).toContain('<h1>Sie haben die E-Mails abbestellt</h1>');
    expect((await t.http.get(`/v1/patients/${p.id}`).set(c.admin.auth).expect(200)).body.emailOptedOutAt).toEqual(expect.any(String));
    // A link that matches no one: in the browser's language.
    const unknown = await t.http.get('/u/nope.nope').set('Accept-Language', 'fr-CH,fr;q=0.9').expect(404);
    expect(unknown.text).toContain('<h1>Lien introuvable</h1>');
  });
});
