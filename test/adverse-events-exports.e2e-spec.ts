// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
import { CSV_COLUMNS } from '../src/adverse-events/csv';
import { adverseEventLog, assessAndResolveSevere, Json } from './support/adverse-event-log';
import type { TestApp } from './support/app';
import { parseCsv, streamedText } from './support/downloads';
import { newPatient, newTreatment, TestClinic } from './support/factories';

const MINUTE = 60_000;

/** The adverse-event log (see support/adverse-event-log) exported as CSV and as a FHIR R4 Bundle, with the severe flag assessed and resolved. */

describe('adverse-event exports', () => {
  const suite = adverseEventLog();
  const { flagOf, patients, answerByForm, log } = suite;
  let t: TestApp;
  let c: TestClinic;
  beforeAll(async () => {
    ({ t, c } = suite);
    await assessAndResolveSevere(suite);
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
