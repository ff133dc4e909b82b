import { randomBytes } from 'node:crypto';
import { createTestApp, TestApp } from './support/app';
import { newClinic, newPatient, newTreatment, TestClinic } from './support/factories';

/** Review probes: what "one course" means, and where an answer's flags land. */
describe('review1: course attribution', () => {
  let t: TestApp;
  let c: TestClinic;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    c = await newClinic(t);
  });
  afterAll(() => t.close());

  const sms = (from: string, body: string) =>
    t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);

  it('a scalp hair-loss treatment and an unrelated body cellulite treatment 4 days later are one "course"', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const scalp = await newTreatment(t, c, p.id, { indication: 'hair loss', bodyAreas: ['scalp'], product: 'Hair cocktail', lotNumber: 'SCALP-1' });
    t.clock.set('2026-03-06T08:00:00Z');
    const body = await newTreatment(t, c, p.id, { indication: 'cellulite', bodyAreas: ['thighs'], product: 'Lipolytic', lotNumber: 'BODY-1' });

    const rows: Array<{ treatment_id: string; day_offset: number; status: string }> = await t.db.query(
      `SELECT treatment_id, day_offset, status FROM check_ins WHERE patient_id = $1 ORDER BY due_at`,
      [p.id],
    );
    // The scalp treatment's own day 30/60/90 follow-up is gone: superseded by the body session's.
    const scalpLate = rows.filter((r) => r.treatment_id === scalp.id && r.day_offset > 14);
    console.log('scalp late steps', scalpLate);

    // Day 7 of the scalp treatment (9 March): the patient reports a new lump in words.
    t.clock.set('2026-03-09T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.set('2026-03-09T09:30:00Z');
    await sms(p.phone!, '0 0 0 0 3');
    const resp = await t.db.query(`SELECT treatment_id, day_since_treatment FROM responses WHERE patient_id = $1`, [p.id]);
    const flags = await t.db.query(`SELECT f.rule_id, f.treatment_id, t.lot_number FROM flags f JOIN treatments t ON t.id = f.treatment_id WHERE f.patient_id = $1`, [p.id]);
    console.log('response', resp, 'flags', flags, { scalp: scalp.id, body: body.id });
    expect(scalpLate.every((r) => r.status === 'superseded')).toBe(false);
    expect(flags.every((f: { treatment_id: string }) => f.treatment_id === scalp.id)).toBe(true);
  });

  it('a late-onset infection in a course is counted only for the last session\'s lot', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    const s1 = await newTreatment(t, c, p.id, { lotNumber: 'LOT-S1' });
    t.clock.set('2026-03-09T07:00:00Z');
    const s2 = await newTreatment(t, c, p.id, { lotNumber: 'LOT-S2' });
    // Quiet answers on the days a check-in is open, then a discharge 30 days after s2.
    const answer = async (at: string, body: string) => {
      t.clock.set(at);
      await t.dispatcher.tick();
      t.clock.set(new Date(new Date(at).getTime() + 30 * 60_000).toISOString());
      await sms(p.phone!, body);
    };
    await answer('2026-03-16T09:00:00Z', '0');
    await answer('2026-03-23T09:00:00Z', '0');
    await answer('2026-04-08T08:00:00Z', 'there is pus coming out of one of the injection points');
    const flags = await t.db.query(`SELECT f.rule_id, f.priority, t.lot_number FROM flags f JOIN treatments t ON t.id = f.treatment_id WHERE f.patient_id = $1 ORDER BY f.rule_id`, [p.id]);
    console.log('course flags', flags, { s1: s1.id, s2: s2.id });
    expect(flags.map((f: { lot_number: string }) => f.lot_number)).toContain('LOT-S1');
  });
  it('weekly course: ordinary day-1 symptoms after the second session are flagged as worsening', async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c);
    await newTreatment(t, c, p.id);
    const answer = async (at: string, body: string) => {
      t.clock.set(at);
      await t.dispatcher.tick();
      t.clock.set(new Date(new Date(at).getTime() + 30 * 60_000).toISOString());
      await sms(p.phone!, body);
    };
    await answer('2026-03-03T09:00:00Z', '2 1 0 0 1');
    await answer('2026-03-05T09:00:00Z', '0');
    t.clock.set('2026-03-09T07:00:00Z');
    const s2 = await newTreatment(t, c, p.id);
    await answer('2026-03-10T09:00:00Z', '2 2 0 0 2');
    const flags = await t.db.query(`SELECT rule_id, priority, reason, treatment_id FROM flags WHERE patient_id = $1`, [p.id]);
    console.log('weekly flags', flags, { s2: s2.id });
    expect(flags).toEqual([]);
  });
});
