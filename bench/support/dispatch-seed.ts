/**
 * The dispatch bench's data set, written by SQL (generate_series, as the triage seed does): CLINICS
 * clinics in a time zone where it is midday now (inside every clinic's send window), PER_CLINIC
 * patients each with one treatment and its first check-in, due now on email, parked (next attempt
 * in 30 days) until `releaseParked` makes them all due at once.
 */
import { Client } from 'pg';

/** A zone where it is about 13:00 now, so a check-in due now is inside the default 09:00–20:00 send window. */
export function noonZone(): string {
  const offset = Math.max(-12, Math.min(14, 13 - new Date().getUTCHours()));
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export async function seedDueCheckIns(db: Client, clinics: number, perClinic: number): Promise<{ checkIns: number; zone: string }> {
  const zone = noonZone();
  const [{ id: protocolId, key: protocolKey, version: protocolVersion }] = (await db.query(`SELECT id, key, version FROM protocols WHERE clinic_id IS NULL ORDER BY key, version DESC LIMIT 1`)).rows;
  await db.query(`INSERT INTO clinics (name, time_zone) SELECT 'Dispatch clinic ' || g, $2 FROM generate_series(1, $1) g`, [clinics, zone]);
  await db.query(
    `INSERT INTO patients (clinic_id, given_name, family_name, email, preferred_channel, email_consent_at, email_consent_source, created_at, updated_at)
     SELECT c.id, 'Bench', 'Patient ' || g, 'd' || g || '-' || left(c.id::text, 8) || '@example.test', 'email', now() - interval '1 day', 'bench', now(), now()
       FROM clinics c CROSS JOIN generate_series(1, $1) g WHERE c.name LIKE 'Dispatch clinic %'`,
    [perClinic],
  );
  await db.query(
    `INSERT INTO treatments (clinic_id, patient_id, procedure, indication, body_areas, product, performed_at, protocol_id, protocol_version, protocol_key, created_at)
     SELECT p.clinic_id, p.id, 'mesotherapy', 'cellulite', '{thighs}', 'P', now() - interval '1 day', $1, $2, $3, now()
       FROM patients p JOIN clinics c ON c.id = p.clinic_id WHERE c.name LIKE 'Dispatch clinic %'`,
    [protocolId, protocolVersion, protocolKey],
  );
  const r = await db.query(
    `INSERT INTO check_ins (clinic_id, treatment_id, patient_id, step, day_offset, due_at, expires_at, status, channel, next_attempt_at, created_at)
     SELECT t.clinic_id, t.id, t.patient_id, 1, 1, now() - interval '1 minute', now() + interval '2 days', 'scheduled', 'email', now() + interval '30 days', now()
       FROM treatments t JOIN clinics c ON c.id = t.clinic_id WHERE c.name LIKE 'Dispatch clinic %'`,
  );
  await db.query(`VACUUM ANALYZE clinics, patients, treatments, check_ins`);
  return { checkIns: r.rowCount ?? 0, zone };
}

/** Every parked check-in due now, at once; returns how many. */
export async function releaseParked(db: Client): Promise<number> {
  const r = await db.query(`UPDATE check_ins SET next_attempt_at = now() - interval '1 second' WHERE status = 'scheduled' AND next_attempt_at > now() + interval '1 day'`);
  return r.rowCount ?? 0;
}

/** Where the released check-ins stand: counts by status, and the last send's time (the sender's clock). */
export async function dispatchProgress(db: Client): Promise<{ byStatus: Record<string, number>; lastSentAt: Date | null }> {
  const rows = (await db.query(`SELECT status, count(*)::int AS n, max(sent_at) AS last FROM check_ins GROUP BY status`)).rows as Array<{ status: string; n: number; last: Date | null }>;
  return { byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])), lastSentAt: rows.find((r) => r.status === 'sent')?.last ?? null };
}
