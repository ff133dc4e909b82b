import { randomBytes } from 'node:crypto';
import { createDataSource } from '../src/database/data-source';
import { OneOpenFlagPerRule1765200000000 } from '../migrations/1765200000000-OneOpenFlagPerRule';
import { ClinicsService } from '../src/clinics/clinics.service';
import { FlagsService } from '../src/flags/flags.service';
import { PatientsService } from '../src/patients/patients.service';
import { DEFAULT_EXPECTED_COURSE } from '../src/protocols/expected-course';
import { Raise, SCENARIOS, Scenario, ScenarioAnswer } from './scenarios/scenarios';
import { PRIORITY_RANK } from '../src/flags/rules';
import { WARNING_SIGNS } from '../src/protocols/questions';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';

/**
 * Patient courses end to end: check-ins sent by the dispatcher on each protocol day (the clock
 * moved there), answered through the web form or by signed SMS reply, judged by the rules, and
 * the flags a practitioner sees. Then the "one open flag per treatment and rule" mechanics.
 */

type Patient = Awaited<ReturnType<typeof newPatient>>;
type Treatment = Awaited<ReturnType<typeof newTreatment>>;
type FlagRow = {
  id: string;
  patientId: string;
  treatmentId: string | null;
  ruleId: string;
  priority: string;
  status: string;
  responseId: string | null;
  acknowledgedAt: string | null;
  evidence: Record<string, unknown> & { history?: Array<{ responseId: string | null; priority: string; reason: string }> };
  history?: Array<{ kind: string; data: Record<string, unknown> }>;
};

const PROTOCOL_DAYS = [1, 3, 7, 14, 30, 60];
const newSid = () => 'SM' + randomBytes(16).toString('hex');

