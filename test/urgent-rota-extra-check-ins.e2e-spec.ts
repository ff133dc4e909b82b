import { appSuite, type TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, TestClinic } from './support/factories';
import { urgentHelpers } from './support/urgent';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The urgent pathway's tools for staff: the on-call rota API, extra check-ins asked for from a flag, and safety advice in each language. */
describe('urgent pathway: on-call rota, extra check-ins and safety advice', () => {
  const app = appSuite({ start: '2026-03-02T08:00:00Z' });
  let t: TestApp;
  beforeAll(() => {
    t = app.t;
  });

  const { addStaff, treatedAndAsked, answer, onlyFlag, history } = urgentHelpers(() => t);

  describe('the on-call rota API', () => {
    let c: TestClinic;
    let other: TestClinic;
    beforeAll(async () => {
      c = await newClinic(t);
      other = await newClinic(t);
    });
    const put = (shifts: unknown, who = c.admin.auth) => t.http.put('/v1/clinic/on-call').set(who).send({ shifts });
    const shift = (o: Record<string, unknown> = {}) => ({ staffUserId: c.practitioner.id, weekday: 1, start: '20:00', end: '08:00', ...o });

    it('reads and replaces the rota, audited with what changed', async () => {
      const empty = (await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body;
      expect(empty).toEqual({ timeZone: 'Europe/Madrid', shifts: [], now: { staffUserIds: [c.practitioner.id], source: 'practitioners' }, staff: expect.any(Array) });

      t.clock.set('2026-03-02T20:30:00Z'); // Monday 21:30 in Madrid
      const saved = (await put([shift(), shift({ staffUserId: c.admin.id, weekday: 6, start: '00:00', end: '24:00' })]).expect(200)).body;
      expect(saved.shifts).toEqual([shift(), shift({ staffUserId: c.admin.id, weekday: 6, start: '00:00', end: '24:00' })]);
      expect(saved.now).toEqual({ staffUserIds: [c.practitioner.id], source: 'rota' });
      t.clock.set('2026-03-03T06:59:00Z'); // Tuesday 07:59: still Monday's night shift
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.now.source).toBe('rota');
      t.clock.set('2026-03-03T07:00:00Z');
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.now.source).toBe('practitioners');

      await put([]).expect(200);
      const audit = (await t.http.get(`/v1/audit-events?entityId=${c.clinic.id}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string; data: Record<string, unknown> }>;
      const replaced = audit.filter((e) => e.action === 'on_call.replaced');
      expect(replaced).toHaveLength(2);
      expect(replaced[0].data).toMatchObject({ fields: ['shifts'], shiftCount: 2 });
      expect(replaced[1].data).toMatchObject({ fields: ['shifts'], shiftCount: 0 });
      // Saving the same rota again, in any order, changes nothing and records nothing.
      await put([]).expect(200);
      const two = [shift({ weekday: 3 }), shift({ staffUserId: c.admin.id, weekday: 3 })];
      await put(two).expect(200);
      await put([...two].reverse()).expect(200);
      const again = (await t.http.get(`/v1/audit-events?entityId=${c.clinic.id}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
      expect(again.filter((e) => e.action === 'on_call.replaced')).toHaveLength(3);
      await put([]).expect(200);
    });

    it('refuses bad shifts with 400 naming the field, and unknown staff with 404', async () => {
      const message = async (shifts: unknown, status = 400) => JSON.stringify((await put(shifts).expect(status)).body.message);
      expect(await message([shift({ weekday: 8 })])).toContain('weekday must be 1 (Monday) to 7 (Sunday)');
      expect(await message([shift({ weekday: 'monday' })])).toContain('weekday');
      expect(await message([shift({ start: '25:00' })])).toContain('start must be a local time HH:mm');
      expect(await message([shift({ end: '8pm' })])).toContain('end must be a local time HH:mm');
      expect(await message([shift({ start: '08:00', end: '08:00' })])).toContain('start and end must differ');
      expect(await message([shift({ staffUserId: 'nope' })])).toContain('staffUserId must be a UUID');
      expect(await message([{ ...shift(), colour: 'red' }])).toContain('colour should not exist');
      expect(await message('all day')).toContain('shifts must be a list');
      expect(await message(undefined)).toContain('shifts must be a list');
      expect(await message([shift({ staffUserId: c.compliance.id })])).toContain('must be a practitioner or an admin');
      expect(await message([shift({ staffUserId: other.practitioner.id })], 404)).toContain('not found in this clinic');
      expect(await message([shift({ staffUserId: '7d0c7c4e-5d9f-4c1e-9c53-2b1f0f6a1b11' })], 404)).toContain('not found');
      const inactive = await addStaff(c, 'practitioner');
      await t.db.query(`UPDATE staff_users SET active = false WHERE id = $1`, [inactive.id]);
      expect(await message([shift({ staffUserId: inactive.id })])).toContain('is not active');
      // Nothing was written by any of them.
      expect((await t.http.get('/v1/clinic/on-call').set(c.admin.auth).expect(200)).body.shifts).toEqual([]);
    });

    it('is changed by admins only (practitioners read it)', async () => {
      await t.http.get('/v1/clinic/on-call').set(c.practitioner.auth).expect(200);
      await t.http.get('/v1/clinic/on-call').set(c.compliance.auth).expect(403);
      await put([shift()], c.practitioner.auth).expect(403);
      await put([shift()], c.compliance.auth).expect(403);
      await t.http.get('/v1/clinic/on-call').expect(401);
    });
  });

  describe('an extra check-in from a flag', () => {
    let c: TestClinic;
    let p: Awaited<ReturnType<typeof newPatient>>;
    let tr: Awaited<ReturnType<typeof newTreatment>>;
    let flagId: string;

    beforeAll(async () => {
      c = await newClinic(t);
      const asked = await treatedAndAsked(c);
      p = asked.p;
      tr = asked.tr;
      await answer(asked.link, { pain: '3' });
      flagId = (await onlyFlag(c, p.id)).id;
    });
    const request = (body: unknown, who = c.practitioner.auth, id = flagId) => t.http.post(`/v1/flags/${id}/extra-check-in`).set(who).send(body as object);

    it('plans one for tomorrow at the send time, sends it on the day, takes the answer, and keeps it in the history', async () => {
      // Tuesday 3 March, Madrid: tomorrow is day 2 after the treatment, which has no check-in of its own.
      const res = await request({ inDays: 1, note: 'Pain 3 on day 1: check again tomorrow.' }).expect(201);
      expect(res.body).toMatchObject({ flagId, reused: false, checkIn: { status: 'scheduled', dueAt: '2026-03-04T09:00:00.000Z', dayOffset: 2, requestedByFlagId: flagId } });
      const checkInId = res.body.checkIn.id;

      const listed = (await t.http.get(`/v1/treatments/${tr.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; dueAt: string }>;
      expect(listed.filter((x) => x.id === checkInId)).toHaveLength(1);

      const h = await history(c, flagId);
      expect(h.at(-1)).toMatchObject({ kind: 'extra_check_in_requested', data: { checkInId, inDays: 1, reused: false, note: 'Pain 3 on day 1: check again tomorrow.' } });
      const audit = (await t.http.get(`/v1/audit-events?entityId=${flagId}&limit=50`).set(c.compliance.auth).expect(200)).body.items as Array<{ action: string }>;
      expect(audit.map((e) => e.action)).toContain('flag.extra_check_in_requested');
      expect(JSON.stringify(audit)).not.toContain('check again tomorrow');

      t.clock.set('2026-03-04T08:59:00Z');
      expect((await t.dispatcher.tick()).sent).toBe(0);
      t.clock.set('2026-03-04T09:00:00Z');
      const before = t.smtp.to(p.email!).length;
      expect((await t.dispatcher.tick()).sent).toBe(1);
      const mail = t.smtp.to(p.email!).slice(before);
      expect(mail).toHaveLength(1);
      expect(mail[0].parsed.subject).toContain('2 days after your treatment');
      t.clock.advance(HOUR);
      await answer(linkIn(mail[0].parsed.text!), { pain: '2' });
      const after = (await t.http.get(`/v1/treatments/${tr.id}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; status: string }>;
      expect(after.find((x) => x.id === checkInId)?.status).toBe('answered');
    });

    it('reuses the check-in already planned that day instead of asking twice', async () => {
      // Wednesday 4 March + 1 day = Thursday 5 March: the protocol's day-3 check-in.
      const dayThree = tr.checkIns.find((x) => x.dueAt === '2026-03-05T09:00:00.000Z')!;
      const res = await request({ inDays: 1 }).expect(201);
      expect(res.body).toMatchObject({ reused: true, checkIn: { id: dayThree.id } });
      expect((await history(c, flagId)).at(-1)).toMatchObject({ kind: 'extra_check_in_requested', data: { checkInId: dayThree.id, reused: true } });
    });

    it('refuses bad input, compliance, other clinics and resolved flags', async () => {
      for (const body of [{}, { inDays: 0 }, { inDays: 91 }, { inDays: 1.5 }, { inDays: 'two' }, { inDays: 2, extra: true }]) {
        const res = await request(body).expect(400);
        expect(JSON.stringify(res.body.message)).toMatch(/inDays|should not exist/);
      }
      await request({ inDays: 2 }, c.compliance.auth).expect(403);
      const other = await newClinic(t);
      await request({ inDays: 2 }, other.practitioner.auth).expect(404);
      await request({ inDays: 2 }, c.practitioner.auth, '7d0c7c4e-5d9f-4c1e-9c53-2b1f0f6a1b11').expect(404);
      await t.http.post(`/v1/flags/${flagId}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'Settled.' }).expect(200);
      expect((await request({ inDays: 2 }).expect(409)).body.message).toContain('resolved');
    });
  });

  describe.each([
    ['en', 'call emergency services (112 / 999 / 911) now'],
    ['de', 'Notruf 112'],
    ['fr', '(15 ou 112)'],
    ['es', '(112 / 911)'],
  ])('safety advice in %s', (locale, emergency) => {
    it('names emergency services for airway swelling and the clinic phone, by SMS', async () => {
      const c = await newClinic(t);
      const { p, link } = await treatedAndAsked(c, { locale, preferredChannel: 'sms' });
      await answer(link, { ws_airway_swelling: 'yes' });
      const advice = t.twilioApi.to(p.phone!).at(-1)!.params.Body;
      expect(advice).toContain(emergency);
      expect(advice).toContain('+34911234567');
      expect(advice).toContain(c.clinic.name);
    });
  });
});
