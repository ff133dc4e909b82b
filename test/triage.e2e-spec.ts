import { createTestApp, TestApp } from './support/app';
import { linkIn, newApiKey, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

const MINUTE = 60_000;

/** Triage after a real answer: assign, notes, acknowledge, resolve, reopen, with the flag's history and the patient's timeline. */
describe('triage workflow and patient timeline', () => {
  let t: TestApp;
  let c: TestClinic;
  let other: TestClinic;
  let patient: Awaited<ReturnType<typeof newPatient>>;
  let treatmentId: string;
  let flagId: string;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    c = await newClinic(t);
    other = await newClinic(t);

    // A flag raised through the real loop: dispatch, then the form answered with severe pain.
    patient = await newPatient(t, c, { preferredChannel: 'email' });
    treatmentId = (await newTreatment(t, c, patient.id)).id;
    t.clock.set('2026-03-03T09:00:00Z');
    expect((await t.dispatcher.tick()).sent).toBe(1);
    const [mail] = t.smtp.to(patient.email!);
    t.clock.advance(30 * MINUTE);
    await t.http
      .post(linkIn(mail.parsed.text!))
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '3', ...NO_WARNING_SIGNS, free_text: '' })
      .expect(200);
    const flags = (await t.http.get('/v1/flags?status=open').set(c.practitioner.auth).expect(200)).body.items;
    expect(flags.map((f: { ruleId: string; priority: string }) => `${f.priority}:${f.ruleId}`)).toEqual(['high:severe-symptom']);
    flagId = flags[0].id;
  });
  afterAll(() => t.close());

  const post = (who: { Authorization: string }, action: string, body: object = {}) => t.http.post(`/v1/flags/${flagId}/${action}`).set(who).send(body);

  it('assigns, takes notes, acknowledges, resolves, reopens and resolves again, keeping every step', async () => {
    t.clock.advance(5 * MINUTE);
    const assigned = await post(c.practitioner.auth, 'assign', { assigneeId: c.admin.id }).expect(200);
    expect(assigned.body).toMatchObject({ status: 'open', assigneeId: c.admin.id });

    t.clock.advance(MINUTE);
    await post(c.admin.auth, 'notes', { text: 'Called the patient, no answer yet.' }).expect(201);
    t.clock.advance(MINUTE);
    await post(c.admin.auth, 'acknowledge').expect(200);
    t.clock.advance(MINUTE);
    await post(c.admin.auth, 'notes', { text: 'Spoke to her: pain is easing with ice.' }).expect(201);
    t.clock.advance(MINUTE);
    await post(c.admin.auth, 'resolve', { outcome: 'advice_given', note: 'Advice on cold packs and paracetamol.' }).expect(200);
    t.clock.advance(60 * MINUTE);
    const reopened = await post(c.practitioner.auth, 'reopen', { reason: 'Patient called back: pain worse again.' }).expect(200);
    expect(reopened.body).toMatchObject({ status: 'open', outcome: null, resolvedAt: null });
    t.clock.advance(MINUTE);
    await post(c.practitioner.auth, 'assign', { assigneeId: c.practitioner.id }).expect(200);
    t.clock.advance(MINUTE);
    const final = await post(c.practitioner.auth, 'resolve', { outcome: 'seen_in_clinic', note: 'Seen in clinic; hematoma, no infection.' }).expect(200);
    expect(final.body).toMatchObject({ status: 'resolved', outcome: 'seen_in_clinic', resolvedBy: c.practitioner.id });

    const flag = (await t.http.get(`/v1/flags/${flagId}`).set(c.compliance.auth).expect(200)).body;
    expect(flag).toMatchObject({ id: flagId, status: 'resolved', outcome: 'seen_in_clinic', assigneeId: c.practitioner.id });
    // Its case, for the console's flag page to act on: the case API knows it by that id.
    expect(flag.caseId).toEqual(expect.any(String));
    expect((await t.http.get(`/v1/cases/${flag.caseId}`).set(c.practitioner.auth).expect(200)).body.flagIds).toContain(flagId);
    const history = flag.history as Array<{ kind: string; at: string; actorId: string | null; data: Record<string, unknown> }>;
    expect(history.map((e) => e.kind)).toEqual(['raised', 'assigned', 'note', 'acknowledged', 'note', 'resolved', 'reopened', 'assigned', 'resolved']);
    const times = history.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(history[0]).toMatchObject({ actorId: null, data: { ruleId: 'severe-symptom', priority: 'high' } });
    expect(history[1]).toMatchObject({ actorId: c.practitioner.id, data: { assigneeId: c.admin.id } });
    expect(history[2].data).toEqual({ text: 'Called the patient, no answer yet.' });
    expect(history[5].data).toMatchObject({ outcome: 'advice_given' });
    expect(history[6].data).toMatchObject({ reason: 'Patient called back: pain worse again.', previousOutcome: 'advice_given' });
    expect(history[8].data).toMatchObject({ outcome: 'seen_in_clinic' });

    // The audit log has each step in the same order, with ids and field names only.
    const audit = (await t.http.get(`/v1/audit-events?entityId=${flagId}&limit=200`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
    expect(audit.map((e) => e.action)).toEqual([
      'flag.raised',
      'flag.assigned',
      'flag.note_added',
      'flag.acknowledged',
      'flag.note_added',
      'flag.resolved',
      'flag.reopened',
      'flag.assigned',
      'flag.resolved',
    ]);
    // Free text never enters the chained data; a reason the workflow asks for sits in the redactable payload.
    const auditText = JSON.stringify(audit.map((e) => (e as unknown as { data: unknown }).data));
    expect(auditText).not.toContain('Called the patient');
    expect(auditText).not.toContain('pain worse again');
    expect(JSON.stringify(audit)).not.toContain('Called the patient');
    expect(audit.find((e) => e.action === 'flag.reopened')).toMatchObject({ reason: expect.stringContaining('pain worse again') });
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body.ok).toBe(true);

    // The history is append-only in the database too: the service's role may not, and the trigger refuses everyone.
    await expect(t.db.query(`UPDATE flag_events SET kind = 'note' WHERE flag_id = $1`, [flagId])).rejects.toThrow(/permission denied|append-only/);
    await expect(t.db.query(`DELETE FROM flag_events WHERE flag_id = $1`, [flagId])).rejects.toThrow(/permission denied|append-only/);
  });

  it('lets compliance read but not triage', async () => {
    await t.http.get(`/v1/flags/${flagId}`).set(c.compliance.auth).expect(200);
    await post(c.compliance.auth, 'assign', { assigneeId: c.practitioner.id }).expect(403);
    await post(c.compliance.auth, 'notes', { text: 'x' }).expect(403);
    await post(c.compliance.auth, 'acknowledge').expect(403);
    await post(c.compliance.auth, 'resolve', { outcome: 'advice_given', note: 'x' }).expect(403);
    await post(c.compliance.auth, 'reopen', { reason: 'x' }).expect(403);
  });

  it('answers 409 naming the state, and 400/404 for a bad assignee or note', async () => {
    // The flag is resolved now.
    const assign = await post(c.practitioner.auth, 'assign', { assigneeId: c.practitioner.id }).expect(409);
    expect(assign.body.message).toContain('resolved');
    expect((await post(c.practitioner.auth, 'acknowledge').expect(409)).body.message).toContain('resolved');
    expect((await post(c.practitioner.auth, 'resolve', { outcome: 'referred', note: 'again' }).expect(409)).body.message).toContain('resolved');
    // Notes are allowed in any status.
    await post(c.practitioner.auth, 'notes', { text: 'Follow-up call booked.' }).expect(201);

    await post(c.practitioner.auth, 'reopen', { reason: 'Needs another look.' }).expect(200);
    expect((await post(c.practitioner.auth, 'reopen', { reason: 'twice' }).expect(409)).body.message).toContain('open');

    // Assignee: only an active practitioner or admin of this clinic.
    expect((await post(c.practitioner.auth, 'assign', { assigneeId: c.compliance.id }).expect(400)).body.message).toMatch(/practitioner or an admin/);
    expect((await post(c.practitioner.auth, 'assign', { assigneeId: other.practitioner.id }).expect(404)).body.message).toMatch(/Assignee not found/);
    await post(c.practitioner.auth, 'assign', { assigneeId: 'not-a-uuid' }).expect(400);
    await post(c.practitioner.auth, 'assign', {}).expect(400);
    await post(c.practitioner.auth, 'notes', { text: '' }).expect(400);
    await post(c.practitioner.auth, 'notes', { text: 'x'.repeat(4001) }).expect(400);
    await post(c.practitioner.auth, 'reopen', {}).expect(400);
  });

  it("treats another clinic's flag as unknown", async () => {
    await t.http.get(`/v1/flags/${flagId}`).set(other.practitioner.auth).expect(404);
    await t.http.post(`/v1/flags/${flagId}/assign`).set(other.practitioner.auth).send({ assigneeId: other.practitioner.id }).expect(404);
    await t.http.post(`/v1/flags/${flagId}/notes`).set(other.admin.auth).send({ text: 'hello' }).expect(404);
    await t.http.post(`/v1/flags/${flagId}/reopen`).set(other.admin.auth).send({ reason: 'x' }).expect(404);
    await t.http.get(`/v1/patients/${patient.id}/timeline`).set(other.practitioner.auth).expect(404);
  });

  it("shows the patient's course in time order, without contact details", async () => {
    await t.http.get(`/v1/patients/${patient.id}/timeline`).set(c.admin.auth).expect(200);
    const res = await t.http.get(`/v1/patients/${patient.id}/timeline`).set(c.compliance.auth).expect(200);
    const items = res.body.items as Array<{ at: string; type: string; id: string; [k: string]: unknown }>;
    const times = items.map((i) => Date.parse(i.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Timestamps are written by PostgreSQL in exactly Date#toISOString's form (UTC, milliseconds, Z).
    const stamps = items.flatMap((i) => [i.at, i.dueAt, i.sentAt, i.answeredAt, i.cancelledAt, ...((i.history as Array<{ at: string }> | undefined) ?? []).map((h) => h.at)]).filter((x) => x != null) as string[];
    expect(stamps.length).toBeGreaterThan(items.length);
    for (const x of stamps) expect(new Date(x).toISOString()).toBe(x);
    const [{ performed_at }] = await t.db.query(`SELECT performed_at FROM treatments WHERE clinic_id = $1 AND id = $2`, [c.clinic.id, treatmentId]);
    expect(items[0].at).toBe((performed_at as Date).toISOString());

    expect(items[0]).toMatchObject({ type: 'treatment', id: treatmentId, procedure: 'mesotherapy', lotNumber: 'L2309A' });
    // The course of sessions as the patient page shows it: protocol key and version, cancellation.
    expect(items[0]).toMatchObject({ protocolKey: expect.any(String), protocolVersion: expect.any(Number), cancelledAt: null, cancelReason: null });
    expect(items[0]).toHaveProperty('technique');
    const types = items.map((i) => i.type);
    // The day-1 check-in is sent, its email goes out, the answer comes back and raises the flag; later check-ins follow.
    const firstCheckIn = types.indexOf('check_in');
    const firstMessage = types.indexOf('message');
    const response = types.indexOf('response');
    const flag = types.indexOf('flag');
    expect(0 < firstCheckIn && firstCheckIn <= firstMessage && firstMessage < response && response <= flag).toBe(true);
    expect(items.filter((i) => i.type === 'check_in')).toHaveLength(7); // days 1, 3, 7, 14, 30, 60, 90
    expect(items[firstCheckIn]).toMatchObject({ step: 1, status: 'answered', channel: 'email' });
    expect(items[firstMessage]).toMatchObject({ direction: 'out', channel: 'email', purpose: 'check_in' });
    expect(Object.keys(items[firstMessage]).sort()).toEqual(['at', 'channel', 'checkInId', 'direction', 'id', 'purpose', 'status', 'type']);
    expect(items[response]).toMatchObject({ source: 'form', daySinceTreatment: 1, scores: { pain: 3, bruising: 1 } });
    expect(items[flag]).toMatchObject({ id: flagId, priority: 'high', ruleId: 'severe-symptom', status: 'open' });
    expect((items[flag].history as Array<{ kind: string }>).map((h) => h.kind)).toEqual([
      'raised', 'assigned', 'note', 'acknowledged', 'note', 'resolved', 'reopened', 'assigned', 'resolved', 'note', 'reopened',
    ]);

    const text = JSON.stringify(res.body);
    expect(text).not.toContain(patient.email!);
    expect(text).not.toContain(patient.phone!);
    expect(text).not.toMatch(/@/);
    expect(text).not.toMatch(/\+\d{8,}/);
  });

  it('puts every one of many concurrent reads on the record before answering it, each with its own request id, on a chain that verifies', async () => {
    // Reads arriving together are chained in one access transaction (group commit); each still
    // answers only once its own event is committed.
    const count = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE clinic_id = $1 AND action = 'timeline.viewed'`, [c.clinic.id]))[0].n as number;
    const before = await count();
    const ids = Array.from({ length: 12 }, (_, i) => `timeline-read-${i}`);
    await Promise.all(
      ids.map(async (id) => {
        await t.http.get(`/v1/patients/${patient.id}/timeline`).set(c.practitioner.auth).set('X-Request-Id', id).expect(200);
        const [row] = await t.db.query(`SELECT actor_id, entity_id FROM audit_events WHERE clinic_id = $1 AND action = 'timeline.viewed' AND data->>'requestId' = $2`, [c.clinic.id, id]);
        expect(row).toEqual({ actor_id: c.practitioner.id, entity_id: patient.id });
      }),
    );
    expect(await count()).toBe(before + ids.length);
    expect((await t.http.get('/v1/audit-events/verify').set(c.compliance.auth).expect(200)).body).toMatchObject({ ok: true });
  });

  it('is not for integrations, and 404s an unknown patient', async () => {
    await t.http.get(`/v1/patients/00000000-0000-4000-8000-000000000000/timeline`).set(c.practitioner.auth).expect(404);
    const key = await newApiKey(t, c);
    await t.http.get(`/v1/patients/${patient.id}/timeline`).set(key).expect(403);
    await t.http.post(`/v1/flags/${flagId}/notes`).set(key).send({ text: 'x' }).expect(403);
  });
});
