import { EscalationService } from '../src/flags/escalation.service';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newEmail, newPatient, newPhone, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The urgent pathway: safety advice to the patient, SMS and email to whoever is on call,
 * escalation of unacknowledged urgent and high flags, the on-call rota API, and extra
 * check-ins asked for from a flag.
 */
describe('urgent pathway', () => {
  let t: TestApp;
  let escalation: EscalationService;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    escalation = t.get(EscalationService);
  });
  afterAll(() => t.close());

  interface Staff {
    id: string;
    email: string;
    phone: string | null;
  }

  async function addStaff(c: TestClinic, role: 'practitioner' | 'admin' | 'compliance', phone: string | null = newPhone()): Promise<Staff> {
    const email = newEmail(role);
    const res = await t.http
      .post('/v1/staff')
      .set(c.admin.auth)
      .send({ email, name: `Another ${role}`, role, password: 'correct-horse-battery-staple', ...(phone ? { phone } : {}) })
      .expect(201);
    return { id: res.body.id, email, phone };
  }

  async function staffOf(c: TestClinic): Promise<{ practitioner: Staff; admin: Staff; compliance: Staff }> {
    const items = (await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items as Array<Staff & { role: string }>;
    const find = (id: string) => items.find((s) => s.id === id)!;
    return { practitioner: find(c.practitioner.id), admin: find(c.admin.id), compliance: find(c.compliance.id) };
  }

  /** SMS and emails that reached a staff member since the mark. */
  function received(s: Staff, mark: { sms: number; mail: number }) {
    return {
      sms: s.phone ? t.twilioApi.requests.slice(mark.sms).filter((r) => r.params.To === s.phone).map((r) => r.params.Body) : [],
      mail: t.smtp.received.slice(mark.mail).filter((m) => m.envelopeTo.includes(s.email)).map((m) => `${m.parsed.subject} | ${m.parsed.text}`),
    };
  }
  const mark = () => ({ sms: t.twilioApi.requests.length, mail: t.smtp.received.length });

  /** A patient treated Monday 2 March 09:00 Madrid, sent the day-1 check-in on Tuesday 10:00 (weekday 2). */
  async function treatedAndAsked(c: TestClinic, patient: Record<string, unknown> = {}) {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'email', ...patient });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const text = p.preferredChannel === 'sms' ? t.twilioApi.to(p.phone!).at(-1)!.params.Body : t.smtp.to(p.email!).at(-1)!.parsed.text!;
    return { p, tr, link: linkIn(text) };
  }

  async function answer(link: string, body: Record<string, string>) {
    await t.http
      .post(link)
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, free_text: '', ...body })
      .expect(200);
  }

  async function onlyFlag(c: TestClinic, patientId: string) {
    const all = (await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; priority: string; ruleId: string }>;
    const mine = all.filter((f) => f.patientId === patientId);
    expect(mine).toHaveLength(1);
    return mine[0];
  }

  const escalations = async (c: TestClinic, flagId: string) => (await history(c, flagId)).filter((e) => e.kind === 'escalated').length;
  const history = async (c: TestClinic, flagId: string) =>
    (await t.http.get(`/v1/flags/${flagId}`).set(c.practitioner.auth).expect(200)).body.history as Array<{ kind: string; data: Record<string, unknown> }>;

  describe('an urgent flag', () => {
    let c: TestClinic;
    let s: Awaited<ReturnType<typeof staffOf>>;
    let offDuty: Staff;
    let flagId: string;
    let raisedMark: { sms: number; mail: number };

    beforeAll(async () => {
      c = await newClinic(t);
      s = await staffOf(c);
      offDuty = await addStaff(c, 'practitioner');
      // Tuesday day shift for the first practitioner; the other one works Wednesdays.
      await t.http
        .put('/v1/clinic/on-call')
        .set(c.admin.auth)
        .send({ shifts: [{ staffUserId: s.practitioner.id, weekday: 2, start: '08:00', end: '20:00' }, { staffUserId: offDuty.id, weekday: 3, start: '08:00', end: '20:00' }] })
        .expect(200);
    });

    it('lets a practitioner read the rota with names, but not change it; compliance reads nothing', async () => {
      const res = await t.http.get('/v1/clinic/on-call').set(c.practitioner.auth).expect(200);
      expect(res.body.shifts).toHaveLength(2);
      expect(res.body.staff).toEqual(expect.arrayContaining([{ id: offDuty.id, name: expect.any(String), role: 'practitioner' }]));
      expect(res.body.staff.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([s.practitioner.id, offDuty.id]));
      await t.http.put('/v1/clinic/on-call').set(c.practitioner.auth).send({ shifts: [] }).expect(403);
      await t.http.get('/v1/clinic/on-call').set(c.compliance.auth).expect(403);
    });

    it('sends safety advice to the patient and an SMS and an email to the on-call practitioner only', async () => {
      const { p, link } = await treatedAndAsked(c);
      t.clock.advance(20 * MINUTE);
      raisedMark = mark();
      await answer(link, { ws_airway_swelling: 'yes' });
      const flag = await onlyFlag(c, p.id);
      expect(flag).toMatchObject({ ruleId: 'warning-sign', priority: 'urgent' });
      flagId = flag.id;

      const advice = t.smtp.received.slice(raisedMark.mail).filter((m) => m.envelopeTo.includes(p.email!));
      expect(advice).toHaveLength(1);
      expect(advice[0].parsed.text).toContain('call emergency services (112 / 999 / 911) now');
      expect(advice[0].parsed.text).toContain('+34911234567');

      const onCall = received(s.practitioner, raisedMark);
      expect(onCall.sms).toEqual([expect.stringMatching(new RegExp(`^URGENT flag at ${c.clinic.name}: .*/app/flags/${flagId}$`))]);
      expect(onCall.mail).toEqual([expect.stringContaining(`https://aftercare.test/app/flags/${flagId}`)]);
      expect(received(offDuty, raisedMark)).toEqual({ sms: [], mail: [] });
      expect(received(s.admin, raisedMark)).toEqual({ sms: [], mail: [] });
    });

    it('is not escalated at 29 minutes, escalates to every practitioner and admin after 30, once', async () => {
      // Other tests' flags share the database: count this flag's escalations, not the tick's.
      t.clock.advance(29 * MINUTE);
      await escalation.tick();
      expect(await escalations(c, flagId)).toBe(0);
      expect(received(s.practitioner, raisedMark).sms).toHaveLength(1);
      const before = mark();
      t.clock.advance(2 * MINUTE); // 31 minutes
      await escalation.tick();
      expect(await escalations(c, flagId)).toBe(1);

      for (const who of [s.practitioner, offDuty]) {
        const got = received(who, before);
        expect(got.sms).toEqual([expect.stringMatching(/^ESCALATED: URGENT flag at .* not acknowledged for 31 minutes\./)]);
        expect(got.mail).toEqual([expect.stringContaining(`/app/flags/${flagId}`)]);
      }
      // The admin has no phone: email only. Compliance is not alerted.
      expect(received(s.admin, before)).toEqual({ sms: [], mail: [expect.stringMatching(/^\[URGENT\] Not acknowledged for 31 minutes/)] });
      expect(received(s.compliance, before)).toEqual({ sms: [], mail: [] });

      const after = mark();
      t.clock.advance(HOUR);
      await escalation.tick();
      for (const who of [s.practitioner, offDuty, s.admin]) expect(received(who, after)).toEqual({ sms: [], mail: [] });

      const h = await history(c, flagId);
      expect(h.map((e) => e.kind)).toEqual(['raised', 'escalated']);
      expect(h[1].data).toMatchObject({ priority: 'urgent', staffAlerted: expect.arrayContaining([s.practitioner.id, offDuty.id, s.admin.id]) });
      const audit = (await t.http.get(`/v1/audit-events?entityId=${flagId}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
      expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['flag.raised', 'flag.urgent_messages_queued', 'flag.escalated']));
      expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
    });
  });

  it('alerts every practitioner when no one is on call, and nobody escalates an acknowledged flag', async () => {
    const c = await newClinic(t);
    const s = await staffOf(c);
    const second = await addStaff(c, 'practitioner');
    // A rota that does not cover Tuesday morning.
    await t.http.put('/v1/clinic/on-call').set(c.admin.auth).send({ shifts: [{ staffUserId: second.id, weekday: 2, start: '20:00', end: '08:00' }] }).expect(200);
    const { p, link } = await treatedAndAsked(c);
    const m = mark();
    await answer(link, { ws_fever: 'yes' });
    for (const who of [s.practitioner, second]) {
      const got = received(who, m);
      expect(got.sms).toHaveLength(1);
      expect(got.mail).toHaveLength(1);
    }
    expect(received(s.admin, m)).toEqual({ sms: [], mail: [] });

    const flag = await onlyFlag(c, p.id);
    t.clock.advance(25 * MINUTE);
    await t.http.post(`/v1/flags/${flag.id}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);
    const afterAck = mark();
    t.clock.advance(10 * MINUTE);
    await escalation.tick();
    t.clock.advance(2 * 24 * HOUR);
    await escalation.tick();
    expect(received(s.practitioner, afterAck)).toEqual({ sms: [], mail: [] });
    expect(received(s.admin, afterAck)).toEqual({ sms: [], mail: [] });
    expect((await history(c, flag.id)).map((e) => e.kind)).toEqual(['raised', 'acknowledged']);
  });

  it('alerts the on-call admin (email only without a phone) when the rota names only them', async () => {
    const c = await newClinic(t);
    const s = await staffOf(c);
    await t.http.put('/v1/clinic/on-call').set(c.admin.auth).send({ shifts: [{ staffUserId: s.admin.id, weekday: 2, start: '00:00', end: '24:00' }] }).expect(200);
    const { link } = await treatedAndAsked(c);
    const m = mark();
    await answer(link, { ws_hives: 'yes' });
    expect(received(s.admin, m)).toEqual({ sms: [], mail: [expect.stringMatching(/^\[URGENT\] Aftercare flag at/)] });
    expect(received(s.practitioner, m)).toEqual({ sms: [], mail: [] });
  });

  it('falls back to the admins when the clinic has no active practitioner, and skips inactive staff on the rota', async () => {
    const c = await newClinic(t);
    const s = await staffOf(c);
    await t.http.put('/v1/clinic/on-call').set(c.admin.auth).send({ shifts: [{ staffUserId: s.practitioner.id, weekday: 2, start: '00:00', end: '24:00' }] }).expect(200);
    const { link } = await treatedAndAsked(c);
    await t.db.query(`UPDATE staff_users SET active = false WHERE id = $1`, [s.practitioner.id]);
    const m = mark();
    await answer(link, { ws_skin_change: 'yes' });
    expect(received(s.practitioner, m)).toEqual({ sms: [], mail: [] });
    expect(received(s.admin, m).mail).toEqual([expect.stringMatching(/^\[URGENT\] Aftercare flag at/)]);
  });

  it('escalates a high flag after 24 hours without acknowledgement', async () => {
    const c = await newClinic(t);
    const s = await staffOf(c);
    const { p, link } = await treatedAndAsked(c);
    const m = mark();
    await answer(link, { pain: '3' });
    const flag = await onlyFlag(c, p.id);
    expect(flag).toMatchObject({ priority: 'high', ruleId: 'severe-symptom' });
    // A high flag alerts no one at once.
    expect(received(s.practitioner, m)).toEqual({ sms: [], mail: [] });

    t.clock.advance(24 * HOUR - MINUTE);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(0);
    t.clock.advance(2 * MINUTE);
    const before = mark();
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(1);
    expect(received(s.practitioner, before).sms).toEqual([expect.stringMatching(/^ESCALATED: HIGH flag at .* not acknowledged for 24 hours\./)]);
    expect(received(s.practitioner, before).mail).toHaveLength(1);
    expect(received(s.admin, before).mail).toHaveLength(1);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(1);
  });

  it('starts the clock again when new evidence raises the priority, and escalates once per level', async () => {
    const c = await newClinic(t);
    const { p, link } = await treatedAndAsked(c);
    await answer(link, { pain: '3' });
    const flag = await onlyFlag(c, p.id);
    t.clock.advance(24 * HOUR + MINUTE);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(1);

    // What the rules write when new evidence raises a merged flag's priority (engineer 2's contract).
    t.clock.advance(HOUR);
    await t.db.query(`UPDATE flags SET priority = 'urgent' WHERE id = $1`, [flag.id]);
    await t.db.query(`INSERT INTO flag_events (flag_id, clinic_id, at, actor_type, kind, data) VALUES ($1, $2, $3, 'system', 'priority_raised', $4)`, [
      flag.id,
      c.clinic.id,
      t.clock.now(),
      { from: 'high', to: 'urgent' },
    ]);
    t.clock.advance(29 * MINUTE);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(1);
    t.clock.advance(2 * MINUTE);
    await escalation.tick();
    const h = await history(c, flag.id);
    expect(h.filter((e) => e.kind === 'escalated').map((e) => e.data.priority)).toEqual(['high', 'urgent']);
    t.clock.advance(HOUR);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(2);
  });

  it('leaves a reopened flag alone: whoever reopened it has it', async () => {
    const c = await newClinic(t);
    const { p, link } = await treatedAndAsked(c);
    await answer(link, { ws_new_lump: 'yes' });
    const flag = await onlyFlag(c, p.id);
    t.clock.advance(5 * MINUTE);
    await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Called.' }).expect(200);
    await t.http.post(`/v1/flags/${flag.id}/reopen`).set(c.practitioner.auth).send({ reason: 'Called back.' }).expect(200);
    t.clock.advance(HOUR);
    await escalation.tick();
    expect(await escalations(c, flag.id)).toBe(0);
  });

  it('lets several instances tick at once and still escalates once', async () => {
    const c = await newClinic(t);
    const { p, link } = await treatedAndAsked(c);
    await answer(link, { ws_discharge: 'yes' });
    const flag = await onlyFlag(c, p.id);
    t.clock.advance(31 * MINUTE);
    // A second service instance on the same database.
    const other = await createTestApp({ start: t.clock.now().toISOString(), smtp: t.smtp, twilioApi: t.twilioApi });
    try {
      other.clock.set(t.clock.now());
      const m = mark();
      const reports = await Promise.all([escalation.tick(), other.get(EscalationService).tick()]);
      expect(reports.map((r) => r.errors)).toEqual([0, 0]);
      const s = await staffOf(c);
      expect(received(s.practitioner, m).sms).toHaveLength(1);
      expect(received(s.practitioner, m).mail).toHaveLength(1);
    } finally {
      await other.close();
    }
    expect((await history(c, flag.id)).filter((e) => e.kind === 'escalated')).toHaveLength(1);
  });

  describe('the on-call rota API', () => {
    let c: TestClinic;
    let other: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
      other = await newClinic(t);
    });
    const put = (shifts: unknown, who = c.admin.auth) => t.http.put('/v1/clinic/on-call').set(who).send({ shifts });
    const shift = (o: Record<string, unknown> = {}) => ({ staffUserId: c.practitioner.id, weekday: 1, start: '20:00', end: '08:00', ...o });

    it('reads and replaces the rota, audited with what changed', async () => {
      const empty = (await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body;
      expect(empty).toEqual({ timeZone: 'Europe/Madrid', shifts: [], now: { staffUserIds: [c.practitioner.id], source: 'practitioners' }, staff: expect.any(Array) });

      t.clock.set('2026-03-02T20:30:00Z'); // Monday 21:30 in Madrid
      const saved = (await put([shift(), shift({ staffUserId: c.admin.id, weekday: 6, start: '00:00', end: '24:00' })]).expect(200)).body;
      expect(saved.shifts).toEqual([shift(), shift({ staffUserId: c.admin.id, weekday: 6, start: '00:00', end: '24:00' })]);
      expect(saved.now).toEqual({ staffUserIds: [c.practitioner.id], source: 'rota' });
      t.clock.set('2026-03-03T06:59:00Z'); // Tuesday 07:59: still Monday's night shift
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.now.source).toBe('rota');
      t.clock.set('2026-03-03T07:00:00Z');
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.now.source).toBe('practitioners');

      await put([]).expect(200);
      const audit = (await t.http.get(`/v1/audit-events?entityId=${c.clinic.id}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: Record<string, unknown> }>;
      const replaced = audit.filter((e) => e.action === 'on_call.replaced');
      expect(replaced).toHaveLength(2);
      expect(replaced[0].data).toMatchObject({ fields: ['shifts'], shiftCount: 2 });
      expect(replaced[1].data).toMatchObject({ fields: ['shifts'], shiftCount: 0 });
      // Saving the same rota again, in any order, changes nothing and records nothing.
      await put([]).expect(200);
      const two = [shift({ weekday: 3 }), shift({ staffUserId: c.admin.id, weekday: 3 })];
      await put(two).expect(200);
      await put([...two].reverse()).expect(200);
      const again = (await t.http.get(`/v1/audit-events?entityId=${c.clinic.id}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
      expect(again.filter((e) => e.action === 'on_call.replaced')).toHaveLength(3);
      await put([]).expect(200);
    });

    it('refuses bad shifts with 400 naming the field, and unknown staff with 404', async () => {
      const message = async (shifts: unknown, status = 400) => JSON.stringify((await put(shifts).expect(status)).body.message);
      expect(await message([shift({ weekday: 8 })])).toContain('weekday must be 1 (Monday) to 7 (Sunday)');
      expect(await message([shift({ weekday: 'monday' })])).toContain('weekday');
      expect(await message([shift({ start: '25:00' })])).toContain('start must be a local time HH:mm');
      expect(await message([shift({ end: '8pm' })])).toContain('end must be a local time HH:mm');
      expect(await message([shift({ start: '08:00', end: '08:00' })])).toContain('start and end must differ');
      expect(await message([shift({ staffUserId: 'nope' })])).toContain('staffUserId must be a UUID');
      expect(await message([{ ...shift(), colour: 'red' }])).toContain('colour should not exist');
      expect(await message('all day')).toContain('shifts must be a list');
      expect(await message(undefined)).toContain('shifts must be a list');
      expect(await message([shift({ staffUserId: c.compliance.id })])).toContain('must be a practitioner or an admin');
      expect(await message([shift({ staffUserId: other.practitioner.id })], 404)).toContain('not found in this clinic');
      expect(await message([shift({ staffUserId: '7d0c7c4e-5d9f-4c1e-9c53-2b1f0f6a1b11' })], 404)).toContain('not found');
      const inactive = await addStaff(c, 'practitioner');
      await t.db.query(`UPDATE staff_users SET active = false WHERE id = $1`, [inactive.id]);
      expect(await message([shift({ staffUserId: inactive.id })])).toContain('is not active');
      // Nothing was written by any of them.
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.shifts).toEqual([]);
    });

    it('is changed by admins only (practitioners read it)', async () => {
      await t.http.get('/v1/clinic/on-call').set(c.practitioner.auth).expect(200);
      await t.http.get('/v1/clinic/on-call').set(c.compliance.auth).expect(403);
      await put([shift()], c.practitioner.auth).expect(403);
      await put([shift()], c.compliance.auth).expect(403);
      await t.http.get('/v1/clinic/on-call').expect(401);
    });
  });

  describe('an extra check-in from a flag', () => {
    let c: TestClinic;
    let p: Awaited<ReturnType<typeof newPatient>>;
    let tr: Awaited<ReturnType<typeof newTreatment>>;
    let flagId: string;

    beforeAll(async () => {
      c = await newClinic(t);
      const asked = await treatedAndAsked(c);
      p = asked.p;
      tr = asked.tr;
      await answer(asked.link, { pain: '3' });
      flagId = (await onlyFlag(c, p.id)).id;
    });
    const request = (body: unknown, who = c.practitioner.auth, id = flagId) => t.http.post(`/v1/flags/${id}/extra-check-in`).set(who).send(body as object);

    it('plans one for tomorrow at the send time, sends it on the day, takes the answer, and keeps it in the history', async () => {
      // Tuesday 3 March, Madrid: tomorrow is day 2 after the treatment, which has no check-in of its own.
      const res = await request({ inDays: 1, note: 'Pain 3 on day 1: check again tomorrow.' }).expect(201);
      expect(res.body).toMatchObject({ flagId, reused: false, checkIn: { status: 'scheduled', dueAt: '2026-03-04T09:00:00.000Z', dayOffset: 2, requestedByFlagId: flagId } });
      const checkInId = res.body.checkIn.id;

      const listed = (await t.http.get(`/v1/treatments/${tr.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; dueAt: string }>;
      expect(listed.filter((x) => x.id === checkInId)).toHaveLength(1);

      const h = await history(c, flagId);
      expect(h.at(-1)).toMatchObject({ kind: 'extra_check_in_requested', data: { checkInId, inDays: 1, reused: false, note: 'Pain 3 on day 1: check again tomorrow.' } });
      const audit = (await t.http.get(`/v1/audit-events?entityId=${flagId}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
      expect(audit.map((e) => e.action)).toContain('flag.extra_check_in_requested');
      expect(JSON.stringify(audit)).not.toContain('check again tomorrow');

      t.clock.set('2026-03-04T08:59:00Z');
      expect((await t.dispatcher.tick()).sent).toBe(0);
      t.clock.set('2026-03-04T09:00:00Z');
      const before = t.smtp.to(p.email!).length;
      expect((await t.dispatcher.tick()).sent).toBe(1);
      const mail = t.smtp.to(p.email!).slice(before);
      expect(mail).toHaveLength(1);
      expect(mail[0].parsed.subject).toContain('2 days after your treatment');
      t.clock.advance(HOUR);
      await answer(linkIn(mail[0].parsed.text!), { pain: '2' });
      const after = (await t.http.get(`/v1/treatments/${tr.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; status: string }>;
      expect(after.find((x) => x.id === checkInId)?.status).toBe('answered');
    });

    it('reuses the check-in already planned that day instead of asking twice', async () => {
      // Wednesday 4 March + 1 day = Thursday 5 March: the protocol's day-3 check-in.
      const dayThree = tr.checkIns.find((x) => x.dueAt === '2026-03-05T09:00:00.000Z')!;
      const res = await request({ inDays: 1 }).expect(201);
      expect(res.body).toMatchObject({ reused: true, checkIn: { id: dayThree.id } });
      expect((await history(c, flagId)).at(-1)).toMatchObject({ kind: 'extra_check_in_requested', data: { checkInId: dayThree.id, reused: true } });
    });

    it('refuses bad input, compliance, other clinics and resolved flags', async () => {
      for (const body of [{}, { inDays: 0 }, { inDays: 91 }, { inDays: 1.5 }, { inDays: 'two' }, { inDays: 2, extra: true }]) {
        const res = await request(body).expect(400);
        expect(JSON.stringify(res.body.message)).toMatch(/inDays|should not exist/);
      }
      await request({ inDays: 2 }, c.compliance.auth).expect(403);
      const other = await newClinic(t);
      await request({ inDays: 2 }, other.practitioner.auth).expect(404);
      await request({ inDays: 2 }, c.practitioner.auth, '7d0c7c4e-5d9f-4c1e-9c53-2b1f0f6a1b11').expect(404);
      await t.http.post(`/v1/flags/${flagId}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Settled.' }).expect(200);
      expect((await request({ inDays: 2 }).expect(409)).body.message).toContain('resolved');
    });
  });

  describe.each([
    ['en', 'call emergency services (112 / 999 / 911) now'],
    ['de', 'Notruf 112'],
    ['fr', '(15 ou 112)'],
    ['es', '(112 / 911)'],
  ])('safety advice in %s', (locale, emergency) => {
    it('names emergency services for airway swelling and the clinic phone, by SMS', async () => {
      const c = await newClinic(t);
      const { p, link } = await treatedAndAsked(c, { locale, preferredChannel: 'sms' });
      await answer(link, { ws_airway_swelling: 'yes' });
      const advice = t.twilioApi.to(p.phone!).at(-1)!.params.Body;
      expect(advice).toContain(emergency);
      expect(advice).toContain('+34911234567');
      expect(advice).toContain(c.clinic.name);
    });
  });

  describe('an urgent report again on an acknowledged urgent flag', () => {
    it('takes the flag back to open, alerts staff again, and escalates if nobody acknowledges it this time', async () => {
      const c = await newClinic(t);
      const s = await staffOf(c);
      const { p, tr } = await treatedAndAsked(c);
      await answer(linkIn(t.smtp.to(p.email!).at(-1)!.parsed.text!), { ws_fever: 'yes' });
      const flag = await onlyFlag(c, p.id);
      await t.http.post(`/v1/flags/${flag.id}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);

      // Day 3: fever again. One flag still (no noise), but it is news for whoever acknowledged it.
      t.clock.set(tr.checkIns.find((x) => x.dayOffset === 3)!.dueAt);
      await t.dispatcher.tick();
      const again = mark();
      await answer(linkIn(t.smtp.to(p.email!).at(-1)!.parsed.text!), { ws_fever: 'yes' });
      expect(await onlyFlag(c, p.id)).toMatchObject({ id: flag.id, priority: 'urgent' });
      const now = (await t.http.get(`/v1/flags/${flag.id}`).set(c.practitioner.auth).expect(200)).body;
      expect(now).toMatchObject({ status: 'open', acknowledgedAt: null });
      expect(now.history.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'acknowledged', 'evidence_added']);
      expect(now.history[2].data).toMatchObject({ statusFrom: 'acknowledged', statusTo: 'open' });
      expect(received(s.practitioner, again).sms).toHaveLength(1);
      expect(received(s.practitioner, again).mail).toHaveLength(1);

      t.clock.advance(31 * MINUTE);
      const before = mark();
      await escalation.tick();
      expect(await escalations(c, flag.id)).toBe(1);
      expect(received(s.admin, before).mail).toHaveLength(1);
      await escalation.tick();
      expect(await escalations(c, flag.id)).toBe(1);
    });
  });
});
