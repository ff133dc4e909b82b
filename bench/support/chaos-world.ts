/** The chaos run's world outside the instances: the fake Twilio and SMTP sink that count sends, the seeded check-ins, and the figures of a scenario. */
import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Client } from 'pg';
import { ClinicsService } from '../../src/clinics/clinics.service';
import { CoursesService } from '../../src/courses/courses.service';
import { PatientsService } from '../../src/patients/patients.service';
import { SmtpSink } from '../../test/support/smtp-sink';
import { TwilioApiServer } from '../../test/support/twilio-api';
import { CLINICS, log, N, SCENARIO_TIMEOUT_MS, secs, sleep } from './chaos-common';

/** The run's fakes, and its own connection to the database (replaced after PostgreSQL restarts). */
export const world = {
  twilio: new TwilioApiServer(),
  smtp: new SmtpSink(),
  db: undefined as unknown as Client,
};
const { twilio, smtp } = world;

export interface Seeded {
  checkInId: string;
  clinicId: string;
  phone: string;
  email: string;
}
const byRecipient = new Map<string, string>(); // phone or email -> check-in id

function phone(): string {
  for (;;) {
    const n = `+346${String(randomBytes(4).readUInt32BE() % 1e8).padStart(8, '0')}`;
    if (!byRecipient.has(n) && parsePhoneNumberFromString(n)?.isValid()) return n;
  }
}

