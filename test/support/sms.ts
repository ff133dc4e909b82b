import { randomBytes } from 'node:crypto';
import { appSuite, type TestApp } from './app';
import { newMessageSid, newPatient, newTreatment, TestClinic } from './factories';
import type { TwilioMessageRequest } from './twilio-api';

/** What the SMS e2e files share: a patient treated and texted, their replies, and what the API then shows. */

export type Patient = Awaited<ReturnType<typeof newPatient>>;
export type Treatment = Awaited<ReturnType<typeof newTreatment>>;
export type CheckInRow = { id: string; step: number; status: string; channel: string | null; dueAt: string };

export const newSid = newMessageSid;
export const newMessagingServiceSid = () => 'MG' + randomBytes(16).toString('hex');
export const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** The helpers, bound to the suite's service (read when called: `suite()` is set in beforeAll). */
export function smsHelpers(suite: () => TestApp) {
  /** A patient (SMS first, email consented too) with a treatment done now. */
  async function treated(c: TestClinic, overrides: Record<string, unknown> = {}) {
    const t = suite();
    const patient = await newPatient(t, c, { preferredChannel: 'sms', ...overrides });
    const treatment = await newTreatment(t, c, patient.id);
    return { patient, treatment };
  }

  /** Moves the clock to the given step's due time (never back) and runs the dispatcher. */
  async function dispatchStep(treatment: Treatment, step = 1) {
    const t = suite();
    const due = new Date(treatment.checkIns[step - 1].dueAt);
    if (t.clock.now() < due) t.clock.set(due);
    return t.dispatcher.tick();
  }

  /** The one check-in SMS of this treatment's first step that reached the local Twilio API. */
  function checkInSms(patient: Patient, c: TestClinic): TwilioMessageRequest {
    const sms = suite()
      .twilioApi.to(patient.phone!)
      .filter((r) => r.params.From === c.smsNumber && r.params.Body.includes('Reply with 5 numbers'));
    expect(sms).toHaveLength(1);
    return sms[0];
  }

  function reply(c: TestClinic, from: string, body: string, sid = newSid()) {
    return suite().twilioWebhook('/webhooks/twilio/sms', { MessageSid: sid, From: from, To: c.smsNumber, Body: body, AccountSid: 'AC' + '0'.repeat(32) });
  }

  const responsesOf = async (c: TestClinic, patientId: string) =>
    (await suite().http.get(`/v1/patients/${patientId}/responses`).set(c.practitioner.auth).expect(200)).body.items as Array<Record<string, unknown>>;
  const checkInsOf = async (c: TestClinic, treatmentId: string) =>
    (await suite().http.get(`/v1/treatments/${treatmentId}/check-ins`).set(c.practitioner.auth).expect(200)).body.items as CheckInRow[];
  const flagsOf = async (c: TestClinic, patientId: string) =>
    ((await suite().http.get('/v1/flags?limit=200').set(c.practitioner.auth).expect(200)).body.items as Array<Record<string, unknown>>).filter(
      (f) => f.patientId === patientId,
    );
  const auditOf = async (c: TestClinic, entityId: string, action: string) =>
    (await suite().http.get(`/v1/audit-events?limit=200&action=${action}&entityId=${entityId}`).set(c.compliance.auth).expect(200)).body.items as Array<{
      action: string;
      actorType: string;
      data: Record<string, unknown>;
    }>;
  const count = async (sql: string, params: unknown[] = []) => (await suite().db.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n as number;

  return { treated, dispatchStep, checkInSms, reply, responsesOf, checkInsOf, flagsOf, auditOf, count };
}

/** For a describe block: the service (appSuite) from Monday 2 March 2026, 09:00 in Madrid, and the helpers bound to it. */
export function smsSuite() {
  const app = appSuite({ start: '2026-03-02T08:00:00Z' });
  return { app, ...smsHelpers(() => app.t) };
}
