import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { canonicalJson } from '../src/audit/canonical-json';
import { createTestApp, TEST_AUDIT_PUBLIC_KEY, type TestApp } from './support/app';
import { streamedText } from './support/downloads';
import { appendFillerEvents, seedAdverseEvents, type SeededAdverseEvents } from './support/compliance-seed';
import { newClinic, newPatient, type TestClinic } from './support/factories';
import { asOwner } from './support/owner';

type Json = Record<string, any>;

/** A Server-Sent Events body as its events, in order. */
function sseEvents(text: string): Array<{ event: string; data: Json }> {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const lines = block.split('\n');
      return {
        event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message',
        data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)),
      };
    });
}

/**
 * What the compliance pages need from the API beyond the log itself: the adverse-event log's
 * seriousness/causality filters, date sort and export file names; the audit log's filters with
 * actor names and the erasure that claims a redacted payload; checkpoints with their signer,
 * one at a time as a download that verifies on its own; the signing key; and verification as
 * a stream with progress.
 */
describe('compliance pages: API', () => {
  let t: TestApp;
  let c: TestClinic;
  let other: TestClinic;
  let seeded: SeededAdverseEvents;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-02-02T08:00:00Z' });
    c = await newClinic(t);
    other = await newClinic(t);
    await asOwner((o) => o.query(`UPDATE clinics SET name = 'Clínica del Sol / Madrid' WHERE id = $1`, [c.clinic.id]));
    seeded = await seedAdverseEvents(t, c);
  });
  afterAll(() => t?.close());

  const ae = (query: string, who = c.compliance.auth) => t.http.get(`/v1/adverse-events${query}`).set(who);

  describe('adverse-event log', () => {
    it('filters by seriousness and causality (unassessed included) and sorts by date either way', async () => {
      const ids = async (q: string) => ((await ae(q).expect(200)).body.items as Json[]).map((e) => e.id);
      expect(await ids('?seriousness=serious')).toEqual([seeded.flags.serious]);
      expect(await ids('?causality=related')).toEqual([seeded.flags.serious]);
      expect(await ids('?seriousness=unassessed&sort=asc')).toEqual([seeded.flags.mild, seeded.flags.march]);
      expect(await ids('?causality=unassessed&sort=desc')).toEqual([seeded.flags.march, seeded.flags.mild]);
      expect(await ids('?sort=desc')).toEqual([seeded.flags.march, seeded.flags.mild, seeded.flags.serious]);
      expect(await ids('?seriousness=non_serious')).toEqual([]);
      expect(await ids('?lot=LOT-S1&from=2026-03-01T00:00:00Z')).toEqual([seeded.flags.march]);
      expect((await ae('?seriousness=grave').expect(400)).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^seriousness must be one of non_serious, serious, unassessed/)]));
      expect(JSON.stringify((await ae('?causality=maybe').expect(400)).body.message)).toMatch(/causality must be one of/);
      expect(JSON.stringify((await ae('?sort=up').expect(400)).body.message)).toMatch(/sort must be one of asc, desc/);
      // What the filters offer: the clinic's own products, lots and practitioners.
      expect((await ae('/facets').expect(200)).body).toEqual({
        products: ['Hyaluronic B', 'Lipolytic cocktail A'],
        lots: ['LOT-M2', 'LOT-S1'],
        practitioners: [{ id: c.practitioner.id, name: 'A practitioner' }],
      });
      expect((await ae('/facets', other.compliance.auth).expect(200)).body).toEqual({ products: [], lots: [], practitioners: [] });
      // Another clinic's log is empty of ours.
      expect((await ae('?seriousness=serious', other.compliance.auth).expect(200)).body.items).toEqual([]);
    });

    it('names the download after the clinic and the period, and exports only what the filter selects', async () => {
      const csv = await ae('/export?format=csv&from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z&seriousness=serious').buffer(true).parse(streamedText).expect(200);
      expect(csv.headers['content-disposition']).toBe(
        `attachment; filename="adverse-events_clinica-del-sol-madrid_2026-02-01_to_2026-03-01.csv"; filename*=UTF-8''${encodeURIComponent('adverse-events_Clínica-del-Sol-Madrid_2026-02-01_to_2026-03-01.csv')}`,
      );
      const lines = (csv.body as string).trim().split('\r\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(seeded.flags.serious);

      // An open end is closed at now (the export's time) in the name, as in the audited filter.
      const fhir = await ae('/export?format=fhir&causality=unassessed').expect(200);
      expect(fhir.headers['content-disposition']).toMatch(/^attachment; filename="adverse-events_clinica-del-sol-madrid_start_to_2026-03-04\.fhir\.json"; filename\*=UTF-8''/);
      const bundle = JSON.parse(fhir.text ?? fhir.body.toString());
      const events = (bundle.entry as Json[]).filter((e) => e.resource.resourceType === 'AdverseEvent').map((e) => e.resource.id);
      expect(events.sort()).toEqual([seeded.flags.mild, seeded.flags.march].sort());
      const exported = (await t.http.get('/v1/audit-events?action=adverse_events.exported').set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(exported.at(-1)!.data.filters).toMatchObject({ causality: 'unassessed', seriousness: null });
    });
  });

  describe('audit log', () => {
    it('filters by entity type and id, actor, action and period; names the staff actor', async () => {
      const list = async (q: string) => (await t.http.get(`/v1/audit-events?limit=200&${q}`).set(c.compliance.auth).expect(200)).body as { items: Json[]; total: number };
      const assessed = await list(`entityType=flag&entityId=${seeded.flags.serious}&action=flag.assessed`);
      expect(assessed.items).toHaveLength(1);
      expect(assessed.items[0]).toMatchObject({ actorType: 'staff', actorId: c.practitioner.id, actorName: 'A practitioner', redactedBy: null, changes: { causality: { from: null, to: 'related' } } });

      const byPractitioner = await list(`actorType=staff&actorId=${c.practitioner.id}`);
      expect(byPractitioner.total).toBeGreaterThan(1);
      expect(byPractitioner.items.every((e) => e.actorId === c.practitioner.id)).toBe(true);
      const seqs = byPractitioner.items.map((e) => Number(e.clinicSeq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

      const february = await list('since=2026-02-01T00:00:00Z&until=2026-03-01T00:00:00Z');
      expect(february.total).toBeGreaterThan(0);
      expect(february.items.every((e) => e.occurredAt >= '2026-02-01' && e.occurredAt < '2026-03-01')).toBe(true);
      const march = await list('since=2026-03-01T00:00:00Z');
      expect(march.items.every((e) => e.occurredAt >= '2026-03-01')).toBe(true);
      expect(february.total + march.total).toBe((await list('')).total);

      const flagsOnly = await list('entityType=flag');
      expect(flagsOnly.items.every((e) => e.entityType === 'flag')).toBe(true);
      // Another clinic sees none of it.
      expect((await t.http.get(`/v1/audit-events?entityId=${seeded.flags.serious}`).set(other.compliance.auth).expect(200)).body.total).toBe(0);

      const bad = async (q: string, words: RegExp) => expect(JSON.stringify((await t.http.get(`/v1/audit-events?${q}`).set(c.compliance.auth).expect(400)).body.message)).toMatch(words);
      await bad('actorType=robot', /actorType must be one of/);
      await bad('until=yesterday', /until must be an ISO 8601/);
      await bad('since=2026-03-01T00:00:00Z&until=2026-02-01T00:00:00Z', /since must be before until/);
      await bad('entityId=nope', /entityId must be a UUID/);
      await t.http.get('/v1/audit-events').set(c.practitioner.auth).expect(403);
    });

    it('shows a redacted payload with the erasure that claims it', async () => {
      const p = await newPatient(t, c, { givenName: 'Elena', familyName: 'Ortiz' });
      await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ familyName: 'Ortiz Gil' }).expect(200);
      const erased = await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'patient request, ticket 12' }).expect(200);
      expect(erased.status).toBe(200);
      const items = (await t.http.get(`/v1/audit-events?entityId=${p.id}&limit=100`).set(c.compliance.auth).expect(200)).body.items as Json[];
      const erasure = items.find((e) => e.action === 'patient.erased')!;
      const redacted = items.filter((e) => e.payloadRedactedAt);
      expect(redacted.length).toBeGreaterThan(0);
      for (const e of redacted) {
        expect(e).toMatchObject({ changes: null, reason: null, redactedBy: { clinicSeq: erasure.clinicSeq, entityId: p.id, occurredAt: erasure.occurredAt } });
        expect(erasure.data.redactedSeqs).toContain(e.clinicSeq);
      }
      expect(erasure.redactedBy).toBeNull();
    });
  });

  describe('checkpoints and the signing key', () => {
    it('lists who had each checkpoint signed and downloads one as JSON that verifies without the database', async () => {
      const made = (await t.http.post('/v1/audit-events/checkpoints').set(c.compliance.auth).expect(201)).body;
      const list = (await t.http.get('/v1/audit-events/checkpoints').set(c.compliance.auth).expect(200)).body.items as Json[];
      expect(list[0]).toMatchObject({ id: made.id, clinicSeq: made.clinicSeq, createdBy: { actorType: 'staff', actorId: c.compliance.id, name: 'A compliance' } });

      const file = await t.http.get(`/v1/audit-events/checkpoints/${made.id}/export`).set(c.compliance.auth).expect(200);
      expect(file.headers['content-disposition']).toBe(`attachment; filename="audit-checkpoint_${c.clinic.id}_${made.clinicSeq}.json"`);
      expect(Object.keys(file.body).sort()).toEqual(['clinicId', 'clinicSeq', 'createdAt', 'headHash', 'publicKey', 'signature']);
      const { clinicId, clinicSeq, headHash, createdAt, signature, publicKey } = file.body;
      // Node's crypto and the canonical JSON of the four signed fields: nothing of the service's state.
      const signed = Buffer.from(canonicalJson({ clinicId, clinicSeq, headHash, createdAt }), 'utf8');
      expect(verifySignature(null, signed, createPublicKey(publicKey), Buffer.from(signature, 'base64'))).toBe(true);
      expect(publicKey.trim()).toBe(TEST_AUDIT_PUBLIC_KEY.trim());

      await t.http.get(`/v1/audit-events/checkpoints/${made.id}/export`).set(other.compliance.auth).expect(404);
      await t.http.get('/v1/audit-events/checkpoints/not-a-uuid/export').set(c.compliance.auth).expect(400);
      await t.http.get(`/v1/audit-events/checkpoints/${made.id}/export`).set(c.practitioner.auth).expect(403);
    });

    it('serves the public key and the CLI command that verifies offline', async () => {
      const key = (await t.http.get('/v1/audit-events/signing-key').set(c.compliance.auth).expect(200)).body;
      expect(key.publicKey.trim()).toBe(TEST_AUDIT_PUBLIC_KEY.trim());
      expect(key.verifyCommand).toBe(`npm run cli -- audit:verify --clinic ${c.clinic.id} --checkpoint checkpoint.json --public-key audit-public-key.pem`);
      await t.http.get('/v1/audit-events/signing-key').set(c.practitioner.auth).expect(403);
    });
  });

  describe('verification as a stream', () => {
    const stream = async (who = c.compliance.auth) => {
      const res = await t.http.get('/v1/audit-events/verify/stream').set(who).buffer(true).parse(streamedText);
      return { res, events: sseEvents(res.body as string) };
    };

    it('reports progress page by page on a long chain, then the same report as GET verify', async () => {
      const v = await newClinic(t);
      await newPatient(t, v);
      await appendFillerEvents(v.clinic.id, 12_000, t.clock.now());
      await t.http.post('/v1/audit-events/checkpoints').set(v.compliance.auth).expect(201);
      const { res, events } = await stream(v.compliance.auth);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['cache-control']).toMatch(/no-store/);
      const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
      const report = events.at(-1)!;
      expect(report.event).toBe('report');
      expect(report.data).toMatchObject({ ok: true, status: 'ok', checkpointsChecked: 1, checkpointSignedByConfiguredKey: true });
      expect(report.data.count).toBeGreaterThan(12_000);
      // At least one report per 5000-event page, climbing to the whole chain.
      const checked = progress.map((p) => p.checked);
      expect(checked.length).toBeGreaterThanOrEqual(4);
      expect(checked).toEqual([...checked].sort((a, b) => a - b));
      expect(checked.filter((n) => n > 0 && n < report.data.count).length).toBeGreaterThanOrEqual(2);
      expect(progress.at(-1)).toEqual({ checked: report.data.count, total: report.data.count });
      expect(progress[1].total).toBe(report.data.count);
      const plain = (await t.http.get('/v1/audit-events/verify').set(v.compliance.auth).expect(200)).body;
      expect(report.data).toEqual(plain);
    });

    it('says where and how a tampered chain breaks', async () => {
      const v = await newClinic(t);
      await newPatient(t, v);
      await newPatient(t, v);
      await t.http.post('/v1/audit-events/checkpoints').set(v.compliance.auth).expect(201);
      await asOwner(async (o) => {
        await o.query('BEGIN');
        await o.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
        await o.query(`UPDATE audit_events SET action = 'patient.viewed' WHERE clinic_id = $1 AND clinic_seq = 3`, [v.clinic.id]);
        await o.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
        await o.query('COMMIT');
      });
      const { events } = await stream(v.compliance.auth);
      expect(events.at(-1)).toMatchObject({ event: 'report', data: { ok: false, status: 'broken', brokenAt: '3', reason: 'altered' } });
    });

    it('is for compliance and admins only', async () => {
      await t.http.get('/v1/audit-events/verify/stream').set(c.practitioner.auth).expect(403);
      await t.http.get('/v1/audit-events/verify/stream').expect(401);
    });
  });
});
