import { appSuite, type TestApp } from './support/app';
import { newApiKey, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';
import { CLEAN, dispatchAndAnswer } from './support/signals';

/** The course report: per day after treatment, the share of patients with each symptom, above the expected course, and how long it lasted. */
describe('the course report', () => {
  const app = appSuite({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  beforeAll(() => {
    t = app.t;
  });

  const get = (path: string, who: Record<string, string>) => t.http.get(path).set(who);

  let c: TestClinic;
  const patients: Array<{ id: string; email: string }> = [];

  beforeAll(async () => {
    t.clock.set('2026-03-02T08:00:00Z');
    c = await newClinic(t);
    const steps: Array<Array<{ dayOffset: number; dueAt: string }>> = [];
    for (let i = 0; i < 4; i++) {
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      patients.push({ id: p.id, email: p.email! });
      const tr = await newTreatment(t, c, p.id, { product: 'Course product R', lotNumber: 'R-1' });
      steps.push(tr.checkIns as unknown as Array<{ dayOffset: number; dueAt: string }>);
    }
    // Another product, answered too: its own group, left out by the product filter.
    const other = await newPatient(t, c, { preferredChannel: 'email' });
    await newTreatment(t, c, other.id, { product: 'Other product', lotNumber: 'O-1' });

    const due = (day: number) => steps[0].find((s) => s.dayOffset === day)!.dueAt;
    // Day 1: p0 bruising 2 + pain 1, p1 bruising 3 (above the usual 2), p2 nothing, p3 redness 1.
    t.clock.set(due(1));
    await dispatchAndAnswer(t, [
      { email: patients[0].email, form: { ...CLEAN, bruising: '2', pain: '1' } },
      { email: patients[1].email, form: { ...CLEAN, bruising: '3' } },
      { email: patients[2].email, form: CLEAN },
      { email: patients[3].email, form: { ...CLEAN, redness: '1' } },
      { email: other.email!, form: { ...CLEAN, itching: '2' } },
    ]);
    // Day 3: p0 bruising 1, p1 bruising 2, p2 nothing; p3 does not answer.
    t.clock.set(due(3));
    await dispatchAndAnswer(t, [
      { email: patients[0].email, form: { ...CLEAN, bruising: '1' } },
      { email: patients[1].email, form: { ...CLEAN, bruising: '2' } },
      { email: patients[2].email, form: CLEAN },
    ]);
  });

  it('shows per day the share with each symptom and above the expected course, and how long each lasted', async () => {
    const res = await get('/v1/reports/course?procedure=mesotherapy&product=Course%20product%20R', c.compliance.auth).expect(200);
    expect(res.body.groups).toHaveLength(1);
    const [g] = res.body.groups;
    expect(g).toMatchObject({ procedure: 'mesotherapy', product: 'Course product R', treatments: 4, patients: 4 });
    expect(g.steps.map((s: { day: number }) => s.day)).toEqual([1, 3]);
    const [d1, d3] = g.steps;
    expect(d1).toMatchObject({ answering: 4, patients: 4, anyAboveExpected: 1, shareAnyAboveExpected: 0.25 });
    expect(d1.symptoms.bruising).toEqual({ answered: 4, withSymptom: 2, share: 0.5, aboveExpected: 1, shareAboveExpected: 0.25, expectedMax: 2 });
    expect(d1.symptoms.pain).toMatchObject({ withSymptom: 1, share: 0.25, aboveExpected: 0, expectedMax: 2 });
    expect(d1.symptoms.redness).toMatchObject({ withSymptom: 1, share: 0.25 });
    expect(d1.symptoms.itching).toMatchObject({ withSymptom: 0, share: 0, expectedMax: 1 });
    expect(d3).toMatchObject({ answering: 3, patients: 3, anyAboveExpected: 0 });
    expect(d3.symptoms.bruising.withSymptom).toBe(2);
    expect(d3.symptoms.bruising.share).toBeCloseTo(2 / 3, 10);
    expect(g.durations.bruising).toEqual({
      courses: 4,
      withSymptom: 2,
      lastDayMedian: 3,
      lastDayP90: 3,
      lastDayMax: 3,
      expectedWindowEnd: 15,
      beyondWindow: 0,
      shareBeyondWindow: 0,
    });
    expect(g.durations.redness).toMatchObject({ withSymptom: 1, lastDayMedian: 1, expectedWindowEnd: 14 });
    expect(g.durations.itching).toMatchObject({ withSymptom: 0, lastDayMedian: null, lastDayP90: null });
    // Nobody reported a warning sign: no sign of infection in these courses.
    expect(g.warningSigns).toEqual({
      courses: 4,
      withAny: 0,
      withInfectionSign: 0,
      shareInfectionSign: 0,
      bySign: { fever: 0, discharge: 0, spreading_redness: 0, new_lump: 0, skin_change: 0, airway_swelling: 0, hives: 0 },
    });
    // Counts only: no names, addresses or answers of a person.
    expect(JSON.stringify(res.body)).not.toContain(patients[0].email);
  });

  it('groups every procedure and product without a filter, and filters by performed date', async () => {
    const all = (await get('/v1/reports/course', c.practitioner.auth).expect(200)).body.groups;
    expect(all.map((g: { product: string }) => g.product)).toEqual(['Course product R', 'Other product']);
    expect(all[1].steps[0].symptoms.itching).toMatchObject({ withSymptom: 1, aboveExpected: 1 });
    const inRange = (await get('/v1/reports/course?from=2026-03-02&to=2026-03-02', c.admin.auth).expect(200)).body;
    expect(inRange.groups).toHaveLength(2);
    expect(inRange.filter).toMatchObject({ from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T23:59:59.999Z' });
    expect((await get('/v1/reports/course?to=2026-03-01', c.admin.auth).expect(200)).body.groups).toEqual([]);
    expect((await get('/v1/reports/course?from=2026-03-02T09:00:00Z', c.admin.auth).expect(200)).body.groups).toEqual([]);
  });

  it('is the clinic\'s own: another clinic sees nothing, integrations are refused, bad dates are 400', async () => {
    const other = await newClinic(t);
    expect((await get('/v1/reports/course', other.compliance.auth).expect(200)).body.groups).toEqual([]);
    await get('/v1/reports/course', await newApiKey(t, c)).expect(403);
    expect((await get('/v1/reports/course?from=yesterday', c.admin.auth).expect(400)).body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/^from must be an ISO 8601 date/)]),
    );
    expect((await get('/v1/reports/course?to=2026-02-30', c.admin.auth).expect(400)).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^to must be/)]));
    expect((await get('/v1/reports/course?from=2026-03-05&to=2026-03-01', c.admin.auth).expect(400)).body.message).toBe('from must be before to');
    expect((await get('/v1/reports/course?from=2026-03-05T10:00:00', c.admin.auth).expect(400)).body.message).toMatch(/time zone/);
    expect((await get('/v1/reports/course?colour=red', c.admin.auth).expect(400)).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/colour/)]));
  });
});
