import type { Response as HttpResponse } from 'supertest';
import type { TestApp } from './app';
import { linkIn, newPatient, newTreatment, NO_WARNING_SIGNS, type TestClinic } from './factories';

/** What the bad-input tests share: the exact error body, "nothing stored", and a raised flag. */

export const ERROR_NAME: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
};

/** The JSON error body, with `message` (a string or the validator's list) containing `expected`. */
export function expectError(res: HttpResponse, status: number, expected: string | RegExp): void {
  if (res.status !== status) throw new Error(`Expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual({ statusCode: status, error: ERROR_NAME[status], message: expect.anything() });
  const messages = [res.body.message].flat();
  expect(messages).toEqual(
    expect.arrayContaining([typeof expected === 'string' ? expect.stringContaining(expected) : expect.stringMatching(expected)]),
  );
}

export const CLINIC_TABLES = ['patients', 'treatments', 'check_ins', 'responses', 'messages', 'flags', 'api_keys', 'staff_users', 'audit_events'] as const;

/** Row counts of every clinic-owned table for one clinic: "nothing stored" means this does not move. */
export async function rowsOf(t: TestApp, c: TestClinic): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of CLINIC_TABLES) {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE clinic_id = $1`, [c.clinic.id]);
    out[table] = n;
  }
  const [{ n }] = await t.db.query(
    `SELECT count(*)::int AS n FROM check_in_tokens k JOIN check_ins ci ON ci.id = k.check_in_id WHERE ci.clinic_id = $1`,
    [c.clinic.id],
  );
  out.check_in_tokens = n;
  return out;
}

export type Treatment = Awaited<ReturnType<typeof newTreatment>>;

/** Moves the clock forward, never back (test access tokens outlive any move). */
export function moveClock(t: TestApp, to: Date): void {
  if (to.getTime() > t.clock.now().getTime()) t.clock.set(to);
}

/** Moves the clock to the treatment's first check-in, dispatches, and returns the form link emailed to `email`. */
export async function firstEmailLink(t: TestApp, treatment: Treatment, email: string): Promise<string> {
  moveClock(t, new Date(treatment.checkIns[0].dueAt));
  await t.dispatcher.tick();
  const mail = t.smtp.to(email).find((m) => m.parsed.subject?.includes('one day after your treatment'));
  if (!mail) throw new Error(`No check-in email reached ${email}`);
  return linkIn(mail.parsed.text!);
}

export const FULL_FORM = { bruising: '1', redness: '0', itching: '0', burning: '0', pain: '1', ...NO_WARNING_SIGNS };

/** A patient reports severe pain by the form: one open `high` flag in the clinic. */
export async function raiseFlag(t: TestApp, c: TestClinic) {
  const patient = await newPatient(t, c, { preferredChannel: 'email' });
  const treatment = await newTreatment(t, c, patient.id);
  const link = await firstEmailLink(t, treatment, patient.email!);
  await t.http.post(link).type('form').send({ ...FULL_FORM, pain: '3' }).expect(200);
  const flags = (await t.http.get('/v1/flags').set(c.practitioner.auth).expect(200)).body.items as Array<{ id: string; patientId: string; status: string }>;
  const flag = flags.find((f) => f.patientId === patient.id);
  if (!flag) throw new Error('No flag was raised');
  return { patient, treatment, flag };
}