/** A fixed-offset zone where it is about 13:00 now, inside the default 09:00–20:00 send window. */
function noonZone(): string {
  const offset = Math.max(-12, Math.min(14, 13 - new Date().getUTCHours()));
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Provider-side sends per check-in: SMS the fake Twilio accepted plus mails the sink received. */
export function deliveries(ids: string[]): { perCheckIn: Map<string, number>; sms: number; email: number } {
  const wanted = new Set(ids);
  const perCheckIn = new Map<string, number>(ids.map((id) => [id, 0]));
  let sms = 0;
  let email = 0;
  for (const r of twilio.requests) {
    const id = byRecipient.get(r.params.To);
    if (id && wanted.has(id)) (perCheckIn.set(id, perCheckIn.get(id)! + 1), sms++);
  }
  for (const m of smtp.received) {
    for (const to of m.envelopeTo) {
      const id = byRecipient.get(to.toLowerCase());
      if (id && wanted.has(id)) (perCheckIn.set(id, perCheckIn.get(id)! + 1), email++);
    }
  }
  return { perCheckIn, sms, email };
}

export async function statuses(ids: string[]): Promise<Record<string, number>> {
  const rows = await world.db.query(`SELECT status, count(*)::int AS n FROM check_ins WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
  return Object.fromEntries(rows.rows.map((r) => [r.status, r.n]));
}

/** Makes the parked check-ins due now (business time: next_attempt_at), and valid for days. */
export async function release(ids: string[]): Promise<void> {
  await world.db.query(`UPDATE check_ins SET next_attempt_at = now(), expires_at = GREATEST(expires_at, now() + interval '3 days') WHERE id = ANY($1::uuid[])`, [ids]);
}

export async function waitSettled(ids: string[], each?: () => Promise<void>): Promise<{ ms: number; statuses: Record<string, number> }> {
  const t0 = Date.now();
  for (;;) {
    await each?.();
    const s = await statuses(ids);
    if (!s.scheduled && !s.sending) return { ms: Date.now() - t0, statuses: s };
    if (Date.now() - t0 > SCENARIO_TIMEOUT_MS) throw new Error(`not settled after ${secs(SCENARIO_TIMEOUT_MS)}: ${JSON.stringify(s)}`);
    await sleep(1000);
  }
}

export function verdict(name: string, ids: string[], settled: { ms: number; statuses: Record<string, number> }, allowedDuplicates = new Set<string>()) {
  const d = deliveries(ids);
  const lost = [...d.perCheckIn].filter(([, n]) => n === 0).map(([id]) => id);
  const twice = [...d.perCheckIn].filter(([, n]) => n > 1).map(([id]) => id);
  const unexplained = twice.filter((id) => !allowedDuplicates.has(id));
  const figures = {
    checkIns: ids.length,
    settledIn: secs(settled.ms),
    statuses: settled.statuses,
    providerSends: { sms: d.sms, email: d.email },
    notSent: lost.length,
    sentMoreThanOnce: twice.length,
    sentMoreThanOnceNotInFlightAtAFault: unexplained.length,
  };
  log(`${name}:`, JSON.stringify(figures));
  if (twice.length) log(`${name}: sent more than once:`, twice.join(', '));
  return { ...figures, lost, twice, unexplained, ok: lost.length === 0 && unexplained.length === 0 && (settled.statuses.sent ?? 0) === ids.length };
}

export async function heldBy(pid: number, ids: string[]): Promise<string[]> {
  const r = await world.db.query(`SELECT id FROM check_ins WHERE status = 'sending' AND lease_owner LIKE $1 AND id = ANY($2::uuid[])`, [`%:${pid}:%`, ids]);
  return r.rows.map((x) => x.id);
}


/**
 * N patients with a treatment each over CLINICS clinics, seeded through the service's own code
 * (`app`); their check-ins parked until a scenario releases them. `t0`: when seeding began.
 */
export async function seedParkedCheckIns(app: INestApplicationContext, t0: number): Promise<{ clinicIds: string[]; seeded: Seeded[] }> {
  const clinics = app.get(ClinicsService);
  const patients = app.get(PatientsService);
  const treatments = app.get(CoursesService);
  const actor = { type: 'integration' as const, id: 'chaos' };
  const zone = noonZone();
  const clinicIds: string[] = [];
  for (let c = 0; c < CLINICS; c++) {
    const { clinic } = await clinics.createClinicWithAdmin({ name: `Chaos clinic ${c + 1}`, timeZone: zone, adminEmail: `admin${c + 1}@chaos-admin.test`, adminPassword: randomBytes(12).toString('hex') });
    clinicIds.push(clinic.id);
  }
  const treatmentOf = new Map<string, { phone: string; email: string; clinicId: string }>();
  let made = 0;
  const performedAt = new Date(Date.now() - 60_000).toISOString();
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (made < N) {
        const k = made++;
        const clinicId = clinicIds[k % CLINICS];
        const p = { phone: phone(), email: `p${k}-${randomBytes(3).toString('hex')}@chaos.test` };
        byRecipient.set(p.phone, '');
        const patient = await patients.create(clinicId, actor, {
          givenName: 'Chaos',
          familyName: `Patient ${k}`,
          phone: p.phone,
          email: p.email,
          preferredChannel: k % 2 === 0 ? 'sms' : 'email',
          smsConsent: true,
          emailConsent: true,
        } as never);
        const tr = await treatments.create(clinicId, actor, {
          patientId: patient.id,
          procedure: 'mesotherapy',
          indication: 'skin rejuvenation',
          bodyAreas: ['face'],
          product: 'HA cocktail',
          performedAt,
          sendInstructions: false,
        } as never);
        treatmentOf.set(tr.id, { ...p, clinicId });
        if (made % 500 === 0) log(`seeded ${made}/${N}`);
      }
    }),
  );
  await world.db.query(`UPDATE check_ins SET next_attempt_at = now() + interval '30 days' WHERE status = 'scheduled'`);
  const firsts = await world.db.query(`SELECT DISTINCT ON (treatment_id) id, treatment_id FROM check_ins ORDER BY treatment_id, due_at`);
  const seeded: Seeded[] = [];
  for (const r of firsts.rows) {
    const t = treatmentOf.get(r.treatment_id);
    if (!t) continue;
    seeded.push({ checkInId: r.id, ...t });
    byRecipient.set(t.phone, r.id);
    byRecipient.set(t.email.toLowerCase(), r.id);
  }
  log(`seeded ${seeded.length} check-ins (one per treatment) over ${CLINICS} clinics in ${secs(Date.now() - t0)}; zone ${zone}`);
  return { clinicIds, seeded };
}
