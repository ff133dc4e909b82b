import { EscalationService } from '../src/flags/escalation.service';
import { appSuite, createTestApp, type TestApp } from './support/app';
import { linkIn, newClinic, TestClinic } from './support/factories';
import { Staff, urgentHelpers } from './support/urgent';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The urgent pathway: safety advice to the patient, SMS and email to whoever is on call, and
 * escalation of unacknowledged urgent and high flags (again after an urgent report reopens one).
 */
describe('urgent pathway: alerts and escalation', () => {
  const app = appSuite({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  let escalation: EscalationService;
  beforeAll(() => {
    t = app.t;
    escalation = t.get(EscalationService);
  });

  const { addStaff, staffOf, received, mark, treatedAndAsked, answer, onlyFlag, escalations, history } = urgentHelpers(() => t);

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
