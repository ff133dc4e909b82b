import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { TestApp } from './support/app';
import { appWithClinic, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';

/**
 * A course of sessions a week apart (Mondays 2, 9 and 16 March 2026, Madrid): one check-in a
 * day, overlapping steps merged, late steps (30, 60, 90) only from the last session, answers
 * judged from the most recent session.
 */
describe('a course of sessions', () => {
  const suite = appWithClinic({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  let c: TestClinic;
  beforeAll(() => {
    ({ t, c } = suite);
  });

  interface Row {
    id: string;
    treatment_id: string;
    day_offset: number;
    due_at: Date;
    status: string;
    covers: string[];
  }
  const checkInsOf = (patientId: string): Promise<Row[]> =>
    t.db.query(
      `SELECT c.id, c.treatment_id, c.day_offset, c.due_at, c.status,
              (SELECT array_agg(l.treatment_id::text ORDER BY l.treatment_id) FROM check_in_treatments l WHERE l.check_in_id = c.id) AS covers
         FROM check_ins c WHERE c.patient_id = $1 ORDER BY c.due_at, c.status`,
      [patientId],
    );
  const madridDay = (at: Date) => DateTime.fromJSDate(at, { zone: 'Europe/Madrid' }).toISODate()!;
  const sms = (from: string, body: string) =>
    t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);

  it('three sessions a week apart: one check-in a day, merged steps, late steps only from the last, answers from the latest session', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const s1 = await newTreatment(t, c, p.id);
    expect(s1.checkIns.map((x) => madridDay(new Date(x.dueAt)))).toEqual(['2026-03-03', '2026-03-05', '2026-03-09', '2026-03-16', '2026-04-01', '2026-05-01', '2026-05-31']);

    t.clock.set('2026-03-09T07:00:00Z');
    const s2 = await newTreatment(t, c, p.id);
    // Its day 7 (16 March) is the first session's day 14: one check-in counting for both, owned by the newer session.
    const merged16 = s2.checkIns.find((x) => madridDay(new Date(x.dueAt)) === '2026-03-16')!;
    expect(merged16).toMatchObject({ treatmentId: s2.id, dayOffset: 7, step: 3 });
    expect([...merged16.treatmentIds].sort()).toEqual([s1.id, s2.id].sort());
    expect(s1.checkIns.find((x) => x.id === merged16.id)).toBeTruthy();

    // 16 March: the merged check-in goes out and the patient answers before the third session.
    t.clock.set('2026-03-16T09:00:00Z');
    await t.dispatcher.tick();
    const sent = (await checkInsOf(p.id)).find((r) => r.id === merged16.id)!;
    expect(sent.status).toBe('sent');
    t.clock.set('2026-03-16T09:30:00Z');
    await sms(p.phone!, '1 1 0 0 1');
    const [first] = await t.db.query(`SELECT treatment_id, day_since_treatment, check_in_id FROM responses WHERE patient_id = $1`, [p.id]);
    expect(first).toEqual({ treatment_id: s2.id, day_since_treatment: 7, check_in_id: merged16.id });

    t.clock.set('2026-03-16T10:00:00Z');
    const s3 = await newTreatment(t, c, p.id);

    const rows = await checkInsOf(p.id);
    const live = rows.filter((r) => r.status !== 'superseded');
    // At most one check-in per local day.
    const days = live.map((r) => madridDay(r.due_at));
    expect(new Set(days).size).toBe(days.length);
    // The late steps run from the last session only; the earlier ones' were superseded, unsent.
    const late = live.filter((r) => r.day_offset > 14);
    expect(late.map((r) => [r.treatment_id, r.day_offset, madridDay(r.due_at)])).toEqual([
      [s3.id, 30, '2026-04-15'],
      [s3.id, 60, '2026-05-15'],
      [s3.id, 90, '2026-06-14'],
    ]);
    for (const r of late) expect(r.covers.sort()).toEqual([s1.id, s2.id, s3.id].sort());
    const superseded = rows.filter((r) => r.status === 'superseded');
    expect(superseded.map((r) => [r.treatment_id, r.day_offset])).toEqual([
      [s1.id, 30],
      [s2.id, 30],
      [s1.id, 60],
      [s2.id, 60],
      [s1.id, 90],
      [s2.id, 90],
    ]);
    const events = (await t.http.get('/v1/audit-events?action=check_in.superseded').set(c.compliance.auth).expect(200)).body.items;
    expect(events.map((e: { entityId: string }) => e.entityId).sort()).toEqual(superseded.map((r) => r.id).sort());
    // 23 March is the second session's day 14 and the third's day 7: merged, owned by the third.
    const merged23 = live.find((r) => madridDay(r.due_at) === '2026-03-23')!;
    expect(merged23).toMatchObject({ treatment_id: s3.id, day_offset: 7 });
    expect(merged23.covers.sort()).toEqual([s2.id, s3.id].sort());
    // Every day any session asks about, the patient is asked once.
    expect(days.filter((d) => d >= '2026-03-16')).toEqual(['2026-03-16', '2026-03-17', '2026-03-19', '2026-03-23', '2026-03-30', '2026-04-15', '2026-05-15', '2026-06-14']);

    // 23 March: one message for the merged check-in, and the answer is judged from the third session (day 7).
    t.clock.set('2026-03-23T09:00:00Z');
    const before = t.twilioApi.to(p.phone!).length;
    await t.dispatcher.tick();
    const sentNow = t.twilioApi.to(p.phone!).slice(before);
    expect(sentNow).toHaveLength(1);
    await sms(p.phone!, '0 0 0 0 0');
    const [latest] = await t.db.query(`SELECT treatment_id, day_since_treatment, check_in_id FROM responses WHERE patient_id = $1 ORDER BY received_at DESC LIMIT 1`, [p.id]);
    expect(latest).toEqual({ treatment_id: s3.id, day_since_treatment: 7, check_in_id: merged23.id });
  });

  it('an answer to a check-in sent before a new session the same day is judged from the new session', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick(); // day 1 goes out at 10:00 Madrid
    t.clock.set('2026-03-03T11:00:00Z');
    const s2 = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T12:00:00Z');
    await sms(p.phone!, '2 1 0 0 1');
    const [r] = await t.db.query(`SELECT treatment_id, day_since_treatment FROM responses WHERE patient_id = $1`, [p.id]);
    expect(r).toEqual({ treatment_id: s2.id, day_since_treatment: 0 });
  });

  it('cancelling the last session re-points merged check-ins and plans the late steps again from the session before', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const s1 = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-09T07:00:00Z');
    const s2 = await newTreatment(t, c, p.id);
    const merged16 = s2.checkIns.find((x) => madridDay(new Date(x.dueAt)) === '2026-03-16')!;

    const res = await t.http.post(`/v1/treatments/${s2.id}/cancel`).set(c.practitioner.auth).send({ reason: 'entered twice' }).expect(200);
    const rows = await checkInsOf(p.id);
    // The merged check-in stays, for the first session only (its day 14).
    const kept = rows.find((r) => r.id === merged16.id)!;
    expect(kept).toMatchObject({ status: 'scheduled', treatment_id: s1.id, day_offset: 14, covers: [s1.id] });
    // The second session's own steps are cancelled (the merged one is not among them).
    expect(rows.filter((r) => r.treatment_id === s2.id).every((r) => r.status === 'cancelled')).toBe(true);
    expect(res.body.cancelledCheckIns).toBe(s2.checkIns.length - 1);
    // The course keeps its late steps, from the first session again.
    const late = rows.filter((r) => r.day_offset > 14 && r.status === 'scheduled');
    expect(late.map((r) => [r.treatment_id, r.day_offset, madridDay(r.due_at)])).toEqual([
      [s1.id, 30, '2026-04-01'],
      [s1.id, 60, '2026-05-01'],
      [s1.id, 90, '2026-05-31'],
    ]);
    const days = rows.filter((r) => ['scheduled', 'sent'].includes(r.status)).map((r) => madridDay(r.due_at));
    expect(new Set(days).size).toBe(days.length);
    await t.dispatcher.tick(); // days 1 and 3 expire unanswered (nothing was sent)
    const listed = (await t.http.get(`/v1/treatments/${s1.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items;
    expect(listed.filter((x: { status: string }) => x.status === 'scheduled').map((x: { dayOffset: number }) => x.dayOffset)).toEqual([7, 14, 30, 60, 90]);
  });

  it('a session after a break of more than 28 days starts a new course and leaves the old late steps alone', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const s1 = await newTreatment(t, c, p.id);
    t.clock.set('2026-04-06T07:00:00Z'); // five weeks later
    const s2 = await newTreatment(t, c, p.id);
    const rows = await checkInsOf(p.id);
    expect(rows.filter((r) => r.status === 'superseded')).toEqual([]);
    expect(rows.filter((r) => r.treatment_id === s1.id && r.day_offset > 14).map((r) => r.status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    expect(s2.checkIns.filter((x) => x.dayOffset > 14)).toHaveLength(3);
  });

  it('two sessions recorded at the same moment still give one check-in a day and one set of late steps', async () => {
    t.clock.set('2026-03-09T07:00:00Z');
    const p = await newPatient(t, c);
    const post = (performedAt: string) =>
      t.http
        .post('/v1/treatments')
        .set(c.practitioner.auth)
        .send({ patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'X', performedAt, sendInstructions: false });
    const [a, b] = await Promise.all([post('2026-03-02T08:00:00Z'), post('2026-03-09T07:00:00Z')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const rows = (await checkInsOf(p.id)).filter((r) => r.status !== 'superseded');
    const days = rows.map((r) => madridDay(r.due_at));
    expect(new Set(days).size).toBe(days.length);
    expect(rows.filter((r) => r.day_offset > 14).map((r) => [r.treatment_id, r.day_offset])).toEqual([
      [b.body.id, 30],
      [b.body.id, 60],
      [b.body.id, 90],
    ]);
  });

  it('two check-ins in a row unanswered across sessions raise "lost to follow-up" (the merged one belongs to the newer session)', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const a = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z'); // session A's day 1 goes out
    await t.dispatcher.tick();
    t.clock.set('2026-03-04T07:00:00Z');
    const b = await newTreatment(t, c, p.id);
    // B's day 1 is A's day 3 (5 March): one check-in, owned by B, step 1 of B.
    const merged = b.checkIns.find((x) => madridDay(new Date(x.dueAt)) === '2026-03-05')!;
    expect(merged).toMatchObject({ treatmentId: b.id, step: 1 });
    t.clock.set('2026-03-05T09:00:00Z'); // A's day 1 expires unanswered; the merged one goes out
    await t.dispatcher.tick();
    t.clock.set('2026-03-07T09:30:00Z'); // and expires unanswered too
    await t.dispatcher.tick();
    const flags = await t.db.query(`SELECT rule_id, priority, treatment_id, evidence FROM flags WHERE patient_id = $1`, [p.id]);
    expect(flags).toEqual([expect.objectContaining({ rule_id: 'lost-to-follow-up', priority: 'low', treatment_id: b.id })]);
    expect(flags[0].evidence.checkInIds).toEqual([a.checkIns[0].id, merged.id]);
  });

  it('a weekly course: each session\'s ordinary day-1 reaction raises nothing, though the session before had settled', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    await newTreatment(t, c, p.id);
    const answerOn = async (at: string, body: string) => {
      t.clock.set(at);
      await t.dispatcher.tick();
      t.clock.set(new Date(new Date(at).getTime() + 30 * 60_000).toISOString());
      await sms(p.phone!, body);
    };
    await answerOn('2026-03-03T09:00:00Z', '2 1 0 0 1');
    await answerOn('2026-03-05T09:00:00Z', '0');
    t.clock.set('2026-03-09T07:00:00Z');
    await newTreatment(t, c, p.id);
    await answerOn('2026-03-10T09:00:00Z', '2 2 0 0 2');
    expect(await t.db.query(`SELECT rule_id FROM flags WHERE patient_id = $1`, [p.id])).toEqual([]);
    // A rise within the session still counts: bruising 2 → 4 on its day 3 is severe and worse.
    await answerOn('2026-03-12T09:00:00Z', '4 1 0 0 1');
    const flags = await t.db.query(`SELECT rule_id, priority FROM flags WHERE patient_id = $1 ORDER BY rule_id`, [p.id]);
    expect(flags).toEqual([{ rule_id: 'severe-symptom', priority: 'high' }, { rule_id: 'worsening', priority: 'high' }]);
  });

  it('a scalp treatment and a body treatment four days later are two courses: each keeps its late steps, still one check-in a day', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const scalp = await newTreatment(t, c, p.id, { indication: 'hair loss', bodyAreas: ['scalp'], lotNumber: 'SCALP-1' });
    t.clock.set('2026-03-06T08:00:00Z');
    const body = await newTreatment(t, c, p.id, { indication: 'cellulite', bodyAreas: ['thighs'], lotNumber: 'BODY-1' });
    const rows = await checkInsOf(p.id);
    expect(rows.filter((r) => r.status === 'superseded')).toEqual([]);
    const lateOf = (id: string) => rows.filter((r) => r.treatment_id === id && r.day_offset > 14).map((r) => r.day_offset);
    expect(lateOf(scalp.id)).toEqual([30, 60, 90]);
    expect(lateOf(body.id)).toEqual([30, 60, 90]);
    const days = rows.map((r) => madridDay(r.due_at));
    expect(new Set(days).size).toBe(days.length);
  });

  it('a delayed infection in a course counts for every session the answered check-in covers: both lots are exposed to it', async () => {
    const clinic = await newClinic(t);
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, clinic);
    await newTreatment(t, clinic, p.id, { lotNumber: 'LOT-S1' });
    t.clock.set('2026-03-09T07:00:00Z');
    const s2 = await newTreatment(t, clinic, p.id, { lotNumber: 'LOT-S2' });
    const answerOn = async (at: string, body: string) => {
      t.clock.set(at);
      await t.dispatcher.tick();
      t.clock.set(new Date(new Date(at).getTime() + 30 * 60_000).toISOString());
      await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: p.phone!, To: clinic.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);
    };
    await answerOn('2026-03-16T09:00:00Z', '0');
    await answerOn('2026-03-23T09:00:00Z', '0');
    // Day 30 of the last session: its late step counts for both sessions of the course.
    await answerOn(s2.checkIns.find((x) => x.dayOffset === 30)!.dueAt, 'there is pus coming out of one of the injection points');
    const flags = await t.db.query(`SELECT rule_id, treatment_id FROM flags WHERE patient_id = $1 ORDER BY rule_id`, [p.id]);
    expect(flags).toEqual([{ rule_id: 'late-onset', treatment_id: s2.id }, { rule_id: 'warning-sign', treatment_id: s2.id }]);
    const values = (await t.http.get('/v1/signals').set(clinic.compliance.auth).expect(200)).body.values as Array<{ dimension: string; value: string; stats: { a: number } }>;
    for (const lot of ['LOT-S1', 'LOT-S2']) expect(values.find((v) => v.dimension === 'lot' && v.value === lot)!.stats.a).toBe(1);
  });
});
