import { randomBytes } from 'node:crypto';
import { AdverseEventsService } from '../src/adverse-events/adverse-events.service';
import { ADVERSE_EVENT_RULES } from '../src/adverse-events/adverse-event';
import { CSV_COLUMNS } from '../src/adverse-events/csv';
import { adverseEventLog, Json } from './support/adverse-event-log';
import type { TestApp } from './support/app';
import { parseCsv } from './support/downloads';
import { newApiKey, StaffLogin, TestClinic } from './support/factories';

const MINUTE = 60_000;

/** A clinic's adverse-event log (see support/adverse-event-log): assessing a flag, reading and filtering the log, merged evidence. */

describe('adverse-event log and assessment', () => {
  const suite = adverseEventLog();
  const { flagOf, patients, answerByForm, clinicalFlagsOf, log } = suite;
  let t: TestApp;
  let c: TestClinic;
  let other: TestClinic;
  let second: StaffLogin;
  beforeAll(() => {
    ({ t, c, other, second } = suite);
  });

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
});
