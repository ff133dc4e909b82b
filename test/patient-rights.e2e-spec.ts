import { randomBytes } from 'node:crypto';
import { AuditCheckpointsService } from '../src/audit/checkpoints.service';
import { asOwner, tamper } from './support/owner';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic, treatedYesterday } from './support/factories';

const newSid = () => 'SM' + randomBytes(16).toString('hex');
const uniqueName = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

/** Every row of every table in the database as text, through the owner's connection. */
function wholeDatabaseText(): Promise<Map<string, string>> {
  return asOwner(async (client) => {
    const { rows: tables } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const out = new Map<string, string>();
    for (const { tablename } of tables) {
      const { rows } = await client.query(`SELECT coalesce(string_agg(t::text, E'\\n'), '') AS text FROM ${tablename} t`);
      out.set(tablename, rows[0].text);
    }
    return out;
  });
}

function tablesHolding(db: Map<string, string>, needle: string): string[] {
  return [...db.entries()].filter(([, text]) => text.toLowerCase().includes(needle.toLowerCase())).map(([table]) => table);
}

describe("patients' rights and the audit of reads", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const auditOf = async (c: TestClinic, q: string) =>
    (await t.http.get(`/v1/audit-events?limit=200&${q}`).set(c.compliance.auth).expect(200)).body.items as Array<Record<string, any>>;
  const verify = async (c: TestClinic) => (await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body;

  it('a PATCH records the old and new value of each changed field, who and when; the chain covers it', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { familyName: 'Ruiz' });
    t.clock.advance(60_000);
    await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ familyName: 'Ruiz Gómez', locale: 'es', smsConsent: false }).expect(200);
    const [updated] = await auditOf(c, `action=patient.updated&entityId=${p.id}`);
    expect(updated).toMatchObject({
      actorType: 'staff',
      actorId: c.practitioner.id,
      data: { fields: ['familyName', 'locale'] },
      changes: { familyName: { from: 'Ruiz', to: 'Ruiz Gómez' }, locale: { from: 'en', to: 'es' } },
      payloadRedactedAt: null,
    });
    expect(updated.occurredAt).toBeDefined();
    expect(JSON.stringify(updated.data)).not.toContain('Ruiz');
    const consent = (await auditOf(c, `action=patient.consent_changed&entityId=${p.id}`)).find((e) => e.data.change === 'withdrawn');
    expect(consent?.changes).toEqual({ smsOptedOutAt: { from: null, to: expect.any(String) } });
    expect(await verify(c)).toMatchObject({ ok: true });
  });

  it('treatment cancel and flag triage carry their before/after and reason', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    const tr = await newTreatment(t, c, p.id);
    await t.http.post(`/v1/treatments/${tr.id}/cancel`).set(c.practitioner.auth).send({ reason: "entered in error" }).expect(200);
    const [cancel] = await auditOf(c, `action=treatment.cancelled&entityId=${tr.id}`);
    expect(cancel).toMatchObject({ reason: 'entered in error', changes: { status: { from: 'active', to: 'cancelled' }, cancelReason: { from: null, to: 'entered in error' } } });

    const { c: c2, p: p2 } = await treatedYesterday(t);
    await t.dispatcher.tick();
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newSid(), From: p2.phone!, To: c2.smsNumber, Body: '4 4 4 4 4' }).expect(200);
    const [flag] = (await t.http.get('/v1/flags?status=open').set(c2.practitioner.auth).expect(200)).body.items;
    await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c2.practitioner.auth).send({ outcome: 'advice_given', note: 'called her' }).expect(200);
    await t.http.post(`/v1/flags/${flag.id}/reopen`).set(c2.admin.auth).send({ reason: 'pain came back' }).expect(200);
    const [resolved] = await auditOf(c2, `action=flag.resolved&entityId=${flag.id}`);
    expect(resolved.changes).toMatchObject({ status: { from: 'open', to: 'resolved' }, outcome: { from: null, to: 'advice_given' }, note: { from: null, to: 'called her' } });
    const [reopened] = await auditOf(c2, `action=flag.reopened&entityId=${flag.id}`);
    expect(reopened).toMatchObject({ reason: 'pain came back', changes: { status: { from: 'resolved', to: 'open' }, outcome: { from: 'advice_given', to: null } } });
    expect(await verify(c2)).toMatchObject({ ok: true });
  });

  it('a payload altered or deleted by a superuser is reported at its sequence number', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { familyName: 'Before' });
    await t.http.patch(`/v1/patients/${p.id}`).set(c.admin.auth).send({ familyName: 'After' }).expect(200);
    const [ev] = await auditOf(c, `action=patient.updated&entityId=${p.id}`);
    const guard = ['audit_event_payloads', 'audit_event_payloads_redact_only'] as const;
    await tamper(...guard, `UPDATE audit_event_payloads SET payload = '{"changes":{"familyName":{"from":"Forged","to":"After"}}}' WHERE event_seq = $1`, [ev.seq]);
    expect(await verify(c)).toMatchObject({ ok: false, reason: 'payload altered', brokenAt: ev.clinicSeq });
    await tamper(...guard, `DELETE FROM audit_event_payloads WHERE event_seq = $1`, [ev.seq]);
    expect(await verify(c)).toMatchObject({ ok: false, reason: 'payload missing', brokenAt: ev.clinicSeq });
    // The trigger lets a payload be redacted once, and never rewritten.
    await asOwner((owner) => expect(owner.query(`UPDATE audit_event_payloads SET digest = 'x'`)).rejects.toThrow(/only be redacted/));
  });

  it('two events swapped by a superuser are reported at the first one', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    // Swap the contents of events 2 and 3 (each keeps its own hashes, so the links no longer fit).
    await tamper(
      'audit_events',
      'audit_events_no_update_delete',
      `UPDATE audit_events a SET action = b.action, entity_type = b.entity_type, entity_id = b.entity_id, data = b.data
         FROM audit_events b WHERE a.clinic_id = $1 AND b.clinic_id = $1 AND ((a.clinic_seq = 2 AND b.clinic_seq = 3) OR (a.clinic_seq = 3 AND b.clinic_seq = 2))`,
      [c.clinic.id],
    );
    expect(await verify(c)).toMatchObject({ ok: false, reason: 'altered', brokenAt: '2' });
  });

  it('an event deleted from the middle of the chain by a superuser is reported missing at its sequence number', async () => {
    const c = await newClinic(t);
    await newPatient(t, c);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1`, [c.clinic.id]);
    await tamper('audit_events', 'audit_events_no_update_delete', `DELETE FROM audit_events WHERE clinic_id = $1 AND clinic_seq = 3`, [c.clinic.id]);
    // The count is the whole chain's, not where the walk stopped.
    expect(await verify(c)).toMatchObject({ ok: false, reason: 'missing', brokenAt: '3', count: n - 1 });
  });

  it('opening a record, its answers, its timeline and exporting it are audited with the reader as actor', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    await t.http.get(`/v1/patients/${p.id}`).set(c.compliance.auth).expect(200);
    await t.http.get(`/v1/patients/${p.id}/responses`).set(c.practitioner.auth).expect(200);
    await t.http.get(`/v1/patients/${p.id}/timeline`).set(c.admin.auth).expect(200);
    await t.http.get(`/v1/patients/${p.id}/export`).set(c.compliance.auth).expect(200);
    const reads = (await auditOf(c, `entityId=${p.id}`)).filter((e) => /viewed|exported/.test(e.action));
    expect(reads.map((e) => [e.action, e.actorId])).toEqual([
      ['patient.viewed', c.compliance.id],
      ['patient.responses_viewed', c.practitioner.id],
      ['timeline.viewed', c.admin.id],
      ['patient.exported', c.compliance.id],
    ]);
    // Another clinic's patient: 404, and nothing is recorded as read.
    const other = await newClinic(t);
    await t.http.get(`/v1/patients/${p.id}`).set(other.admin.auth).expect(404);
    await t.http.get(`/v1/patients/${p.id}/export`).set(other.admin.auth).expect(404);
    expect((await auditOf(other, `entityId=${p.id}`)).length).toBe(0);
  });

  it('the access export holds everything about the patient: details, consents, treatments, check-ins, message texts, answers, flags with history, audit events', async () => {
    const { c, p, tr } = await treatedYesterday(t, { givenName: 'Exportina' });
    await t.dispatcher.tick();
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newSid(), From: p.phone!, To: c.smsNumber, Body: '4 4 4 4 4' }).expect(200);
    const body = (await t.http.get(`/v1/patients/${p.id}/export`).set(c.admin.auth).expect(200)).body;
    expect(body.patient).toMatchObject({ id: p.id, givenName: 'Exportina', phone: p.phone, email: p.email });
    expect(body.consents.sms).toMatchObject({ consentAt: expect.any(String), optedOutAt: null });
    expect(body.treatments.map((x: any) => x.id)).toEqual([tr.id]);
    expect(body.checkIns.length).toBe(tr.checkIns.length);
    expect(body.messages.some((m: any) => m.direction === 'out' && m.body.includes('Exportina'))).toBe(true);
    expect(body.messages.some((m: any) => m.direction === 'in' && m.body === '4 4 4 4 4')).toBe(true);
    expect(body.responses[0]).toMatchObject({ bruising: 4, pain: 4 });
    expect(body.flags[0].history.map((h: any) => h.kind)).toContain('raised');
    expect(body.auditEvents.map((e: any) => e.action)).toEqual(expect.arrayContaining(['patient.created', 'treatment.created']));
    // Practitioners and integrations cannot export.
    await t.http.get(`/v1/patients/${p.id}/export`).set(c.practitioner.auth).expect(403);
  });

  it("erasure pseudonymises the patient, blanks what identifies them everywhere, keeps the safety record, and the chain still verifies", async () => {
    const givenName = uniqueName('Givn');
    const familyName = uniqueName('Fmly');
    // A consent source the caller wrote names her too: it must not reach the chained data.
    const { c, p, tr } = await treatedYesterday(t, { givenName, familyName, birthYear: 1983, consentSource: `intake form signed by ${givenName} ${familyName}` });
    await t.dispatcher.tick(); // the day-1 SMS, with her name in it
    await t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newSid(), From: p.phone!, To: c.smsNumber, Body: '4 4 4 4 4' }).expect(200);
    const newFamily = uniqueName('Newf');
    await t.http.patch(`/v1/patients/${p.id}`).set(c.practitioner.auth).send({ familyName: newFamily }).expect(200); // before/after in a payload
    await t.get(AuditCheckpointsService).create(c.clinic.id, { type: 'system', id: null });
    const before = await wholeDatabaseText();
    for (const needle of [familyName, newFamily, p.phone!, p.email!]) expect(tablesHolding(before, needle).length).toBeGreaterThan(0);

    const res = await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'patient request, ticket 77' }).expect(200);
    expect(res.body).toMatchObject({ id: p.id, pseudonym: expect.stringMatching(/^P-/), redactedPayloads: expect.any(Number), cancelledCheckIns: tr.checkIns.length - 1 });
    expect(res.body.redactedPayloads).toBeGreaterThan(0);

    const after = await wholeDatabaseText();
    for (const needle of [givenName, familyName, newFamily, p.phone!, p.email!]) {
      expect({ needle, tables: tablesHolding(after, needle) }).toEqual({ needle, tables: [] });
    }
    // The safety record stays: treatment, scores, flag.
    const shown = (await t.http.get(`/v1/patients/${p.id}`).set(c.admin.auth).expect(200)).body;
    expect(shown).toMatchObject({ givenName: 'Erased', familyName: res.body.pseudonym, email: null, phone: null, birthYear: null, erasedAt: expect.any(String) });
    const [row] = await asOwner((client) => client.query(`SELECT birth_year, external_ref FROM patients WHERE id = $1`, [p.id]).then((r) => r.rows));
    expect(row).toEqual({ birth_year: null, external_ref: null });
    const [erasedEvent] = await auditOf(c, `action=patient.erased&entityId=${p.id}`);
    expect(erasedEvent.data.fields).toEqual(expect.arrayContaining(['givenName', 'familyName', 'email', 'phone', 'birthYear']));
    const responses = (await t.http.get(`/v1/patients/${p.id}/responses`).set(c.admin.auth).expect(200)).body.items;
    expect(responses[0]).toMatchObject({ bruising: 4, redness: 4, pain: 4 });
    expect((await t.http.get(`/v1/treatments/${tr.id}`).set(c.admin.auth).expect(200)).body.status).toBe('active');
    const flags = (await t.http.get('/v1/flags').set(c.admin.auth).expect(200)).body.items;
    expect(flags.length).toBe(1);
    // Chain verifies, against the checkpoint signed before erasure too; redacted payloads are counted.
    expect(await verify(c)).toMatchObject({ ok: true, checkpoint: expect.objectContaining({ clinicSeq: expect.any(String) }) });
    expect((await verify(c)).redactedPayloads).toBe(res.body.redactedPayloads);
    const [updated] = await auditOf(c, `action=patient.updated&entityId=${p.id}`);
    expect(updated).toMatchObject({ changes: null, payloadRedactedAt: expect.any(String), data: { fields: ['familyName'] } });
    expect((await auditOf(c, `action=patient.consent_changed&entityId=${p.id}`))[0]).toMatchObject({ data: { source: 'custom' }, changes: null, payloadRedactedAt: expect.any(String) });
    const [erased] = await auditOf(c, `action=patient.erased&entityId=${p.id}`);
    expect(erased).toMatchObject({ actorId: c.admin.id, reason: 'patient request, ticket 77' });
    // Nothing more is sent to her.
    t.clock.set('2026-03-10T09:00:00Z');
    const sentBefore = t.twilioApi.to(p.phone!).length;
    expect(sentBefore).toBeGreaterThan(0);
    await t.dispatcher.tick();
    expect(t.twilioApi.to(p.phone!).length).toBe(sentBefore);
    // And the record cannot be edited or erased twice.
    await t.http.patch(`/v1/patients/${p.id}`).set(c.admin.auth).send({ givenName: 'Back' }).expect(409);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'again' }).expect(409);
    const refused = await t.http
      .post('/v1/treatments')
      .set(c.practitioner.auth)
      .send({ patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'X', performedAt: '2026-03-10T08:00:00Z' })
      .expect(409);
    expect(refused.body.message).toBe('The patient was erased; no new treatment can be recorded for them');
  });

  it('a legal hold refuses erasure (409 saying so) until it is lifted; all audited', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.compliance.auth).send({ reason: 'claim 2026-14' }).expect(403);
    await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({ reason: 'claim 2026-14' }).expect(201);
    await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({ reason: 'again' }).expect(409);
    const refused = await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'patient request' }).expect(409);
    expect(refused.body.message).toMatch(/legal hold/);
    expect((await t.http.get(`/v1/patients/${p.id}`).set(c.admin.auth).expect(200)).body).toMatchObject({ givenName: 'Ana', erasedAt: null });
    await t.http.delete(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({ reason: 'claim settled' }).expect(200);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'patient request' }).expect(200);
    const actions = (await auditOf(c, `entityId=${p.id}`)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['patient.legal_hold_placed', 'patient.legal_hold_lifted', 'patient.erased']));
    const [placed] = await auditOf(c, `action=patient.legal_hold_placed&entityId=${p.id}`);
    expect(placed).toMatchObject({ actorId: c.admin.id, data: { fields: ['legalHoldAt', 'legalHoldReason'] } });
    expect(await verify(c)).toMatchObject({ ok: true });
    // A reason is required.
    const bad = await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.admin.auth).send({}).expect(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/reason/);
  });

  it('compliance reads everything and changes nothing; practitioners cannot read the audit log', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c);
    const tr = await newTreatment(t, c, p.id);
    for (const path of [`/v1/audit-events`, `/v1/audit-events/verify`, `/v1/audit-events/checkpoints`, `/v1/patients/${p.id}`, `/v1/patients/${p.id}/responses`, `/v1/patients/${p.id}/timeline`, `/v1/patients/${p.id}/export`, `/v1/treatments/${tr.id}`, `/v1/flags`]) {
      await t.http.get(path).set(c.compliance.auth).expect(200);
    }
    await t.http.post('/v1/patients').set(c.compliance.auth).send({ givenName: 'X', familyName: 'Y', email: 'x@example.test' }).expect(403);
    await t.http.patch(`/v1/patients/${p.id}`).set(c.compliance.auth).send({ givenName: 'X' }).expect(403);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.compliance.auth).send({ reason: 'test' }).expect(403);
    await t.http.post(`/v1/treatments/${tr.id}/cancel`).set(c.compliance.auth).send({}).expect(403);
    await t.http.delete(`/v1/patients/${p.id}/legal-hold`).set(c.compliance.auth).send({ reason: 'test' }).expect(403);
    for (const path of [`/v1/audit-events`, `/v1/audit-events/verify`, `/v1/audit-events/checkpoints`]) {
      await t.http.get(path).set(c.practitioner.auth).expect(403);
    }
    await t.http.post(`/v1/audit-events/checkpoints`).set(c.practitioner.auth).expect(403);
    await t.http.get(`/v1/patients/${p.id}/export`).set(c.practitioner.auth).expect(403);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.practitioner.auth).send({ reason: 'test' }).expect(403);
    await t.http.post(`/v1/patients/${p.id}/legal-hold`).set(c.practitioner.auth).send({ reason: 'test' }).expect(403);
  });

  it('erasing a patient leaves another patient who shares her phone and email alone (a mother and daughter)', async () => {
    const { c, p: daughter } = await treatedYesterday(t, { givenName: 'Daughter' });
    const mother = await newPatient(t, c, { givenName: 'Mother', phone: daughter.phone, email: daughter.email });
    await newTreatment(t, c, mother.id, { performedAt: '2026-03-02T08:00:00Z' });
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const messagesOf = (patientId: string) => asOwner(async (o) => (await o.query(`SELECT id, status, body, to_address FROM messages WHERE patient_id = $1 ORDER BY created_at, id`, [patientId])).rows);
    const motherBefore = await messagesOf(mother.id);
    expect(motherBefore.length).toBeGreaterThan(0);
    await t.http.post(`/v1/patients/${daughter.id}/erase`).set(c.admin.auth).send({ reason: 'daughter asked' }).expect(200);
    expect(await messagesOf(mother.id)).toEqual(motherBefore);
    expect((await messagesOf(daughter.id)).every((m: { body: string; to_address: string }) => m.body === '[erased]' && m.to_address === '[erased]')).toBe(true);
  });

  it('a payload blanked by the service role without an erasure fails verification at its sequence number', async () => {
    const c = await newClinic(t);
    const p = await newPatient(t, c, { familyName: 'Before' });
    await t.http.patch(`/v1/patients/${p.id}`).set(c.admin.auth).send({ familyName: 'After' }).expect(200);
    const [ev] = await auditOf(c, `action=patient.updated&entityId=${p.id}`);
    // The service role may redact (erasure does), so someone with its credentials could hide an earlier value.
    await t.db.query(`UPDATE audit_event_payloads SET payload = NULL, redacted_at = now(), redaction_reason = 'erasure' WHERE event_seq = $1`, [ev.seq]);
    expect(await verify(c)).toMatchObject({ ok: false, reason: 'payload redacted without an erasure', brokenAt: ev.clinicSeq });
  });

  it('erasure keeps the safety record\'s before/after: a flag\'s assessment and triage values survive, and the chain verifies', async () => {
    const { c, p } = await treatedYesterday(t);
    await t.dispatcher.tick();
    await t.http.post(linkIn(t.twilioApi.to(p.phone!).at(-1)!.params.Body)).type('form').send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '3', ...NO_WARNING_SIGNS, free_text: '' }).expect(200);
    const [flag] = (await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items.filter((f: { patientId: string }) => f.patientId === p.id);
    await t.http.post(`/v1/flags/${flag.id}/assess`).set(c.practitioner.auth).send({ causality: 'possibly_related', seriousness: 'non_serious' }).expect(200);
    await t.http.post(`/v1/flags/${flag.id}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Cold packs, rest.' }).expect(200);
    await t.http.post(`/v1/patients/${p.id}/erase`).set(c.admin.auth).send({ reason: 'request' }).expect(200);
    const [assessed] = await auditOf(c, `action=flag.assessed&entityId=${flag.id}`);
    expect(assessed.changes).toMatchObject({ causality: { from: null, to: 'possibly_related' }, seriousness: { from: null, to: 'non_serious' } });
    const [resolved] = await auditOf(c, `action=flag.resolved&entityId=${flag.id}`);
    expect(resolved.changes).toMatchObject({ outcome: { from: null, to: 'advice_given' } });
    const [erased] = await auditOf(c, `action=patient.erased&entityId=${p.id}`);
    expect(erased.data.redactedSeqs.length).toBe(erased.data.redactedPayloads);
    expect(erased.data.redactedPayloads).toBeGreaterThan(0);
    expect(await verify(c)).toMatchObject({ ok: true, redactedPayloads: erased.data.redactedPayloads });
  });
});