describe('patient-course scenarios, end to end', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' }); // Monday 09:00 in Madrid
  });
  afterAll(() => t.close());

  /** A clinic and a patient treated now (Monday 09:00 Madrid), answering by `channel`. */
  async function treated(channel: 'email' | 'sms', start = '2026-03-02T08:00:00Z') {
    t.clock.set(start);
    const c = await newClinic(t);
    const patient = await newPatient(t, c, { preferredChannel: channel });
    const treatment = await newTreatment(t, c, patient.id);
    return { c, patient, treatment };
  }

  /** Moves the clock to that protocol day's check-in and lets the dispatcher send it. */
  async function reachDay(treatment: Treatment, day: number) {
    const i = PROTOCOL_DAYS.indexOf(day);
    if (i < 0) throw new Error(`day ${day} is not a protocol day`);
    const due = new Date(treatment.checkIns[i].dueAt);
    if (t.clock.now() < due) t.clock.set(due);
    await t.dispatcher.tick();
    t.clock.advance(20 * 60_000);
  }

  /** The answer through the form link of the latest check-in email. */
  async function answerByForm(patient: Patient, a: ScenarioAnswer) {
    if (a.scores === null) throw new Error('the form always has scores');
    const mail = t.smtp.to(patient.email!).filter((m) => /\/c\//.test(m.parsed.text ?? '')).at(-1)!;
    const [bruising, redness, itching, burning, pain] = a.scores.split(' ');
    const signs = Object.fromEntries(WARNING_SIGNS.map((w) => [`ws_${w}`, a.signs?.includes(w) ? 'yes' : 'no']));
    await t.http
      .post(linkIn(mail.parsed.text!))
      .type('form')
      .send({ bruising, redness, itching, burning, pain, ...signs, free_text: a.text ?? '' })
      .expect(200);
  }

  function reply(c: TestClinic, patient: Patient, body: string, sid = newSid()) {
    return t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: patient.phone!, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) });
  }

  /** The answer as a signed SMS reply: the five numbers, or the words alone. */
  async function answerBySms(c: TestClinic, patient: Patient, a: ScenarioAnswer) {
    if (a.signs?.length) throw new Error('an SMS has no boxes to tick');
    await reply(c, patient, a.scores ?? a.text!).expect(200);
  }

  const flagsOf = async (c: TestClinic, patientId: string) =>
    ((await t.http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items as FlagRow[]).filter((f) => f.patientId === patientId);
  const flag = async (c: TestClinic, id: string) => (await t.http.get(`/v1/flags/${id}`).set(c.practitioner.auth).expect(200)).body as FlagRow;
  const responsesOf = async (c: TestClinic, patientId: string) =>
    (await t.http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; daySinceTreatment: number }>;
  const auditActions = async (c: TestClinic, flagId: string) =>
    ((await t.http.get(`/v1/audit-events?limit=200&entityId=${flagId}`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: Record<string, unknown> }>);

  /** What the scenario says the practitioner ends up with: one flag per rule, its top priority and evidence days. */
  function expectedFlags(raises: Raise[]) {
    const byRule = new Map<string, { priority: string; days: number[] }>();
    for (const [day, rule, priority] of raises) {
      const f = byRule.get(rule) ?? { priority, days: [] };
      if (PRIORITY_RANK[priority] < PRIORITY_RANK[f.priority as keyof typeof PRIORITY_RANK]) f.priority = priority;
      f.days.push(day);
      byRule.set(rule, f);
    }
    return [...byRule].map(([ruleId, f]) => ({ ruleId, ...f })).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  }

  const RUN: Array<[string, 'email' | 'sms']> = [
    ['textbook course: bruising 2 on day 1 fading to 0 by day 14', 'email'],
    ['anaphylaxis-like: airway swelling and hives ticked on day 1', 'email'],
    ['late infection: a lump on day 30 after clean days 7 and 14', 'email'],
    ['itching at moderate on day 3', 'email'],
    ['severe pain that keeps worsening: one worsening flag (high) with two pieces of evidence', 'sms'],
    ['"my leg has a hot spreading red patch" on day 7', 'sms'],
    ['bruising still there at day 30 and 60: one persisting flag', 'sms'],
    ['redness that comes back after its window and grows: one worsening flag, two pieces', 'sms'],
  ];

  it.each(RUN)('%s (answered by %s)', async (name, channel) => {
    const scenario = SCENARIOS.find((s) => s.name === name) as Scenario;
    expect(scenario).toBeDefined();
    const { c, patient, treatment } = await treated(channel);
    for (const a of scenario.answers) {
      await reachDay(treatment, a.day);
      if (channel === 'email') await answerByForm(patient, a);
      else await answerBySms(c, patient, a);
    }

    const responses = await responsesOf(c, patient.id);
    expect(responses.map((r) => r.daySinceTreatment)).toEqual(scenario.answers.map((a) => a.day));
    const dayOf = new Map(responses.map((r) => [r.id, r.daySinceTreatment]));
    const flags = await flagsOf(c, patient.id);
    const seen = await Promise.all(
      flags.map(async (f) => {
        const full = await flag(c, f.id);
        const pieces = full.evidence.history ?? [{ responseId: full.responseId }];
        // Each piece of evidence is in the flag's history too, with its response.
        const added = full.history!.filter((e) => e.kind === 'evidence_added').map((e) => e.data.responseId);
        expect(added).toEqual(pieces.slice(1).map((p) => p.responseId));
        expect(f.status).toBe('open');
        return { ruleId: f.ruleId, priority: f.priority, days: pieces.map((p) => dayOf.get(p.responseId!)) };
      }),
    );
    expect(seen.sort((a, b) => a.ruleId.localeCompare(b.ruleId))).toEqual(expectedFlags(scenario.raises));
    for (const rule of scenario.never ?? []) expect(flags.map((f) => f.ruleId)).not.toContain(rule);

    // A warning sign: safety advice reached the patient on the channel they answered by.
    const urgentDays = scenario.raises.filter(([, , p]) => p === 'urgent').length;
    const advice =
      channel === 'email'
        ? t.smtp.to(patient.email!).filter((m) => m.parsed.subject?.includes('please contact us now'))
        : t.twilioApi.to(patient.phone!).filter((m) => m.params.Body.includes('emergency'));
    expect(advice).toHaveLength(urgentDays);
  });

  describe('one open flag per treatment and rule', () => {
    it('merges a worsening that turns severe into the acknowledged flag, raises its priority and puts it back in the open queue', async () => {
      const { c, patient, treatment } = await treated('sms');
      await reachDay(treatment, 3);
      await reply(c, patient, '0 0 0 0 0').expect(200);
      await reachDay(treatment, 7);
      await reply(c, patient, '1 0 0 0 0').expect(200);
      const [worsening] = await flagsOf(c, patient.id);
      expect(worsening).toMatchObject({ ruleId: 'worsening', priority: 'normal', status: 'open' });
      await t.http.post(`/v1/flags/${worsening.id}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);

      await reachDay(treatment, 14);
      await reply(c, patient, '3 0 0 0 0').expect(200);

      const flags = await flagsOf(c, patient.id);
      expect(flags.map((f) => `${f.priority}:${f.ruleId}:${f.status}`).sort()).toEqual(['high:severe-symptom:open', 'high:worsening:open']);
      const merged = await flag(c, worsening.id);
      expect(merged).toMatchObject({ status: 'open', priority: 'high', acknowledgedAt: null });
      const [day7, day14] = await responsesOf(c, patient.id).then((r) => r.slice(1));
      expect(merged.evidence.history!.map((p) => [p.responseId, p.priority])).toEqual([
        [day7.id, 'normal'],
        [day14.id, 'high'],
      ]);
      expect(merged.evidence.reachedSevere).toEqual(['bruising']);
      expect(merged.history!.map((e) => e.kind)).toEqual(['raised', 'acknowledged', 'evidence_added', 'priority_raised']);
      expect(merged.history![3].data).toMatchObject({ from: 'normal', to: 'high', responseId: day14.id, statusFrom: 'acknowledged', statusTo: 'open' });
      const audit = await auditActions(c, worsening.id);
      expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['flag.raised', 'flag.acknowledged', 'flag.evidence_added', 'flag.priority_raised']));
      expect(audit.find((e) => e.action === 'flag.priority_raised')!.data).toMatchObject({ from: 'normal', to: 'high', responseId: day14.id });
      // On top of the open queue again.
      const open = (await t.http.get('/v1/flags?status=open&priority=high').set(c.practitioner.auth).expect(200)).body.items as FlagRow[];
      expect(open.map((f) => f.id)).toContain(worsening.id);
    });

    it('never lowers a priority: a later normal piece joins a high flag as it is', async () => {
      const { c, patient, treatment } = await treated('sms');
      await reachDay(treatment, 3);
      await reply(c, patient, '0 0 0 0 0').expect(200);
      await reachDay(treatment, 7);
      await reply(c, patient, '0 0 0 0 3').expect(200); // worsening high + severe
      await reachDay(treatment, 14);
      await reply(c, patient, '1 0 0 0 3').expect(200); // worsening normal (bruising 0→1)
      const worsening = (await flagsOf(c, patient.id)).find((f) => f.ruleId === 'worsening')!;
      const full = await flag(c, worsening.id);
      expect(full.priority).toBe('high');
      expect(full.evidence.history!.map((p) => p.priority)).toEqual(['high', 'normal']);
      expect(full.history!.map((e) => e.kind)).toEqual(['raised', 'evidence_added']);
    });

    it('keeps a resolved flag resolved: new evidence raises a new flag, and the old one cannot be reopened beside it', async () => {
      const { c, patient, treatment } = await treated('email');
      await reachDay(treatment, 1);
      await answerByForm(patient, { day: 1, scores: '0 0 0 0 3' });
      const [first] = await flagsOf(c, patient.id);
      await t.http.post(`/v1/flags/${first.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Ice and paracetamol.' }).expect(200);

      await reachDay(treatment, 3);
      await answerByForm(patient, { day: 3, scores: '0 0 0 0 3' });
      const flags = await flagsOf(c, patient.id);
      expect(flags.map((f) => `${f.ruleId}:${f.status}`).sort()).toEqual(['severe-symptom:open', 'severe-symptom:resolved']);
      expect((await flag(c, first.id)).history!.map((e) => e.kind)).toEqual(['raised', 'resolved']);

      const res = await t.http.post(`/v1/flags/${first.id}/reopen`).set(c.practitioner.auth).send({ reason: 'Pain is back.' }).expect(409);
      expect(res.body.message).toMatch(/same rule on this treatment is open/);
      expect((await flag(c, first.id)).status).toBe('resolved');
    });

    it('sends safety advice for every warning sign, alerting staff again only for a sign the flag had not seen', async () => {
      const { c, patient, treatment } = await treated('email');
      const practitionerPhone = ((await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items as Array<{ id: string; phone: string }>).find(
        (s) => s.id === c.practitioner.id,
      )!.phone;
      const alerts = () => t.twilioApi.to(practitionerPhone).filter((m) => /^URGENT flag/.test(m.params.Body));
      const advice = () => t.smtp.to(patient.email!).filter((m) => m.parsed.subject?.includes('please contact us now'));

      await reachDay(treatment, 1);
      await answerByForm(patient, { day: 1, scores: '0 1 1 0 0', signs: ['hives'] });
      expect(advice()).toHaveLength(1);
      expect(alerts()).toHaveLength(1);

      await reachDay(treatment, 3);
      await answerByForm(patient, { day: 3, scores: '0 0 1 0 0', signs: ['hives'] });
      expect(advice()).toHaveLength(2);
      expect(alerts()).toHaveLength(1);

      await reachDay(treatment, 7);
      await answerByForm(patient, { day: 7, scores: '0 0 0 0 0', signs: ['hives', 'fever'] });
      expect(advice()).toHaveLength(3);
      expect(alerts()).toHaveLength(2);
      expect(alerts()[1].params.Body).toContain('fever');

      const flags = await flagsOf(c, patient.id);
      expect(flags.map((f) => f.ruleId)).toEqual(['warning-sign']);
      expect((await flag(c, flags[0].id)).evidence.history).toHaveLength(3);
    });

    it('merges answers that arrive at the same moment instead of failing', async () => {
      const { c, patient, treatment } = await treated('sms');
      await reachDay(treatment, 1);
      await reply(c, patient, '0 0 0 0 3').expect(200);
      // Further texts with no check-in open still count for the treatment; five at once.
      const results = await Promise.all(Array.from({ length: 5 }, () => reply(c, patient, '0 0 0 0 4')));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await responsesOf(c, patient.id)).toHaveLength(6);
      const flags = await flagsOf(c, patient.id);
      expect(flags.map((f) => f.ruleId)).toEqual(['severe-symptom']);
      expect((await flag(c, flags[0].id)).evidence.history).toHaveLength(6);
    });

    it('merges rule hits evaluated in concurrent transactions (the per-treatment lock), none failing', async () => {
      const { c, patient, treatment } = await treated('email');
      await reachDay(treatment, 1);
      await answerByForm(patient, { day: 1, scores: '0 0 0 0 0' });
      const [response] = await responsesOf(c, patient.id);
      const clinic = await t.get(ClinicsService).get(c.clinic.id);
      const p = await t.get(PatientsService).get(c.clinic.id, patient.id);
      const current = { scores: { bruising: 0, redness: 0, itching: 0, burning: 0, pain: 4 }, warningSigns: [], freeText: null, daySinceTreatment: 1 };
      await Promise.all(
        Array.from({ length: 6 }, () =>
          t.db.transaction((m) =>
            t.get(FlagsService).evaluate(m, { clinic, patient: p, treatmentId: treatment.id, responseId: response.id, current, history: [], course: DEFAULT_EXPECTED_COURSE, replyChannel: null }),
          ),
        ),
      );
      const flags = await flagsOf(c, patient.id);
      expect(flags.map((f) => f.ruleId)).toEqual(['severe-symptom']);
      expect((await flag(c, flags[0].id)).evidence.history).toHaveLength(6);
    });

    it('is enforced by the database too', async () => {
      const { c, patient, treatment } = await treated('email');
      await reachDay(treatment, 1);
      await answerByForm(patient, { day: 1, scores: '0 0 0 0 3' });
      const [f] = await flagsOf(c, patient.id);
      await expect(
        t.db.query(
          `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status)
           SELECT clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, 'acknowledged' FROM flags WHERE id = $1`,
          [f.id],
        ),
      ).rejects.toThrow(/flags_one_open_per_treatment_rule/);
      // A resolved one beside it is fine.
      await t.db.query(
        `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status)
         SELECT clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, 'resolved' FROM flags WHERE id = $1`,
        [f.id],
      );
      expect(f.treatmentId).toBe(treatment.id);
    });

    it('the migration stops on a database that already holds duplicates, and names the way out', async () => {
      const { c, patient, treatment } = await treated('email');
      await reachDay(treatment, 1);
      await answerByForm(patient, { day: 1, scores: '0 0 0 0 3' });
      const [f] = await flagsOf(c, patient.id);
      // Migrations run as the owner: the service's role may not change the schema.
      const owner = await createDataSource(process.env.DATABASE_URL!, 1).initialize();
      const q = owner.createQueryRunner();
      try {
        await new OneOpenFlagPerRule1765200000000().down(q);
        const [dup] = await q.query(
          `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status)
           SELECT clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, 'open' FROM flags WHERE id = $1 RETURNING id`,
          [f.id],
        );
        await expect(new OneOpenFlagPerRule1765200000000().up(q)).rejects.toThrow(/1 \(treatment, rule\) pairs have more than one unresolved flag; resolve the extra flags first/);
        await q.query(`UPDATE flags SET status = 'resolved' WHERE id = $1`, [dup.id]);
        await new OneOpenFlagPerRule1765200000000().up(q);
        const [index] = await q.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'flags_one_open_per_treatment_rule'`);
        expect(index.indexdef).toContain('WHERE ((status <> \'resolved\'::text) AND (treatment_id IS NOT NULL))');
      } finally {
        await q.release();
        await owner.destroy();
      }
    });
  });
});
