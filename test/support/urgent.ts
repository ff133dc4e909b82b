import { linkIn, newEmail, newPatient, newPhone, newTreatment, NO_WARNING_SIGNS, TestClinic } from './factories';
import type { TestApp } from './app';

/** What the urgent-pathway e2e files share: staff to alert, what reached them, a patient asked and answering, the flag and its history. */

export interface Staff {
  id: string;
  email: string;
  phone: string | null;
}

/** The helpers, bound to the suite's service (read when called: `suite()` is set in beforeAll). */
export function urgentHelpers(suite: () => TestApp) {
  async function addStaff(c: TestClinic, role: 'practitioner' | 'admin' | 'compliance', phone: string | null = newPhone()): Promise<Staff> {
    const email = newEmail(role);
    const res = await suite().http
      .post('/v1/staff')
      .set(c.admin.auth)
      .send({ email, name: `Another ${role}`, role, password: 'correct-horse-battery-staple', ...(phone ? { phone } : {}) })
      .expect(201);
    return { id: res.body.id, email, phone };
  }

  async function staffOf(c: TestClinic): Promise<{ practitioner: Staff; admin: Staff; compliance: Staff }> {
    const items = (await suite().http.get('/v1/staff').set(c.admin.auth).expect(200)).body.items as Array<Staff & { role: string }>;
    const find = (id: string) => items.find((s) => s.id === id)!;
    return { practitioner: find(c.practitioner.id), admin: find(c.admin.id), compliance: find(c.compliance.id) };
  }

  /** SMS and emails that reached a staff member since the mark. */
  function received(s: Staff, mark: { sms: number; mail: number }) {
    return {
      sms: s.phone ? suite().twilioApi.requests.slice(mark.sms).filter((r) => r.params.To === s.phone).map((r) => r.params.Body) : [],
      mail: suite().smtp.received.slice(mark.mail).filter((m) => m.envelopeTo.includes(s.email)).map((m) => `${m.parsed.subject} | ${m.parsed.text}`),
    };
  }
  const mark = () => ({ sms: suite().twilioApi.requests.length, mail: suite().smtp.received.length });

  /** A patient treated Monday 2 March 09:00 Madrid, sent the day-1 check-in on Tuesday 10:00 (weekday 2). */
  async function treatedAndAsked(c: TestClinic, patient: Record<string, unknown> = {}) {
    const t = suite();
    t.clock.set('2026-03-02T08:00:00Z');
    const p = await newPatient(t, c, { preferredChannel: 'email', ...patient });
    const tr = await newTreatment(t, c, p.id);
    t.clock.set('2026-03-03T09:00:00Z');
    await t.dispatcher.tick();
    const text = p.preferredChannel === 'sms' ? t.twilioApi.to(p.phone!).at(-1)!.params.Body : t.smtp.to(p.email!).at(-1)!.parsed.text!;
    return { p, tr, link: linkIn(text) };
  }

  async function answer(link: string, body: Record<string, string>) {
    await suite().http
      .post(link)
      .type('form')
      .send({ bruising: '1', redness: '1', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS, free_text: '', ...body })
      .expect(200);
  }

  async function onlyFlag(c: TestClinic, patientId: string) {
    const all = (await suite().http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; priority: string; ruleId: string }>;
    const mine = all.filter((f) => f.patientId === patientId);
    expect(mine).toHaveLength(1);
    return mine[0];
  }

  const escalations = async (c: TestClinic, flagId: string) => (await history(c, flagId)).filter((e) => e.kind === 'escalated').length;
  const history = async (c: TestClinic, flagId: string) =>
    (await suite().http.get(`/v1/flags/${flagId}`).set(c.practitioner.auth).expect(200)).body.history as Array<{ kind: string; data: Record<string, unknown> }>;

  return { addStaff, staffOf, received, mark, treatedAndAsked, answer, onlyFlag, escalations, history };
}
