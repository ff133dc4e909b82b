import { DEFAULT_EXPECTED_COURSE } from '../src/protocols/expected-course';
import { asOwner } from './support/owner';
import { createTestApp, TestApp } from './support/app';
import { newApiKey, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';

/** Protocols as data: shipped defaults, a clinic's own versions through the API, and which one a treatment gets. */
describe('protocols', () => {
  let t: TestApp;
  let c: TestClinic;

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Our body follow-up',
    dayOffsets: [1, 2, 7, 14, 30, 90],
    sendTime: '11:30',
    expiryHours: 36,
    reminderAfterHours: 12,
    expectedCourse: DEFAULT_EXPECTED_COURSE,
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    c = await newClinic(t);
  });
  afterAll(() => t.close());

  it('lists the shipped defaults: body and face/scalp with day 90, and the old default', async () => {
    const { items } = (await t.http.get('/v1/protocols').set(c.practitioner.auth).expect(200)).body;
    expect(items.map((p: { key: string }) => p.key)).toEqual(['body', 'default', 'face-scalp']);
    for (const p of items.filter((x: { key: string }) => x.key !== 'default')) {
      expect(p).toMatchObject({ version: 1, shipped: true, dayOffsets: [1, 3, 7, 14, 30, 60, 90], sendTime: '10:00', expiryHours: 48, reminderAfterHours: 24 });
    }
    const face = items.find((p: { key: string }) => p.key === 'face-scalp');
    const bodyProtocol = items.find((p: { key: string }) => p.key === 'body');
    expect(bodyProtocol.expectedCourse).toEqual(DEFAULT_EXPECTED_COURSE);
    // Face and scalp settle faster: redness is no longer usual after day 7.
    expect(face.expectedCourse.redness.at(-1).throughDay).toBe(7);
    await t.http.get(`/v1/protocols/${face.id}`).set(c.compliance.auth).expect(200);
  });

  it('face and scalp treatments get the face/scalp default, body ones the body default, both with a day-90 check-in', async () => {
    const p = await newPatient(t, c);
    const face = await newTreatment(t, c, p.id, { indication: 'skin rejuvenation', bodyAreas: ['face', 'neck'] });
    const scalp = await newTreatment(t, c, (await newPatient(t, c)).id, { indication: 'hair loss', bodyAreas: ['scalp'] });
    const legs = await newTreatment(t, c, (await newPatient(t, c)).id, { indication: 'cellulite', bodyAreas: ['thighs'] });
    const keyOf = async (id: string) => {
      const tr = (await t.http.get(`/v1/treatments/${id}`).set(c.practitioner.auth).expect(200)).body;
      return (await t.http.get(`/v1/protocols/${tr.protocolId}`).set(c.practitioner.auth).expect(200)).body.key;
    };
    expect(await keyOf(face.id)).toBe('face-scalp');
    expect(await keyOf(scalp.id)).toBe('face-scalp');
    expect(await keyOf(legs.id)).toBe('body');
    for (const tr of [face, scalp, legs]) {
      const last = tr.checkIns.at(-1)!;
      expect(tr.checkIns).toHaveLength(7);
      expect(last).toMatchObject({ step: 7, dayOffset: 90 });
    }
    // Day 90 after Monday 2 March 09:00 Madrid: 31 May, 10:00 summer time.
    expect(legs.checkIns.at(-1)!.dueAt).toBe('2026-05-31T08:00:00.000Z');
  });

  it('an explicit protocolKey wins; an unknown one is 400 and records nothing', async () => {
    const p = await newPatient(t, c);
    const tr = await newTreatment(t, c, p.id, { indication: 'cellulite', bodyAreas: ['thighs'], protocolKey: 'default' });
    expect(tr.checkIns.map((x) => x.dayOffset)).toEqual([1, 3, 7, 14, 30, 60]);
    const res = await t.http
      .post('/v1/treatments')
      .set(c.practitioner.auth)
      .send({ patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'X', performedAt: t.clock.now().toISOString(), protocolKey: 'nope' })
      .expect(400);
    expect(res.body.message).toContain('protocolKey "nope"');
    const rows = await t.db.query(`SELECT count(*)::int AS n FROM treatments WHERE patient_id = $1`, [p.id]);
    expect(rows[0].n).toBe(1);
  });

  it('an admin makes a new version; the first clinic version of a shipped key comes after it; it is audited with what changed', async () => {
    const shipped = (await t.http.get('/v1/protocols').set(c.admin.auth).expect(200)).body.items.find((p: { key: string }) => p.key === 'body');
    const v2 = (await t.http.put('/v1/protocols/body').set(c.admin.auth).send(body()).expect(200)).body;
    expect(v2).toMatchObject({ key: 'body', version: 2, shipped: false, dayOffsets: [1, 2, 7, 14, 30, 90], sendTime: '11:30', expiryHours: 36 });
    const v3 = (await t.http.put('/v1/protocols/body').set(c.admin.auth).send(body({ name: 'Our body follow-up, v3', reminderAfterHours: null })).expect(200)).body;
    expect(v3.version).toBe(3);
    expect(v3.reminderAfterHours).toBeNull();

    const { items } = (await t.http.get('/v1/protocols').set(c.admin.auth).expect(200)).body;
    expect(items.find((p: { key: string }) => p.key === 'body').id).toBe(v3.id);
    const versions = (await t.http.get('/v1/protocols/keys/body/versions').set(c.practitioner.auth).expect(200)).body.items;
    expect(versions.map((p: { version: number }) => p.version)).toEqual([3, 2, 1]);

    const events = (await t.http.get(`/v1/audit-events?action=protocol.version_created&entityId=${v2.id}`).set(c.compliance.auth).expect(200)).body.items;
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ key: 'body', version: 2, previousId: shipped.id, previousVersion: 1 });
    expect(events[0].data.changedFields.sort()).toEqual(['dayOffsets', 'expiryHours', 'name', 'reminderAfterHours', 'sendTime']);

    // Another clinic still sees the shipped version only.
    const other = await newClinic(t);
    const theirs = (await t.http.get('/v1/protocols').set(other.admin.auth).expect(200)).body.items.find((p: { key: string }) => p.key === 'body');
    expect(theirs).toMatchObject({ id: shipped.id, version: 1 });
    await t.http.get(`/v1/protocols/${v2.id}`).set(other.admin.auth).expect(404);
  });

  it('a treatment keeps the version it started with after a new one is created; versions are never changed', async () => {
    const clinic = await newClinic(t);
    const first = (await t.http.put('/v1/protocols/face-scalp').set(clinic.admin.auth).send(body({ name: 'Face v2', dayOffsets: [1, 7, 90] })).expect(200)).body;
    const p = await newPatient(t, clinic);
    const tr = await newTreatment(t, clinic, p.id, { indication: 'hair loss', bodyAreas: ['scalp'] });
    expect(tr.checkIns.map((x) => x.dayOffset)).toEqual([1, 7, 90]);
    await t.http.put('/v1/protocols/face-scalp').set(clinic.admin.auth).send(body({ name: 'Face v3', dayOffsets: [2, 5] })).expect(200);

    const kept = (await t.http.get(`/v1/treatments/${tr.id}`).set(clinic.practitioner.auth).expect(200)).body;
    expect(kept).toMatchObject({ protocolId: first.id, protocolVersion: 2 });
    const still = (await t.http.get(`/v1/protocols/${first.id}`).set(clinic.practitioner.auth).expect(200)).body;
    expect(still).toMatchObject({ version: 2, dayOffsets: [1, 7, 90], name: 'Face v2' });
    // New treatments get v3.
    const next = await newTreatment(t, clinic, (await newPatient(t, clinic)).id, { indication: 'hair loss', bodyAreas: ['scalp'] });
    expect(next.checkIns.map((x) => x.dayOffset)).toEqual([2, 5]);
    // The database refuses to change a version: the service's role has no right to, and the trigger stops every role.
    await expect(t.db.query(`UPDATE protocols SET name = 'changed' WHERE id = $1`, [first.id])).rejects.toThrow(/permission denied/);
    await asOwner(async (owner) => {
      await expect(owner.query(`UPDATE protocols SET name = 'changed' WHERE id = $1`, [first.id])).rejects.toThrow(/not allowed/);
      await expect(owner.query(`DELETE FROM protocols WHERE id = $1`, [first.id])).rejects.toThrow(/not allowed/);
    });
  });

  it('a clinic may add a key of its own, version 1, and name it in a treatment', async () => {
    const clinic = await newClinic(t);
    const own = (await t.http.put('/v1/protocols/post-peel').set(clinic.admin.auth).send(body({ dayOffsets: [0, 3] })).expect(200)).body;
    expect(own).toMatchObject({ key: 'post-peel', version: 1 });
    const tr = await newTreatment(t, clinic, (await newPatient(t, clinic)).id, { protocolKey: 'post-peel' });
    expect(tr.checkIns.map((x) => x.dayOffset)).toEqual([0, 3]);
    // Another clinic cannot use it.
    const other = await newClinic(t);
    const res = await t.http
      .post('/v1/treatments')
      .set(other.practitioner.auth)
      .send({ patientId: (await newPatient(t, other)).id, procedure: 'm', indication: 'cellulite', bodyAreas: ['thighs'], product: 'X', performedAt: t.clock.now().toISOString(), protocolKey: 'post-peel' })
      .expect(400);
    expect(res.body.message).toContain('post-peel');
  });

  it.each([
    [{ dayOffsets: [1, 3, 3] }, 'dayOffsets must be in ascending order without repeats'],
    [{ dayOffsets: [7, 3] }, 'dayOffsets must be in ascending order without repeats'],
    [{ dayOffsets: [1, 400] }, 'dayOffsets must be days from 0 to 365'],
    [{ dayOffsets: [-1] }, 'dayOffsets must be days from 0 to 365'],
    [{ dayOffsets: [1.5] }, 'dayOffsets must be whole days'],
    [{ dayOffsets: [] }, 'dayOffsets must have at least one day'],
    [{ sendTime: '25:00' }, 'sendTime must be a local time as HH:mm'],
    [{ sendTime: '9:00' }, 'sendTime must be a local time as HH:mm'],
    [{ expiryHours: 0 }, 'expiryHours must be from 1 to 168 hours'],
    [{ expiryHours: 1000 }, 'expiryHours must be from 1 to 168 hours'],
    [{ reminderAfterHours: 36 }, 'reminderAfterHours must be less than expiryHours'],
    [{ expectedCourse: { ...DEFAULT_EXPECTED_COURSE, pain: [{ throughDay: 3, max: 9 }] } }, 'expectedCourse.pain[0].max must be a score from 0 to 4'],
    [{ expectedCourse: { bruising: [] } }, 'expectedCourse.redness must be a list of { throughDay, max } bands'],
    [{ expectedCourse: 'usual' }, 'expectedCourse must be an object with one list of bands per symptom'],
    [{ name: '' }, 'name must be longer than or equal to 1 characters'],
    [{ colour: 'red' }, 'property colour should not exist'],
  ])('PUT %j → 400 naming the field', async (change, message) => {
    const clinic = c;
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM protocols WHERE clinic_id = $1`, [clinic.clinic.id]))[0].n;
    const res = await t.http.put('/v1/protocols/body').set(clinic.admin.auth).send(body(change)).expect(400);
    expect([res.body.message].flat()).toContain(message);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM protocols WHERE clinic_id = $1`, [clinic.clinic.id]))[0].n).toBe(before);
  });

  it('refuses a bad key', async () => {
    const res = await t.http.put('/v1/protocols/Body_1').set(c.admin.auth).send(body()).expect(400);
    expect(res.body.message).toContain('key must be 1–40 lowercase letters, digits or dashes, starting with a letter');
  });

  it('practitioners, compliance and integrations may read but not write; another clinic’s protocol is 404', async () => {
    await t.http.put('/v1/protocols/body').set(c.practitioner.auth).send(body()).expect(403);
    await t.http.put('/v1/protocols/body').set(c.compliance.auth).send(body()).expect(403);
    const key = await newApiKey(t, c);
    await t.http.put('/v1/protocols/body').set(key).send(body()).expect(403);
    await t.http.get('/v1/protocols').set(key).expect(200);
    await t.http.get('/v1/protocols').expect(401);

    const other = await newClinic(t);
    const theirs = (await t.http.put('/v1/protocols/body').set(other.admin.auth).send(body()).expect(200)).body;
    await t.http.get(`/v1/protocols/${theirs.id}`).set(c.admin.auth).expect(404);
    await t.http.get(`/v1/protocols/00000000-0000-4000-8000-000000000000`).set(c.admin.auth).expect(404);
    await t.http.get(`/v1/protocols/keys/nothing-here/versions`).set(c.admin.auth).expect(404);
  });

  it('records technique and formula, returns them and names them (not their values) in the audit data', async () => {
    const p = await newPatient(t, c);
    const tr = await newTreatment(t, c, p.id, { technique: 'injector_gun', formula: 'PPC 250 mg + DCA 2.5 ml' });
    const got = (await t.http.get(`/v1/treatments/${tr.id}`).set(c.practitioner.auth).expect(200)).body;
    expect(got).toMatchObject({ technique: 'injector_gun', formula: 'PPC 250 mg + DCA 2.5 ml' });
    const [event] = (await t.http.get(`/v1/audit-events?action=treatment.created&entityId=${tr.id}`).set(c.compliance.auth).expect(200)).body.items;
    expect(event.data.recordedFields).toEqual(expect.arrayContaining(['technique', 'formula']));
    expect(JSON.stringify(event.data)).not.toContain('PPC 250');

    for (const [bad, message] of [
      [{ technique: 'laser' }, 'technique must be one of: manual, injector_gun'],
      [{ formula: 'x'.repeat(501) }, 'formula must be at most 500 characters'],
      [{ formula: '' }, 'formula must not be empty'],
      [{ protocolKey: 'Not A Key' }, 'protocolKey must be lowercase letters, digits or dashes, starting with a letter'],
    ] as const) {
      const res = await t.http
        .post('/v1/treatments')
        .set(c.practitioner.auth)
        .send({ patientId: p.id, procedure: 'm', indication: 'cellulite', bodyAreas: ['thighs'], product: 'X', performedAt: t.clock.now().toISOString(), ...bad })
        .expect(400);
      expect([res.body.message].flat()).toContain(message);
    }
  });
});
