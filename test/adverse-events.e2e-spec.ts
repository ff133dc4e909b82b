// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
import { randomBytes } from 'node:crypto';
import { AdverseEventsService } from '../src/adverse-events/adverse-events.service';
import { ADVERSE_EVENT_RULES } from '../src/adverse-events/adverse-event';
import { CSV_COLUMNS } from '../src/adverse-events/csv';
import { createTestApp, TestApp } from './support/app';
import { parseCsv, streamedText } from './support/downloads';
import { linkIn, newApiKey, newClinic, newEmail, newPatient, newTreatment, NO_WARNING_SIGNS, StaffLogin, TestClinic } from './support/factories';

const MINUTE = 60_000;
type Json = Record<string, any>;

/**
 * A clinic's adverse-event log built through the real loop: treatments by two practitioners with
 * two products and three lots, answers through the form (and one unreadable SMS conversation),
 * flags raised by the rules, one assessed and resolved.
 */


describe('adverse-event log, assessment and exports', () => {
  let t: TestApp;
  let c: TestClinic;
  let other: TestClinic;
  let second: StaffLogin;
  const flagOf: Record<string, string> = {};
  const patients: Record<string, { id: string; email: string | null; phone: string | null }> = {};

  async function secondPractitioner(clinic: TestClinic): Promise<StaffLogin> {
    const email = newEmail('practitioner');
    const password = 'correct-horse-battery-staple';
    const res = await t.http.post('/v1/staff').set(clinic.admin.auth).send({ email, name: 'Dr Second', role: 'practitioner', password }).expect(201);
    const login = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    return { id: res.body.id, email, password, token: login.body.accessToken, auth: { Authorization: `Bearer ${login.body.accessToken}` } };
  }

  /** Answers the newest check-in email of the patient through the form. */
  async function answerByForm(email: string, fields: Record<string, string>) {
    const mails = t.smtp.to(email);
    expect(mails.length).toBeGreaterThan(0);
    await t.http
      .post(linkIn(mails[mails.length - 1].parsed.text!))
      .type('form')
      .send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS, free_text: '', ...fields })
      .expect(200);
  }

  async function clinicalFlagsOf(clinic: TestClinic, patientId: string) {
    const items = (await t.http.get('/v1/flags?limit=200').set(clinic.practitioner.auth).expect(200)).body.items as Json[];
    return items.filter((f) => f.patientId === patientId);
  }

  const log = (who: { Authorization: string } | Record<string, string>, query = '') => t.http.get(`/v1/adverse-events${query}`).set(who);

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    c = await newClinic(t);
    other = await newClinic(t);
    second = await secondPractitioner(c);

    // Monday 2 March: three patients treated.
    for (const [key, overrides] of [
      ['severe', { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A1', practitionerId: c.practitioner.id }],
      ['warning', { product: 'Hyaluronic B', lotNumber: 'LOT-B7', practitionerId: second.id }],
      ['unreadable', { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A2', practitionerId: second.id }],
    ] as const) {
      const p = await newPatient(t, c, { preferredChannel: key === 'unreadable' ? 'sms' : 'email' });
      patients[key] = p;
      await newTreatment(t, c, p.id, overrides);
    }
    // The other clinic has a flagged reaction of its own, which must never show here.
    const stranger = await newPatient(t, other, { preferredChannel: 'email' });
    await newTreatment(t, other, stranger.id, { practitionerId: other.practitioner.id });

    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.advance(30 * MINUTE);
    await answerByForm(patients.severe.email!, { bruising: '1', pain: '3' });
    t.clock.advance(10 * MINUTE);
    await answerByForm(patients.warning.email!, { redness: '1', ws_fever: 'yes' });
    await answerByForm(stranger.email!, { pain: '4' });
    // Two unreadable SMS replies go to a person: a flag, but not an adverse event.
    const reply = (body: string) =>
      t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM' + randomBytes(16).toString('hex'), From: patients.unreadable.phone!, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);
    await reply('what is this about?');
    await reply('sorry I do not understand');

    // Friday 20 March: a fourth patient, answer on the 21st.
    t.clock.set('2026-03-20T08:00:00Z');
    const late = await newPatient(t, c, { preferredChannel: 'email' });
    patients.late = late;
    await newTreatment(t, c, late.id, { product: 'Lipolytic cocktail A', lotNumber: 'LOT-A1', practitionerId: c.practitioner.id });
    t.clock.set('2026-03-21T09:00:00Z');
    await t.dispatcher.tick();
    t.clock.advance(20 * MINUTE);
    await answerByForm(late.email!, { redness: '3' });

    for (const key of ['severe', 'warning', 'late'] as const) {
      const flags = await clinicalFlagsOf(c, patients[key].id);
      const wanted = key === 'warning' ? 'warning-sign' : 'severe-symptom';
      flagOf[key] = flags.find((f) => f.ruleId === wanted)!.id;
      expect(flagOf[key]).toBeDefined();
    }
    const unreadable = await clinicalFlagsOf(c, patients.unreadable.id);
    expect(unreadable.map((f) => f.ruleId)).toContain('unreadable-reply');
  });
  afterAll(() => t.close());

  describe('assessment', () => {
    const assess = (who: { Authorization: string } | Record<string, string>, body: object, id = flagOf.severe) => t.http.post(`/v1/flags/${id}/assess`).set(who).send(body);

    it('records causality and seriousness on the flag, in its history and in the audit log', async () => {
      t.clock.set('2026-03-03T11:00:00Z');
      const first = await assess(c.practitioner.auth, { causality: 'possibly_related', seriousness: 'non_serious', note: 'Expected bruising pattern, pain high.' }).expect(200);
      expect(first.body).toMatchObject({ id: flagOf.severe, status: 'open', causality: 'possibly_related', seriousness: 'non_serious', seriousnessCriteria: [], assessedBy: c.practitioner.id, assessedAt: '2026-03-03T11:00:00.000Z' });

      t.clock.set('2026-03-04T10:00:00Z');
      await t.http.post(`/v1/flags/${flagOf.severe}/resolve`).set(c.practitioner.auth).send({ outcome: 'seen_in_clinic', note: 'Seen: hematoma drained.' }).expect(200);
      // A resolved flag can still be (re)assessed: causality is often settled after triage.
      t.clock.advance(5 * MINUTE);
      const again = await assess(c.admin.auth, { causality: 'related', seriousness: 'serious', seriousnessCriteria: ['medically_important', 'hospitalisation'], note: 'Hematoma needed drainage.' }).expect(200);
      expect(again.body).toMatchObject({ status: 'resolved', causality: 'related', seriousness: 'serious', seriousnessCriteria: ['hospitalisation', 'medically_important'], assessedBy: c.admin.id });

      const flag = (await t.http.get(`/v1/flags/${flagOf.severe}`).set(c.compliance.auth).expect(200)).body;
      const assessed = (flag.history as Json[]).filter((e) => e.kind === 'assessed');
      expect(assessed).toEqual([
        expect.objectContaining({ actorId: c.practitioner.id, data: { causality: 'possibly_related', seriousness: 'non_serious', seriousnessCriteria: [], note: 'Expected bruising pattern, pain high.' } }),
        expect.objectContaining({ actorId: c.admin.id, data: { causality: 'related', seriousness: 'serious', seriousnessCriteria: ['hospitalisation', 'medically_important'], note: 'Hematoma needed drainage.' } }),
      ]);

      const audit = (await t.http.get(`/v1/audit-events?entityId=${flagOf.severe}&action=flag.assessed`).set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(audit.map((e) => e.data)).toEqual([
        { from: 'open', to: 'open', fields: ['causality', 'seriousness', 'assessmentNote'], reassessment: false, requestId: expect.any(String) },
        { from: 'resolved', to: 'resolved', fields: ['causality', 'seriousness', 'seriousnessCriteria', 'assessmentNote'], reassessment: true, requestId: expect.any(String) },
      ]);
      // Field names only in the chained data; the values, note included, sit in the redactable payload.
      expect(JSON.stringify(audit.map((e) => e.data))).not.toContain('drainage');
      expect(audit[1].changes).toEqual({
        causality: { from: 'possibly_related', to: 'related' },
        seriousness: { from: 'non_serious', to: 'serious' },
        seriousnessCriteria: { from: [], to: ['hospitalisation', 'medically_important'] },
        assessmentNote: { from: 'Expected bruising pattern, pain high.', to: 'Hematoma needed drainage.' },
      });
      expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);
    });

    it('refuses an inconsistent or unknown assessment with a message naming the field', async () => {
      const id = flagOf.warning;
      expect((await assess(c.practitioner.auth, { causality: 'related', seriousness: 'serious' }, id).expect(400)).body.message).toMatch(/seriousnessCriteria/);
      expect((await assess(c.practitioner.auth, { causality: 'related', seriousness: 'non_serious', seriousnessCriteria: ['death'] }, id).expect(400)).body.message).toMatch(/seriousnessCriteria must be empty/);
      expect(JSON.stringify((await assess(c.practitioner.auth, { causality: 'probably', seriousness: 'serious', seriousnessCriteria: ['x'] }, id).expect(400)).body.message)).toMatch(/causality must be one of.*seriousnessCriteria must be one of/);
      await assess(c.practitioner.auth, { seriousness: 'non_serious' }, id).expect(400);
      await assess(c.practitioner.auth, { causality: 'related', seriousness: 'non_serious', extra: 1 }, id).expect(400);
      await assess(c.practitioner.auth, { causality: 'related', seriousness: 'non_serious', note: 'x'.repeat(4001) }, id).expect(400);
      const flag = (await t.http.get(`/v1/flags/${id}`).set(c.practitioner.auth).expect(200)).body;
      expect(flag).toMatchObject({ causality: null, seriousness: null, assessedAt: null });
      expect((flag.history as Json[]).some((e) => e.kind === 'assessed')).toBe(false);
    });

    it('is for practitioners and admins of the clinic only', async () => {
      const body = { causality: 'unrelated', seriousness: 'non_serious' };
      await assess(c.compliance.auth, body, flagOf.warning).expect(403);
      await assess(await newApiKey(t, c), body, flagOf.warning).expect(403);
      await assess(other.practitioner.auth, body, flagOf.warning).expect(404);
      await assess(c.practitioner.auth, body, '00000000-0000-4000-8000-000000000000').expect(404);
      await assess(c.practitioner.auth, body, 'not-a-uuid').expect(400);
    });
  });

  describe('the log', () => {
    it('lists each flagged reaction with its answers, assessment, dates and treatment, and nothing else', async () => {
      const res = await log(c.compliance.auth, '?limit=200').expect(200);
      const items = res.body.items as Json[];
      // Every clinical-rule flag of the clinic, oldest report first; no unreadable-reply or lost-to-follow-up flags.
      const all = (await t.http.get('/v1/flags?limit=200').set(c.compliance.auth).expect(200)).body.items as Json[];
      const expected = all.filter((f) => (ADVERSE_EVENT_RULES as readonly string[]).includes(f.ruleId));
      expect(all.length).toBeGreaterThan(expected.length);
      expect(items.map((i) => i.id).sort()).toEqual(expected.map((f) => f.id).sort());
      expect(res.body.total).toBe(expected.length);
      const reported = items.map((i) => Date.parse(i.reportedAt));
      expect([...reported].sort((a, b) => a - b)).toEqual(reported);
      expect(items.every((i) => (ADVERSE_EVENT_RULES as readonly string[]).includes(i.ruleId))).toBe(true);

      const severe = items.find((i) => i.id === flagOf.severe)!;
      expect(severe).toMatchObject({
        ruleId: 'severe-symptom',
        priority: 'high',
        status: 'resolved',
        outcome: 'seen_in_clinic',
        patientId: patients.severe.id,
        onsetAt: '2026-03-03T09:30:00.000Z',
        onsetDay: 1,
        reportedAt: '2026-03-03T09:30:00.000Z',
        acknowledgedAt: '2026-03-04T10:00:00.000Z',
        resolvedAt: '2026-03-04T10:00:00.000Z',
        treatment: { procedure: 'mesotherapy', indication: 'cellulite', product: 'Lipolytic cocktail A', lotNumber: 'LOT-A1', practitionerId: c.practitioner.id, practitionerName: 'A practitioner' },
        assessment: { causality: 'related', seriousness: 'serious', seriousnessCriteria: ['hospitalisation', 'medically_important'], note: 'Hematoma needed drainage.', assessedBy: c.admin.id, assessedAt: '2026-03-04T10:05:00.000Z' },
      });
      expect(severe.answers).toEqual([
        expect.objectContaining({ source: 'form', daySinceTreatment: 1, receivedAt: '2026-03-03T09:30:00.000Z', scores: { bruising: 1, redness: 0, itching: 0, burning: 0, pain: 3 }, warningSigns: [] }),
      ]);
      const warning = items.find((i) => i.id === flagOf.warning)!;
      expect(warning).toMatchObject({ ruleId: 'warning-sign', priority: 'urgent', status: 'open', assessment: null, treatment: { product: 'Hyaluronic B', lotNumber: 'LOT-B7', practitionerId: second.id, practitionerName: 'Dr Second' } });
      expect(warning.answers).toEqual([expect.objectContaining({ warningSigns: ['fever'], scores: expect.objectContaining({ redness: 1 }) })]);

      // Patient id only: no names, addresses or phone numbers.
      const text = JSON.stringify(res.body);
      for (const p of Object.values(patients)) {
        if (p.email) expect(text).not.toContain(p.email);
        if (p.phone) expect(text).not.toContain(p.phone);
      }
      expect(text).not.toContain('Ruiz');
      expect(text).not.toMatch(/@/);
    });

    it('filters by product, lot, practitioner and period, and pages', async () => {
      const ids = async (q: string) => ((await log(c.practitioner.auth, q).expect(200)).body.items as Json[]).map((i) => i.id);
      const clinical = async (key: string) => ((await clinicalFlagsOf(c, patients[key].id)).filter((f) => (ADVERSE_EVENT_RULES as readonly string[]).includes(f.ruleId))).map((f) => f.id as string);

      const byProductA = await ids('?product=Lipolytic%20cocktail%20A&limit=200');
      expect(byProductA.sort()).toEqual([...(await clinical('severe')), ...(await clinical('late'))].sort());
      expect(await ids('?product=Hyaluronic%20B')).toEqual(await clinical('warning'));
      expect(await ids('?product=Nothing%20like%20it')).toEqual([]);
      expect((await ids('?lot=LOT-A1&limit=200')).sort()).toEqual(byProductA.sort());
      expect(await ids('?lot=LOT-A2')).toEqual([]); // only an unreadable reply there
      expect(await ids('?lot=LOT-B7')).toEqual(await clinical('warning'));
      expect(await ids(`?practitionerId=${second.id}`)).toEqual(await clinical('warning'));
      expect((await ids(`?practitionerId=${c.practitioner.id}&limit=200`)).sort()).toEqual(byProductA.sort());

      // Period of the report: from inclusive, to exclusive.
      const march3 = (await ids('?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z&limit=200')).sort();
      expect(march3).toEqual([...(await clinical('severe')), ...(await clinical('warning'))].sort());
      expect(await ids('?from=2026-03-21T09:20:00Z')).toEqual(await clinical('late'));
      expect(await ids('?to=2026-03-03T09:30:00Z')).toEqual([]);
      expect((await ids('?from=2026-03-21')).length).toBeGreaterThan(0);
      expect(await ids('?from=2026-03-10&to=2026-03-11')).toEqual([]);

      const total = (await log(c.practitioner.auth).expect(200)).body.total as number;
      const page = (await log(c.practitioner.auth, '?limit=1&offset=1').expect(200)).body;
      expect(page).toMatchObject({ total, limit: 1, offset: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.items[0].id).toBe((await ids('?limit=200'))[1]);
    });

    it('answers 400 naming a bad filter', async () => {
      const bad = async (q: string, pattern: RegExp) => expect(JSON.stringify((await log(c.compliance.auth, q).expect(400)).body.message)).toMatch(pattern);
      await bad('?from=yesterday', /from must be an ISO 8601/);
      await bad('?to=2026-13-01', /to must be an ISO 8601/);
      await bad('?from=2026-03-05&to=2026-03-01', /from must be before to/);
      await bad('?practitionerId=dr-who', /practitionerId must be a UUID/);
      await bad('?product=', /product must not be empty/);
      await bad('?limit=0', /limit/);
      await bad('?limit=500', /limit/);
      await bad('?offset=-1', /offset/);
      await bad('?patientName=Ana', /patientName should not exist/);
      await t.http.get('/v1/adverse-events/export?format=xml').set(c.compliance.auth).expect(400);
      await t.http.get('/v1/adverse-events/export').set(c.compliance.auth).expect(400);
      await t.http.get('/v1/adverse-events/export?format=csv&from=nope').set(c.compliance.auth).expect(400);
      // A refused export is not on the record as an export.
      const exports = (await t.http.get('/v1/audit-events?action=adverse_events.exported').set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(exports.filter((e) => e.data.format === 'xml' || e.data.filters?.from === 'nope')).toEqual([]);
    });

    it("shows another clinic nothing of this clinic's log", async () => {
      const theirs = (await log(other.compliance.auth, '?limit=200').expect(200)).body;
      expect(theirs.items.length).toBeGreaterThan(0);
      const ours = new Set(((await log(c.compliance.auth, '?limit=200').expect(200)).body.items as Json[]).map((i) => i.id));
      expect((theirs.items as Json[]).filter((i) => ours.has(i.id))).toEqual([]);
      expect((theirs.items as Json[]).every((i) => i.treatment.practitionerId === other.practitioner.id)).toBe(true);
      const csv = await t.http.get(`/v1/adverse-events/export?format=csv&practitionerId=${c.practitioner.id}`).set(other.compliance.auth).expect(200);
      expect(parseCsv(csv.text)).toHaveLength(1); // the header only
    });

    it('is read by compliance, admins and practitioners, not by integrations', async () => {
      await log(c.admin.auth).expect(200);
      await log(c.practitioner.auth).expect(200);
      await log(c.compliance.auth).expect(200);
      const key = await newApiKey(t, c);
      await log(key).expect(403);
      await t.http.get('/v1/adverse-events/export?format=csv').set(key).expect(403);
      await t.http.get('/v1/adverse-events/export?format=fhir').set(key).expect(403);
      await t.http.get('/v1/adverse-events').expect(401);
    });

    it('reads the whole period in keyset pages', async () => {
      const all = ((await log(c.compliance.auth, '?limit=200').expect(200)).body.items as Json[]).map((i) => i.id);
      const service = t.get(AdverseEventsService);
      const pages: string[][] = [];
      for await (const page of service.pages(c.clinic.id, {}, { withAudit: true, pageSize: 1 })) {
        pages.push(page.events.map((e) => e.id));
        expect(page.audit.every((a) => a.entityId === page.events[0].id)).toBe(true);
        expect(page.audit.map((a) => a.action)).toContain('flag.raised');
      }
      expect(pages.every((p) => p.length === 1)).toBe(true);
      expect(pages.flat()).toEqual(all);
    });
  });

  describe('merged evidence', () => {
    it('shows every answer that joined an open flag as evidence, with onset at the first', async () => {
      // Day 3 of the late patient: a second answer. When the rules merge it into the open flag they
      // write an evidence_added event carrying its responseId; written here as they write it.
      t.clock.set('2026-03-23T09:00:00Z');
      await t.dispatcher.tick();
      t.clock.advance(5 * MINUTE);
      await answerByForm(patients.late.email!, { redness: '2', bruising: '1' });
      const responses = (await t.http.get(`/v1/patients/${patients.late.id}/responses`).set(c.practitioner.auth).expect(200)).body.items as Json[];
      const day3 = responses.find((r) => r.daySinceTreatment === 3)!;
      expect(day3).toBeDefined();
      for (const data of [{ responseId: day3.id, scores: { redness: 2 } }, { responseId: 'not-a-uuid' }, { messageId: randomBytes(4).toString('hex') }]) {
        await t.db.query(`INSERT INTO flag_events (flag_id, clinic_id, at, actor_type, actor_id, kind, data) VALUES ($1, $2, $3, 'system', NULL, 'evidence_added', $4)`, [
          flagOf.late,
          c.clinic.id,
          t.clock.now(),
          JSON.stringify(data),
        ]);
      }
      const items = (await log(c.compliance.auth, `?lot=LOT-A1&limit=200`).expect(200)).body.items as Json[];
      const late = items.find((i) => i.id === flagOf.late)!;
      expect(late.answers.map((a: Json) => [a.daySinceTreatment, a.scores.redness])).toEqual([
        [1, 3],
        [3, 2],
      ]);
      expect(late).toMatchObject({ onsetDay: 1, onsetAt: '2026-03-21T09:20:00.000Z' });
      const csv = parseCsv((await t.http.get('/v1/adverse-events/export?format=csv&lot=LOT-A1').set(c.compliance.auth).expect(200)).text);
      const row = csv.find((r) => r[0] === flagOf.late)!;
      expect(row[CSV_COLUMNS.indexOf('response_ids')].split(';')).toEqual(late.answers.map((a: Json) => a.id));
      expect(row[CSV_COLUMNS.indexOf('max_redness')]).toBe('3');
    });
  });

  describe('exports', () => {
    it('writes one CSV row per adverse event, RFC 4180 quoted, formulas defused, and audits the export first', async () => {
      t.clock.set('2026-03-25T12:00:00Z');
      const total = (await log(c.compliance.auth).expect(200)).body.total as number;
      const res = await t.http.get('/v1/adverse-events/export?format=csv').set(c.compliance.auth).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="adverse-events_.*\.csv"/);
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual([...CSV_COLUMNS]);
      expect(rows).toHaveLength(total + 1);
      const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
      const severe = rows.find((r) => r[col('adverse_event_id')] === flagOf.severe)!;
      expect(severe[col('product')]).toBe('Lipolytic cocktail A');
      expect(severe[col('lot_number')]).toBe('LOT-A1');
      expect(severe[col('causality')]).toBe('related');
      expect(severe[col('seriousness_criteria')]).toBe('hospitalisation;medically_important');
      expect(severe[col('onset_at')]).toBe('2026-03-03T09:30:00.000Z');
      expect(severe[col('max_pain')]).toBe('3');
      // The rules' reason holds commas; it comes back whole.
      const reasons = rows.slice(1).map((r) => r[col('reason')]);
      expect(reasons.every((r) => r.length > 0)).toBe(true);

      const exports = (await t.http.get('/v1/audit-events?action=adverse_events.exported').set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(exports[exports.length - 1]).toMatchObject({
        actorType: 'staff',
        actorId: c.compliance.id,
        entityType: 'adverse_events',
        data: { format: 'csv', filters: { from: null, to: '2026-03-25T12:00:00.001Z', product: null, lot: null, practitionerId: null } },
      });
    });

    it('puts a cell that starts like a formula behind an apostrophe', async () => {
      t.clock.set('2026-04-01T08:00:00Z');
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      await newTreatment(t, c, p.id, { product: '=HYPERLINK("http://evil.test","x")', lotNumber: '+1-CMD', practitionerId: c.practitioner.id });
      t.clock.set('2026-04-02T08:00:00Z');
      await t.dispatcher.tick();
      t.clock.advance(15 * MINUTE);
      await answerByForm(p.email!, { burning: '4' });
      const res = await t.http.get('/v1/adverse-events/export?format=csv&from=2026-04-01').set(c.admin.auth).expect(200);
      const rows = parseCsv(res.text);
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows.slice(1)) {
        expect(row[CSV_COLUMNS.indexOf('product')]).toBe(`'=HYPERLINK("http://evil.test","x")`);
        expect(row[CSV_COLUMNS.indexOf('lot_number')]).toBe(`'+1-CMD`);
      }
      expect(res.text).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
      expect(rows.flat().every((cell) => !/^[=+\-@]/.test(cell))).toBe(true);
    });

    it('writes a FHIR R4 Bundle that passes the R4 JSON schema', async () => {
      t.clock.set('2026-04-03T12:00:00Z');
      const res = await t.http
        .get(`/v1/adverse-events/export?format=fhir&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z`)
        .set(c.compliance.auth)
        .buffer(true)
        .parse(streamedText)
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
      const bundle = JSON.parse(res.body as string) as Json;
      const validator = new JSONSchemaValidator();
      expect(validator.validate(bundle, true)).toEqual([]);
      for (const e of bundle.entry as Json[]) expect(validator.validate(e.resource)).toEqual([]);
      // The check can fail: a wrong code or a misspelt element inside an entry is caught.
      const broken = JSON.parse(JSON.stringify(bundle));
      broken.entry.find((e: Json) => e.resource.resourceType === 'AdverseEvent').resource.actuality = 'maybe';
      expect(validator.validate(broken, true).length).toBeGreaterThan(0);
      const misspelt = JSON.parse(JSON.stringify(bundle));
      misspelt.entry.find((e: Json) => e.resource.resourceType === 'QuestionnaireResponse').resource.answers = [];
      expect(validator.validate(misspelt, true).length).toBeGreaterThan(0);
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection', timestamp: '2026-04-03T12:00:00.000Z' });

      const entries = bundle.entry as Json[];
      const fullUrls = entries.map((e) => e.fullUrl);
      expect(new Set(fullUrls).size).toBe(fullUrls.length);
      const ofType = (type: string) => entries.map((e) => e.resource).filter((r) => r.resourceType === type);
      const events = ofType('AdverseEvent');
      const period = ((await log(c.compliance.auth, '?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=200').expect(200)).body.items as Json[]);
      expect(events.map((e) => e.id)).toEqual(period.map((i) => i.id));
      const answerIds = new Set(period.flatMap((i) => (i.answers as Json[]).map((a) => a.id)));
      expect(new Set(ofType('QuestionnaireResponse').map((q) => q.id))).toEqual(answerIds);

      // Every urn:uuid reference points at an entry of the bundle.
      const refs = JSON.stringify(bundle).match(/"reference":"urn:uuid:[0-9a-f-]+"/g) ?? [];
      for (const ref of refs) expect(fullUrls).toContain(ref.slice('"reference":"'.length, -1));

      const severe = events.find((e) => e.id === flagOf.severe)!;
      expect(severe).toMatchObject({
        actuality: 'actual',
        subject: { reference: `Patient/${patients.severe.id}` },
        date: '2026-03-03T09:30:00.000Z',
        recordedDate: '2026-03-03T09:30:00.000Z',
        event: { coding: [{ code: 'severe-symptom' }] },
        outcome: { coding: [{ code: 'resolved' }] },
        suspectEntity: [{ instance: { display: 'mesotherapy: Lipolytic cocktail A, lot LOT-A1' }, causality: [{ assessment: { coding: [{ code: 'related' }, { code: 'Probably-Likely' }] }, author: { reference: `Practitioner/${c.admin.id}` } }] }],
      });
      expect(severe.seriousness.coding.map((x: Json) => x.code)).toEqual(expect.arrayContaining(['Serious', 'SeriousResultsInHospitalization', 'medically_important']));
      const qr = ofType('QuestionnaireResponse').find((q) => q.id === severe.extension.find((x: Json) => x.url.endsWith('supporting-answer')).valueReference.reference.slice('urn:uuid:'.length))!;
      expect(qr).toMatchObject({ status: 'completed', authored: '2026-03-03T09:30:00.000Z', subject: { reference: `Patient/${patients.severe.id}` } });
      expect(qr.item.map((i: Json) => i.linkId)).toEqual(['bruising', 'redness', 'itching', 'burning', 'pain', 'warning-signs']);
      expect(qr.item[4].answer).toEqual([{ valueCoding: expect.objectContaining({ code: '3', display: 'severe' }) }]);
      expect(qr.item[5].item).toHaveLength(7);

      // The audit trail of each flag, with its place in the chain.
      const audit = ofType('AuditEvent');
      const aboutSevere = audit.filter((a) => a.entity[0].what.reference === `urn:uuid:${flagOf.severe}`).map((a) => a.type.code);
      expect(aboutSevere).toEqual(expect.arrayContaining(['flag.raised', 'flag.assessed', 'flag.resolved']));
      expect(aboutSevere.filter((a) => a === 'flag.assessed')).toHaveLength(2);
      expect(audit.every((a) => a.recorded && a.agent[0].requestor !== undefined && a.entity[0].detail.some((d: Json) => d.type === 'hash'))).toBe(true);

      // Nothing that reaches the patient.
      const text = JSON.stringify(bundle);
      for (const p of Object.values(patients)) {
        if (p.email) expect(text).not.toContain(p.email);
        if (p.phone) expect(text).not.toContain(p.phone);
      }
      const exports = (await t.http.get('/v1/audit-events?action=adverse_events.exported').set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(exports[exports.length - 1].data).toEqual({ format: 'fhir', filters: { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', product: null, lot: null, practitionerId: null, seriousness: null, causality: null }, requestId: expect.any(String) });
    });

    it('gives practitioners no AuditEvent resources (they may not read the audit log), and an empty period a bundle without entry', async () => {
      const fhir = async (who: Record<string, string>, query: string) =>
        JSON.parse(
          (
            await t.http
              .get(`/v1/adverse-events/export?format=fhir${query}`)
              .set(who)
              .buffer(true)
              .parse(streamedText)
              .expect(200)
          ).body as string,
        ) as Json;
      const types = (bundle: Json) => new Set((bundle.entry as Json[]).map((e) => e.resource.resourceType));
      const period = '&from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z';
      expect(types(await fhir(c.compliance.auth, period)).has('AuditEvent')).toBe(true);
      const theirs = await fhir(c.practitioner.auth, period);
      expect([...types(theirs)].sort()).toEqual(['AdverseEvent', 'QuestionnaireResponse']);
      expect(new JSONSchemaValidator().validate(theirs, true)).toEqual([]);
      const empty = await fhir(c.compliance.auth, '&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
      expect(empty).not.toHaveProperty('entry');
      expect(new JSONSchemaValidator().validate(empty, true)).toEqual([]);
    });

    it('streams a period with more events than one page', async () => {
      // The page size is 200: a bundle over 200+ flags is written in several pages and is still one valid document.
      t.clock.set('2026-05-01T08:00:00Z');
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      const tr = await newTreatment(t, c, p.id, { product: 'Bulk', lotNumber: 'BULK-1', practitionerId: c.practitioner.id });
      // Seeded directly: 205 answers through the form would take minutes; the rows are what the rules write.
      // One unresolved flag per treatment and rule: all but the newest were resolved before the next one came.
      await t.db.query(
        `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, evidence, status, outcome, resolved_at, created_at, updated_at)
         SELECT $1, $2, $3, 'persisting-symptom', 1, 'normal', 'Seeded, reason ' || g, '{}',
                CASE WHEN g < 205 THEN 'resolved' ELSE 'open' END, CASE WHEN g < 205 THEN 'advice_given' END,
                CASE WHEN g < 205 THEN $4::timestamptz + g * interval '1 second' END,
                $4::timestamptz + g * interval '1 second', $4::timestamptz
           FROM generate_series(1, 205) g`,
        [c.clinic.id, p.id, tr.id, '2026-05-01T08:00:00Z'],
      );
      t.clock.set('2026-05-02T08:00:00Z');
      const res = await t.http.get('/v1/adverse-events/export?format=fhir&lot=BULK-1').set(c.compliance.auth).buffer(true).parse(streamedText).expect(200);
      const bundle = JSON.parse(res.body as string);
      expect(bundle.entry).toHaveLength(205);
      expect(new JSONSchemaValidator().validate(bundle)).toEqual([]);
      const csv = parseCsv((await t.http.get('/v1/adverse-events/export?format=csv&lot=BULK-1').set(c.compliance.auth).expect(200)).text);
      expect(csv).toHaveLength(206);
      expect(new Set(csv.slice(1).map((r) => r[0])).size).toBe(205);
    });
  });
});
