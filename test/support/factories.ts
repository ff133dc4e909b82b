import { randomBytes, randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { Clinic } from '../../src/clinics/clinic.entity';
import { ClinicsService } from '../../src/clinics/clinics.service';
import { StaffRole } from '../../src/common/roles';
import { appSuite, type createTestApp, type TestApp } from './app';

/** A valid, unique mobile number (Spanish mobiles are valid for libphonenumber). */
export function newPhone(): string {
  for (;;) {
    const n = `+346${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`;
    if (parsePhoneNumberFromString(n)?.isValid()) return n;
  }
}

let counter = 0;
export function newEmail(prefix = 'p'): string {
  return `${prefix}-${Date.now().toString(36)}-${++counter}-${randomBytes(3).toString('hex')}@example.test`;
}

export interface StaffLogin {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

export interface TestClinic {
  clinic: Clinic;
  smsNumber: string;
  admin: StaffLogin;
  practitioner: StaffLogin;
  compliance: StaffLogin;
}

/** A clinic of its own for each test: the tenant boundary is the test boundary. */
export async function newClinic(t: TestApp, overrides: { timeZone?: string; practitionerPhone?: string | null } = {}): Promise<TestClinic> {
  const clinics = t.get(ClinicsService);
  const password = 'correct-horse-battery-staple';
  const smsNumber = newPhone();
  const { clinic, admin } = await clinics.createClinicWithAdmin({
    name: `Clinic ${randomUUID().slice(0, 6)}`,
    timeZone: overrides.timeZone ?? 'Europe/Madrid',
    adminEmail: newEmail('admin'),
    adminPassword: password,
    phone: '+34911234567',
    smsFrom: smsNumber,
  });
  const login = async (id: string, email: string): Promise<StaffLogin> => {
    const res = await t.http.post('/v1/auth/login').send({ email, password }).expect(200);
    return { id, email, password, token: res.body.accessToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
  };
  const adminLogin = await login(admin.id, admin.email);
  const staff = async (role: StaffRole, phone?: string | null) => {
    const email = newEmail(role);
    const res = await t.http
      .post('/v1/staff')
      .set(adminLogin.auth)
      .send({ email, name: `A ${role}`, role, password, ...(phone ? { phone } : {}) })
      .expect(201);
    return login(res.body.id, email);
  };
  return {
    clinic,
    smsNumber,
    admin: adminLogin,
    practitioner: await staff('practitioner', overrides.practitionerPhone === undefined ? newPhone() : overrides.practitionerPhone),
    compliance: await staff('compliance'),
  };
}

export async function newApiKey(t: TestApp, c: TestClinic, name = `integration-${randomUUID().slice(0, 6)}`) {
  const res = await t.http.post('/v1/api-keys').set(c.admin.auth).send({ name }).expect(201);
  return { 'X-API-Key': res.body.key as string };
}

/** A valid POST /v1/patients body: reachable by SMS and email, both consented, in Madrid. */
export function patientBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    givenName: 'Ana',
    familyName: 'Ruiz',
    email: newEmail(),
    phone: newPhone(),
    timeZone: 'Europe/Madrid',
    preferredChannel: 'sms',
    smsConsent: true,
    emailConsent: true,
    ...overrides,
  };
}

export async function newPatient(t: TestApp, c: TestClinic, overrides: Record<string, unknown> = {}) {
  const res = await t.http.post('/v1/patients').set(c.practitioner.auth).send(patientBody(overrides)).expect(201);
  return res.body as { id: string; email: string | null; phone: string | null; [k: string]: unknown };
}

/** A treatment's body as the API takes it (no lot number), performed now on the service's clock. */
export function treatmentBody(t: TestApp, c: TestClinic, patientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    patientId,
    practitionerId: c.practitioner.id,
    procedure: 'mesotherapy',
    indication: 'cellulite',
    bodyAreas: ['thighs'],
    product: 'Lipolytic cocktail A',
    performedAt: t.clock.now().toISOString(),
    ...overrides,
  };
}

export async function newTreatment(t: TestApp, c: TestClinic, patientId: string, overrides: Record<string, unknown> = {}) {
  const res = await t.http
    .post('/v1/treatments')
    .set(c.practitioner.auth)
    // Tests count check-in messages; the instructions message has its own test.
    .send(treatmentBody(t, c, patientId, { lotNumber: 'L2309A', sendInstructions: false, ...overrides }));
  if (res.status !== 201) throw new Error(`newTreatment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; checkIns: Array<{ id: string; step: number; dayOffset: number; dueAt: string; status: string; treatmentId: string; treatmentIds: string[] }> };
}

/**
 * A patient reached by email, treated now, and the clock moved to their first check-in, which
 * is sent: `text` is that email's text (its form link at the service's PUBLIC_BASE_URL).
 */
export async function emailedCheckIn(t: TestApp, c: TestClinic) {
  const patient = await newPatient(t, c, { preferredChannel: 'email' });
  const treatment = await newTreatment(t, c, patient.id);
  t.clock.set(treatment.checkIns[0].dueAt);
  await t.dispatcher.tick();
  return { patient, treatment, text: t.smtp.to(patient.email!)[0].parsed.text! };
}

/** How many rows `SELECT count(*) FROM <from>` finds: `from` is a table and its WHERE, with `$n` params. */
export async function countRows(t: TestApp, from: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = (await t.db.query(`SELECT count(*)::int AS n FROM ${from}`, params)) as Array<{ n: number }>;
  return n;
}

/** A Twilio message id, new each time. */
export const newMessageSid = () => 'SM' + randomBytes(16).toString('hex');

/** The patient's SMS `body` from `from` to the clinic's number, through Twilio's signed webhook (expects 200). */
export function replyBySms(t: TestApp, c: TestClinic, from: string, body: string) {
  return t.twilioWebhook('/webhooks/twilio/sms', { MessageSid: newMessageSid(), From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) }).expect(200);
}

/** The form link in a message body. */
export function linkIn(text: string): string {
  const m = /https:\/\/aftercare\.test(\/c\/[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`No check-in link in: ${text}`);
  return m[1];
}

export const NO_WARNING_SIGNS = {
  ws_fever: 'no',
  ws_discharge: 'no',
  ws_spreading_redness: 'no',
  ws_new_lump: 'no',
  ws_skin_change: 'no',
  ws_airway_swelling: 'no',
  ws_hives: 'no',
};

/**
 * A clinic of its own, a patient treated on Monday 2 March 2026 at 09:00 Madrid, and the clock
 * moved to the first check-in (Tuesday 10:00 Madrid).
 */
export async function treatedYesterday(t: TestApp, patient: Record<string, unknown> = {}) {
  t.clock.set('2026-03-02T08:00:00Z');
  const c = await newClinic(t);
  const p = await newPatient(t, c, patient);
  const tr = await newTreatment(t, c, p.id);
  t.clock.set('2026-03-03T09:00:00Z');
  return { c, p, tr };
}

/**
 * For a describe block: the service (createTestApp with `opts`) and one clinic in it, made in
 * beforeAll and closed in afterAll. Read `suite.t` and `suite.c` from a test or a later beforeAll.
 */
export function appWithClinic(opts: Parameters<typeof createTestApp>[0] = {}) {
  const app = appSuite(opts);
  const suite = { t: undefined as unknown as TestApp, c: undefined as unknown as TestClinic };
  beforeAll(async () => {
    suite.t = app.t;
    suite.c = await newClinic(suite.t);
  });
  return suite;
}
