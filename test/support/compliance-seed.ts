import type { TestApp } from './app';
import { eventHash } from '../../src/audit/chain-hash';
import { asOwner } from './owner';
import { newPatient, newTreatment, NO_WARNING_SIGNS, type TestClinic } from './factories';

const MINUTE = 60_000;

/** Answers the newest check-in email of the patient through the form. */
export async function answerByForm(t: TestApp, email: string, fields: Record<string, string>): Promise<void> {
  const mails = t.smtp.to(email);
  if (!mails.length) throw new Error(`answerByForm: no email to ${email}`);
  // The form's path, whatever the service's public address (browser tests listen on their own).
  const path = /https?:\/\/[^\s/]+(\/c\/[A-Za-z0-9_-]+)/.exec(mails[mails.length - 1].parsed.text!)?.[1];
  if (!path) throw new Error(`answerByForm: no check-in link in the email to ${email}`);
  await t.http
    .post(path)
    .type('form')
    .send({ bruising: '0', redness: '0', itching: '0', burning: '0', pain: '0', ...NO_WARNING_SIGNS, free_text: '', ...fields })
    .expect(200);
}

export interface SeededAdverseEvents {
  /** Flag ids: `serious` (LOT-S1, assessed serious and related), `mild` (LOT-M2, unassessed), `march` (a month later, LOT-S1). */
  flags: { serious: string; mild: string; march: string };
  patients: { serious: string; mild: string; march: string };
}

/**
 * Three adverse events in a clinic through the real loop: treatments (two products, two lots),
 * the day-1 check-in by email, answers through the form that the rules flag, one assessed as
 * serious and related by the practitioner. Moves the test clock (from 2026-02-02 to 2026-03-04).
 */
export async function seedAdverseEvents(t: TestApp, c: TestClinic): Promise<SeededAdverseEvents> {
  t.clock.set('2026-02-02T08:00:00Z');
  const serious = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Marta', familyName: 'Serrano' });
  const mild = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Irene', familyName: 'Blanco' });
  await newTreatment(t, c, serious.id, { product: 'Lipolytic cocktail A', lotNumber: 'LOT-S1' });
  await newTreatment(t, c, mild.id, { product: 'Hyaluronic B', lotNumber: 'LOT-M2' });
  t.clock.set('2026-02-03T09:00:00Z');
  await t.dispatcher.tick();
  t.clock.advance(30 * MINUTE);
  await answerByForm(t, serious.email!, { redness: '1', ws_fever: 'yes' });
  t.clock.advance(10 * MINUTE);
  await answerByForm(t, mild.email!, { redness: '3' });

  t.clock.set('2026-03-02T08:00:00Z');
  const march = await newPatient(t, c, { preferredChannel: 'email', givenName: 'Sara', familyName: 'Vidal' });
  await newTreatment(t, c, march.id, { product: 'Lipolytic cocktail A', lotNumber: 'LOT-S1' });
  t.clock.set('2026-03-03T09:00:00Z');
  await t.dispatcher.tick();
  t.clock.advance(20 * MINUTE);
  await answerByForm(t, march.email!, { bruising: '4' });

  const flagOf = async (patientId: string) => {
    const items = (await t.http.get('/v1/adverse-events?limit=200').set(c.compliance.auth).expect(200)).body.items as Array<{ id: string; patientId: string }>;
    const found = items.find((e) => e.patientId === patientId);
    if (!found) throw new Error(`seedAdverseEvents: no adverse event for patient ${patientId}`);
    return found.id;
  };
  const flags = { serious: await flagOf(serious.id), mild: await flagOf(mild.id), march: await flagOf(march.id) };
  t.clock.set('2026-03-04T10:00:00Z');
  await t.http
    .post(`/v1/flags/${flags.serious}/assess`)
    .set(c.practitioner.auth)
    .send({ causality: 'related', seriousness: 'serious', seriousnessCriteria: ['medically_important'], note: 'Fever after injection' })
    .expect(200);
  return { flags, patients: { serious: serious.id, mild: mild.id, march: march.id } };
}

/**
 * Appends `n` filler events to the clinic's chain below the service, correctly chained and with
 * the recorded head moved (as the database owner, under the chain's head lock): a long chain
 * in seconds, for verification's progress.
 */
export async function appendFillerEvents(clinicId: string, n: number, at: Date): Promise<void> {
  await asOwner(async (o) => {
    await o.query('BEGIN');
    const { rows } = await o.query(`SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE chain_id = $1 FOR UPDATE`, [clinicId]);
    let seq = BigInt(rows[0].seq);
    let prev: string = rows[0].hash;
    const batch = 2000;
    for (let done = 0; done < n; done += batch) {
      const cols: unknown[][] = [[], [], [], [], []];
      for (let i = done; i < Math.min(n, done + batch); i++) {
        seq += 1n;
        const row = { clinic_seq: String(seq), occurred_at: at, actor_type: 'system', actor_id: null, action: 'test.filler', entity_type: 'test', entity_id: null, data: { i }, payload_digest: null };
        const hash = eventHash(clinicId, prev, row);
        cols[0].push(String(seq));
        cols[1].push(JSON.stringify(row.data));
        cols[2].push(prev);
        cols[3].push(hash);
        prev = hash;
      }
      await o.query(
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest)
         SELECT $1, s::bigint, $2, 'system', NULL, 'test.filler', 'test', NULL, d::jsonb, p, h, NULL
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS u(s, d, p, h)`,
        [clinicId, at, cols[0], cols[1], cols[2], cols[3]],
      );
    }
    await o.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain_id = $1`, [clinicId, String(seq), prev]);
    await o.query('COMMIT');
  });
}
