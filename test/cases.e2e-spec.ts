import http from 'node:http';
import { AddressInfo } from 'node:net';
import { EscalationService } from '../src/flags/escalation.service';
import { FlagsService } from '../src/flags/flags.service';
import { FlagChangesService } from '../src/triage/flag-changes.service';
import { createTestApp, TestApp } from './support/app';
import { linkIn, newClinic, newPatient, newTreatment, NO_WARNING_SIGNS, TestClinic } from './support/factories';

const MINUTE = 60_000;
const CLEAN = { bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', free_text: '' };

interface CaseItem {
  id: string;
  status: string;
  priority: string;
  patient: { id: string; name: string; ageBand: string | null };
  treatment: { id: string; procedure: string; product: string; performedAt: string; day: number } | null;
  rules: string[];
  flags: Array<{ flagId: string; ruleId: string; rule: string; priority: string; status: string; reason: string }>;
  evidence: Array<{ at: string; flagId: string }>;
  waitingSince: string;
  assignee: { id: string; name: string } | null;
}

/** Cases (one per patient and course), the queue, case actions, live flag changes and finding a patient. */
describe('triage cases', () => {
  let t: TestApp;
  let escalation: EscalationService;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ start: '2026-03-02T08:00:00Z' });
    escalation = t.get(EscalationService);
    const server = t.app.getHttpServer() as http.Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    await t.get(FlagChangesService).ready();
  });
  afterAll(() => t.close());

  const queue = async (c: TestClinic, query = '', who = c.practitioner.auth) => (await t.http.get(`/v1/cases${query}`).set(who).expect(200)).body as { items: CaseItem[]; total: number; counts: Record<string, number> };
  const mark = () => ({ sms: t.twilioApi.requests.length, mail: t.smtp.received.length });

  async function dispatchAndAnswer(email: string, form: Record<string, string>) {
    await t.dispatcher.tick();
    const mails = t.smtp.to(email);
    await t.http.post(linkIn(mails[mails.length - 1].parsed.text!)).type('form').send({ ...NO_WARNING_SIGNS, ...form }).expect(200);
  }

  describe('a late onset raising three flags', () => {
    let c: TestClinic;
    let caseId: string;
    let flagIds: string[];
    let practitionerPhone: string;

    it('is one case in the queue, with every rule, the patient and the day since treatment; staff paged once', async () => {
      t.clock.set('2026-03-02T08:00:00Z');
      c = await newClinic(t);
      practitionerPhone = (await t.http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items.find((s: { id: string }) => s.id === c.practitioner.id).phone;
      const p = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Lucía', familyName: 'Ortega', birthYear: 1990 });
      const tr = await newTreatment(t, c, p.id);
      const steps = tr.checkIns as unknown as Array<{ dayOffset: number; dueAt: string }>;
      for (const day of [7, 14]) {
        t.clock.set(steps.find((s) => s.dayOffset === day)!.dueAt);
        await dispatchAndAnswer(p.email!, CLEAN);
      }
      t.clock.set(steps.find((s) => s.dayOffset === 30)!.dueAt);
      const before = mark();
      await dispatchAndAnswer(p.email!, { ...CLEAN, redness: '2', pain: '2', ws_new_lump: 'yes' });

      const flags = (await t.http.get('/v1/flags?limit=50').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; ruleId: string; priority: string }>;
      expect(flags.map((f) => `${f.ruleId}:${f.priority}`).sort()).toEqual(['late-onset:high', 'warning-sign:urgent', 'worsening:normal']);

      const q = await queue(c);
      expect(q.total).toBe(1);
      expect(q.counts).toEqual({ urgent: 1, high: 0, normal: 0, low: 0 });
      const item = q.items[0];
      caseId = item.id;
      flagIds = item.flags.map((f) => f.flagId);
      expect(caseId).toBe(flags.find((f) => f.ruleId === 'warning-sign')!.id);
      expect(item).toMatchObject({
        status: 'open',
        priority: 'urgent',
        patient: { id: p.id, name: 'Lucía Ortega', ageBand: '30–39' },
        treatment: { id: tr.id, day: 30 },
        rules: ['Warning sign', 'Late onset', 'Worsening'],
        assignee: null,
      });
      expect(item.flags.map((f) => f.priority)).toEqual(['urgent', 'high', 'normal']);
      expect(item.evidence).toHaveLength(3);

      // One page: one SMS and one email to the practitioner, not three.
      expect(t.twilioApi.requests.slice(before.sms).filter((r) => r.params.To === practitionerPhone)).toHaveLength(1);
      expect(t.smtp.received.slice(before.mail).filter((m) => m.envelopeTo.includes(c.practitioner.email))).toHaveLength(1);
    });

    it('escalates once for the case: the urgent flag at 31 minutes, not the high one hours later', async () => {
      const before = mark();
      t.clock.advance(31 * MINUTE);
      await escalation.tick();
      t.clock.advance(2 * 24 * 60 * MINUTE);
      await escalation.tick();
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM flag_events WHERE kind = 'escalated' AND flag_id = ANY($1::uuid[])`, [flagIds]);
      expect(n).toBe(1);
      expect(t.twilioApi.requests.slice(before.sms).filter((r) => r.params.To === practitionerPhone && /^ESCALATED/.test(r.params.Body))).toHaveLength(1);
    });

    it('another clinic gets 404 for the case', async () => {
      const other = await newClinic(t);
      await t.http.get(`/v1/cases/${caseId}`).set(other.practitioner.auth).expect(404);
      await t.http.post(`/v1/cases/${caseId}/resolve`).set(other.practitioner.auth).send({ outcome: 'advice_given', note: 'x' }).expect(404);
      expect((await queue(other)).total).toBe(0);
    });

    it('is resolved in one step: three flags resolved, three audit events with the practitioner as actor', async () => {
      const res = await t.http.post(`/v1/cases/${caseId}/resolve`).set(c.practitioner.auth).send({ outcome: 'seen_in_clinic', note: 'Seen; lump drained and cultured' }).expect(200);
      expect(res.body.flagIds.sort()).toEqual([...flagIds].sort());
      expect(res.body.case).toMatchObject({ id: caseId, status: 'resolved' });
      expect(res.body.case.flags.every((f: { status: string }) => f.status === 'resolved')).toBe(true);
      const events = await t.db.query(`SELECT entity_id, actor_type, actor_id FROM audit_events WHERE action = 'flag.resolved' AND entity_id = ANY($1::text[])`, [flagIds]);
      expect(events).toHaveLength(3);
      for (const e of events) expect(e).toMatchObject({ actor_type: 'staff', actor_id: c.practitioner.id });
      expect((await queue(c)).total).toBe(0);
    });

    it('409 saying who resolved it and when, when nothing is left to act on', async () => {
      const again = await t.http.post(`/v1/cases/${caseId}/resolve`).set(c.practitioner.auth).send({ outcome: 'advice_given', note: 'again' }).expect(409);
      expect(again.body.message).toMatch(/^This case was already resolved by A practitioner (at|on) .*\d\d:\d\d/);
      await t.http.post(`/v1/cases/${caseId}/acknowledge`).set(c.practitioner.auth).send({}).expect(409);
      await t.http.post(`/v1/cases/${caseId}/assign`).set(c.practitioner.auth).send({ staffId: null }).expect(409);
      const detail = (await t.http.get(`/v1/cases/${caseId}`).set(c.practitioner.auth).expect(200)).body;
      expect(detail.flagIds).toHaveLength(3);
      expect(detail.flags[0].history.map((e: { kind: string }) => e.kind)).toContain('resolved');
    });
  });

  describe('the queue', () => {
    let c: TestClinic;
    const ids: Record<string, string> = {};

    /** A flag raised through the flags service for a new patient and treatment. */
    async function raise(kind: 'unreadable' | 'lost', at: string): Promise<string> {
      t.clock.set(at);
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      const tr = await newTreatment(t, c, p.id);
      const flags = t.get(FlagsService);
      const flag = await t.db.transaction((m) =>
        kind === 'lost'
          ? flags.raiseLostToFollowUp(m, { clinicId: c.clinic.id, patientId: p.id, treatmentId: tr.id, checkInIds: [], steps: [1, 3] })
          : flags.raiseUnreadable(m, { clinicId: c.clinic.id, patientId: p.id, treatmentId: tr.id, messageId: null as unknown as string, reason: 'Unreadable reply: "??"' }),
      );
      return flag!.id;
    }

    async function answered(form: Record<string, string>, at: string): Promise<string> {
      t.clock.set('2026-03-02T08:00:00Z');
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      await newTreatment(t, c, p.id);
      t.clock.set(at);
      await dispatchAndAnswer(p.email!, { ...CLEAN, ...form });
      return (await queue(c)).items.find((i) => i.patient.id === p.id)!.id;
    }

    beforeAll(async () => {
      c = await newClinic(t);
      ids.lowOld = await raise('lost', '2026-03-03T07:00:00Z');
      ids.normal = await raise('unreadable', '2026-03-03T07:30:00Z');
      ids.urgentOld = await answered({ ws_fever: 'yes' }, '2026-03-03T09:00:00Z');
      ids.high = await answered({ pain: '4' }, '2026-03-03T09:10:00Z');
      ids.urgentNew = await answered({ ws_hives: 'yes' }, '2026-03-03T09:20:00Z');
    });

    it('lists urgent first, then high, normal, low; oldest first within a priority; counts per priority', async () => {
      const q = await queue(c);
      expect(q.items.map((i) => i.id)).toEqual([ids.urgentOld, ids.urgentNew, ids.high, ids.normal, ids.lowOld]);
      expect(q.counts).toEqual({ urgent: 2, high: 1, normal: 1, low: 1 });
      const page = await queue(c, '?limit=2&offset=1');
      expect(page.items.map((i) => i.id)).toEqual([ids.urgentNew, ids.high]);
      expect(page.total).toBe(5);
    });

    it('pages stay right and stay in the clinic when the prepared statement switches to its cached (generic) plan', async () => {
      // PostgreSQL plans a prepared statement for its values five times, then may keep one plan
      // for every value: read well past that, on one clinic and another, every page each time.
      const other = await newClinic(t);
      for (let round = 0; round < 8; round++) {
        const pages = [await queue(c, '?limit=2&offset=0'), await queue(c, '?limit=2&offset=2'), await queue(c, '?limit=2&offset=4')];
        expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([ids.urgentOld, ids.urgentNew, ids.high, ids.normal, ids.lowOld]);
        expect(pages.map((p) => p.total)).toEqual([5, 5, 5]);
        expect(await queue(other, '?limit=2&offset=0')).toMatchObject({ items: [], total: 0, counts: { urgent: 0, high: 0, normal: 0, low: 0 } });
      }
    });

    it('filters by priority, rule, status and assignee', async () => {
      expect((await queue(c, '?priority=high')).items.map((i) => i.id)).toEqual([ids.high]);
      expect((await queue(c, '?rule=lost-to-follow-up')).items.map((i) => i.id)).toEqual([ids.lowOld]);
      const assigned = await t.http.post(`/v1/cases/${ids.high}/assign`).set(c.practitioner.auth).send({ staffId: c.practitioner.id }).expect(200);
      expect(assigned.body.case.assignee).toEqual({ id: c.practitioner.id, name: 'A practitioner' });
      expect((await queue(c, '?assignee=me')).items.map((i) => i.id)).toEqual([ids.high]);
      expect((await queue(c, `?assignee=${c.practitioner.id}`)).items.map((i) => i.id)).toEqual([ids.high]);
      expect((await queue(c, '?assignee=none')).items.map((i) => i.id)).not.toContain(ids.high);
      await t.http.post(`/v1/cases/${ids.high}/assign`).set(c.practitioner.auth).send({ staffId: c.practitioner.id }).expect(409);
      const ack = await t.http.post(`/v1/cases/${ids.normal}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);
      expect(ack.body.case).toMatchObject({ status: 'acknowledged', assignee: { id: c.practitioner.id } });
      expect((await queue(c, '?status=acknowledged')).items.map((i) => i.id)).toEqual([ids.normal]);
      expect((await queue(c, '?status=open')).counts).toEqual({ urgent: 2, high: 1, normal: 0, low: 1 });
      const again = await t.http.post(`/v1/cases/${ids.normal}/acknowledge`).set(c.practitioner.auth).send({}).expect(409);
      expect(again.body.message).toMatch(/^This case was already acknowledged by A practitioner/);
    });

    it('refuses bad filters with a message', async () => {
      for (const [query, message] of [
        ['?limit=500', 'limit'],
        ['?assignee=bob', 'assignee must be "me", "none" or a staff id (UUID)'],
        ['?status=resolved', 'status must be open or acknowledged'],
        ['?priority=asap', 'priority must be one of'],
      ]) {
        const res = await t.http.get(`/v1/cases${query}`).set(c.practitioner.auth).expect(400);
        expect([res.body.message].flat().join(" ")).toContain(message);
      }
      await t.http.post(`/v1/cases/${ids.high}/assign`).set(c.practitioner.auth).send({ staffId: 'nobody' }).expect(400);
      await t.http.post(`/v1/cases/${ids.high}/resolve`).set(c.practitioner.auth).send({ outcome: 'shrug', note: 'x' }).expect(400);
      await t.http.post(`/v1/cases/${ids.high}/resolve`).set(c.compliance.auth).send({ outcome: 'advice_given', note: 'x' }).expect(403);
    });
  });

  describe('live flag changes (Server-Sent Events)', () => {
    /** A real HTTP client reading the stream; collects `data:` lines. */
    function listen(token: string): Promise<{ events: Array<Record<string, unknown>>; raw: string[]; close: () => void }> {
      return new Promise((resolve, reject) => {
        const events: Array<Record<string, unknown>> = [];
        const raw: string[] = [];
        const req = http.get({ host: '127.0.0.1', port, path: '/v1/events', headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            buf += chunk;
            let i: number;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              raw.push(block);
              const data = block.split('\n').find((l) => l.startsWith('data: '));
              if (data) events.push(JSON.parse(data.slice(6)));
            }
          });
          resolve({ events, raw, close: () => req.destroy() });
        });
        req.on('error', () => undefined);
      });
    }

    const waitFor = async (cond: () => boolean, ms = 3000) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    };

    it("delivers a raised flag's change to a client of the same clinic, not to another clinic's", async () => {
      const c = await newClinic(t);
      const other = await newClinic(t);
      const mine = await listen(c.practitioner.token);
      const theirs = await listen(other.practitioner.token);
      await t.http.get('/v1/events').set({}).expect(401);

      t.clock.set('2026-03-02T08:00:00Z');
      const p = await newPatient(t, c, { preferredChannel: 'email' });
      await newTreatment(t, c, p.id);
      t.clock.set('2026-03-03T09:00:00Z');
      await dispatchAndAnswer(p.email!, { ...CLEAN, ws_fever: 'yes' });
      await waitFor(() => mine.events.length > 0);
      const flagId = (await queue(c)).items[0].flags[0].flagId;
      expect(mine.events).toEqual([{ type: 'flag', flagId, caseId: flagId, change: 'raised', status: 'open', priority: 'urgent' }]);
      expect(mine.raw.some((b) => b.startsWith('id: 1\nevent: flag\n'))).toBe(true);

      await t.http.post(`/v1/cases/${flagId}/acknowledge`).set(c.practitioner.auth).send({}).expect(200);
      await waitFor(() => mine.events.length > 1);
      expect(mine.events[1]).toMatchObject({ flagId, change: 'acknowledged', status: 'acknowledged' });

      await new Promise((r) => setTimeout(r, 200));
      expect(theirs.events).toEqual([]);
      mine.close();
      theirs.close();
    });
  });

  describe('finding a patient', () => {
    it('by name, phone (national or E.164), email and external reference, in the own clinic only; audited as a read', async () => {
      const c = await newClinic(t);
      const other = await newClinic(t);
      const p = await newPatient(t, c, { givenName: 'Mercedes', familyName: 'Villalobos-Quiroga', externalRef: 'EHR-77812' });
      await newPatient(t, c, { givenName: 'Someone', familyName: 'Else' });
      const search = async (q: string, who = c.practitioner.auth) =>
        (await t.http.get(`/v1/patients?q=${encodeURIComponent(q)}`).set(who).expect(200)).body as { items: Array<{ id: string }>; total: number };

      for (const q of ['villalobos', 'MERCEDES', p.email!.toUpperCase(), 'ehr-778', p.phone!, p.phone!.replace('+34', '').replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3')]) {
        const res = await search(q);
        expect({ q, ids: res.items.map((i) => i.id) }).toEqual({ q, ids: [p.id] });
      }
      expect((await search('nobody-by-this-name')).total).toBe(0);
      expect((await search('villalobos', other.practitioner.auth)).total).toBe(0);
      expect((await search('%')).total).toBe(0);
      const all = (await t.http.get('/v1/patients?limit=1').set(c.practitioner.auth).expect(200)).body;
      expect(all).toMatchObject({ total: 2, limit: 1, offset: 0 });
      await t.http.get('/v1/patients?limit=201').set(c.practitioner.auth).expect(400);

      const events = await t.db.query(`SELECT actor_id, data FROM audit_events WHERE clinic_id = $1 AND action = 'patient.searched' ORDER BY seq`, [c.clinic.id]);
      expect(events.length).toBeGreaterThanOrEqual(8);
      expect(events[0]).toMatchObject({ actor_id: c.practitioner.id, data: { patientIds: [p.id], total: 1, hasQuery: true } });
    });

    it('birthYear is validated', async () => {
      const c = await newClinic(t);
      const res = await t.http.post('/v1/patients').set(c.practitioner.auth).send({ givenName: 'A', familyName: 'B', email: 'a.b@example.test', birthYear: 1850 }).expect(400);
      expect([res.body.message].flat().join(' ')).toContain('birthYear must be 1900 or later');
    });
  });
});
