/**
 * The triage bench's data set: its sizes (BENCH_TRIAGE_* times BENCH_TRIAGE_SCALE) and the seed
 * that writes it by SQL (generate_series, not the API).
 */
import { Client } from 'pg';

export const SCALE = Number(process.env.BENCH_TRIAGE_SCALE ?? 1);
export const CLINICS = Number(process.env.BENCH_TRIAGE_CLINICS ?? 500);
export const ANSWERS = Math.round(Number(process.env.BENCH_TRIAGE_ANSWERS ?? 1_000_000) * SCALE);
export const OPEN = Math.round(Number(process.env.BENCH_TRIAGE_OPEN ?? 50_000) * SCALE);
/** Check-ins (each answered) per treatment, one treatment per patient: patients = answers / 5. */
export const STEPS = 5;
/**
 * The long-course patient: BENCH_TRIAGE_COURSE_SESSIONS weekly sessions (default 10, a full
 * mesotherapy course), each with seven answered check-ins, the message that asked for each and
 * a resolved flag. A real course merges check-ins to one a day (34 for ten sessions in the
 * dispatch bench); this seeds 70, so the timeline is about twice as long as a real one.
 */
export const COURSE_SESSIONS = Number(process.env.BENCH_TRIAGE_COURSE_SESSIONS ?? 10);
export const NOW = '2026-06-01T08:00:00Z';

/** The seed, one clinic busy and the rest filler; every row as the app would have written it, by SQL. */
export async function seed(owner: Client, busy: string, practitionerId: string): Promise<{ coursePatient: string }> {
  const patients = Math.max(OPEN + 1, Math.round(ANSWERS / STEPS));
  const q = async (label: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const r = await owner.query(sql, params);
    console.log(`  seed ${label}: ${r.rowCount ?? ''} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };
  const [{ id: protocolId, key: protocolKey, version: protocolVersion }] = (await owner.query(`SELECT id, key, version FROM protocols WHERE clinic_id IS NULL ORDER BY key, version DESC LIMIT 1`)).rows;
  await q('clinics', `INSERT INTO clinics (name, time_zone) SELECT 'Filler clinic ' || g, 'Europe/Madrid' FROM generate_series(1, $1) g`, [CLINICS - 1]);
  await owner.query(`CREATE TEMP TABLE bench_clinics AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM clinics WHERE name LIKE 'Filler clinic %'`);
  // Patients 1..busyPatients in the busy clinic (the first OPEN have an open case), the rest over the filler clinics.
  const busyPatients = Math.max(OPEN + 1, Math.round(patients / CLINICS));
  await q(
    'patients',
    `INSERT INTO patients (clinic_id, given_name, family_name, email, phone, preferred_channel, email_consent_at, email_consent_source, birth_year, created_at, updated_at)
     SELECT CASE WHEN g <= $2 THEN $3::uuid ELSE (SELECT id FROM bench_clinics WHERE k = g % ($4::int - 1)) END,
            (ARRAY['Lucía','Ana','María','Carmen','Laura','Marta','Elena','Sara','Paula','Julia','Irene','Alba','Clara','Nuria','Eva','Rosa'])[1 + g % 16],
            (ARRAY['García','Fernández','González','Rodríguez','López','Martínez','Sánchez','Pérez','Gómez','Martín','Jiménez','Ruiz','Hernández','Díaz','Moreno','Muñoz','Álvarez','Romero','Alonso','Gutiérrez','Navarro','Torres','Domínguez','Vázquez','Ramos','Gil','Ramírez','Serrano','Blanco','Molina','Ortega','Delgado','Castro','Ortiz','Rubio','Marín','Sanz','Iglesias','Núñez','Medina'])[1 + (g / 16) % 40] || CASE WHEN g % 3 = 0 THEN '' ELSE ' ' || g END,
            'p' || g || '@example.test', '+3461' || lpad(g::text, 7, '0'), 'email', $5, 'bench', 1950 + g % 55, $5, $5
       FROM generate_series(1, $1) g`,
    [patients, busyPatients, busy, CLINICS, NOW],
  );
  await q(
    'treatments',
    `INSERT INTO treatments (clinic_id, patient_id, practitioner_id, procedure, indication, body_areas, product, performed_at, protocol_id, protocol_version, protocol_key, created_at)
     SELECT p.clinic_id, p.id, CASE WHEN p.clinic_id = $1 THEN $2::uuid END, 'mesotherapy', 'cellulite', '{thighs}', 'P',
            $3::timestamptz - make_interval(days => 30 + (hashtext(p.id::text) & 127)), $4, $5, $6, $3
       FROM patients p`,
    [busy, practitionerId, NOW, protocolId, protocolVersion, protocolKey],
  );
  await q(
    'check-ins',
    `INSERT INTO check_ins (clinic_id, treatment_id, patient_id, step, day_offset, due_at, expires_at, status, channel, next_attempt_at, sent_at, answered_at, created_at)
     SELECT t.clinic_id, t.id, t.patient_id, s, s * 3, t.performed_at + make_interval(days => s * 3), t.performed_at + make_interval(days => s * 3 + 2), 'answered', 'email',
            t.performed_at + make_interval(days => s * 3), t.performed_at + make_interval(days => s * 3), t.performed_at + make_interval(days => s * 3, hours => 2), t.performed_at
       FROM treatments t CROSS JOIN generate_series(1, $1) s`,
    [STEPS],
  );
  await q(
    'responses',
    `INSERT INTO responses (clinic_id, patient_id, treatment_id, check_in_id, source, bruising, redness, itching, burning, pain, day_since_treatment, received_at, created_at)
     SELECT c.clinic_id, c.patient_id, c.treatment_id, c.id, 'form', c.step % 3, (c.step + 1) % 3, 0, 0, c.step % 2, c.day_offset, c.answered_at, c.answered_at
       FROM check_ins c`,
  );
  // The busy clinic's queue: one open case (one flag) for each of its first OPEN patients; a tenth acknowledged.
  await q(
    'cases',
    `INSERT INTO flag_cases (id, clinic_id, patient_id, course_id, treatment_id, status, priority, priority_rank, rule_ids, assignee_id, waiting_since, created_at, updated_at)
     SELECT gen_random_uuid(), $1, p.id, t.id, t.id, CASE WHEN n % 10 = 0 THEN 'acknowledged' ELSE 'open' END,
            (ARRAY['urgent','high','normal','low'])[r + 1], r, ARRAY[(ARRAY['warning-sign','severe-symptom','worsening','persisting-symptom'])[r + 1]],
            CASE WHEN n % 7 = 0 THEN $2::uuid END, w, w, w
       FROM (SELECT p.*, row_number() OVER (ORDER BY p.id) AS n FROM patients p WHERE p.clinic_id = $1) p
       JOIN treatments t ON t.patient_id = p.id
       CROSS JOIN LATERAL (SELECT (CASE WHEN n % 20 = 0 THEN 0 WHEN n % 5 = 0 THEN 1 WHEN n % 4 = 0 THEN 3 ELSE 2 END)::smallint AS r,
                                  $3::timestamptz - make_interval(mins => ((n * 7) % 40000)::int) AS w) x
      WHERE n <= $4`,
    [busy, practitionerId, NOW, OPEN],
  );
  await q(
    'flags',
    `INSERT INTO flags (id, clinic_id, patient_id, treatment_id, response_id, rule_id, rule_version, priority, reason, status, assignee_id, acknowledged_at, acknowledged_by, case_id, created_at, updated_at)
     SELECT c.id, c.clinic_id, c.patient_id, c.treatment_id,
            (SELECT r.id FROM responses r WHERE r.treatment_id = c.treatment_id ORDER BY r.day_since_treatment DESC LIMIT 1),
            c.rule_ids[1], 1, c.priority, 'Seeded by the bench', c.status, c.assignee_id,
            CASE WHEN c.status = 'acknowledged' THEN c.waiting_since END, CASE WHEN c.status = 'acknowledged' THEN $2::uuid END, c.id, c.waiting_since, c.waiting_since
       FROM flag_cases c WHERE c.clinic_id = $1`,
    [busy, practitionerId],
  );
  await q(
    'flag events',
    `INSERT INTO flag_events (flag_id, clinic_id, at, actor_type, actor_id, kind, data)
     SELECT f.id, f.clinic_id, f.created_at, 'system', NULL, 'raised', jsonb_build_object('priority', f.priority) FROM flags f WHERE f.clinic_id = $1`,
    [busy],
  );
  // Resolved history in the filler clinics: a flag for every tenth patient.
  await q(
    'resolved flags',
    `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, status, resolved_at, outcome, created_at, updated_at)
     SELECT t.clinic_id, t.patient_id, t.id, 'worsening', 1, 'normal', 'Seeded by the bench', 'resolved', t.performed_at + interval '10 days', 'advice_given', t.performed_at + interval '9 days', t.performed_at + interval '10 days'
       FROM treatments t WHERE t.clinic_id <> $1 AND hashtext(t.id::text) % 10 = 0`,
    [busy],
  );

  // The long course: one patient of the busy clinic with COURSE_SESSIONS weekly sessions, seven
  // answered check-ins each with the message that asked, and a resolved flag per session.
  const [{ id: coursePatient }] = (
    await owner.query(
      `INSERT INTO patients (clinic_id, given_name, family_name, email, preferred_channel, email_consent_at, email_consent_source, birth_year, created_at, updated_at)
       VALUES ($1, 'Long', 'Course', 'long-course@example.test', 'email', $2, 'bench', 1985, $2, $2) RETURNING id`,
      [busy, NOW],
    )
  ).rows;
  await owner.query(
    `INSERT INTO treatments (clinic_id, patient_id, practitioner_id, procedure, indication, body_areas, product, performed_at, protocol_id, protocol_version, protocol_key, created_at)
     SELECT $1, $2, $3, 'mesotherapy', 'cellulite', '{thighs}', 'P', $4::timestamptz - make_interval(days => 7 * ($5 - s)), $6, $7, $8, $4
       FROM generate_series(1, $5) s`,
    [busy, coursePatient, practitionerId, NOW, COURSE_SESSIONS, protocolId, protocolVersion, protocolKey],
  );
  await owner.query(
    `INSERT INTO check_ins (clinic_id, treatment_id, patient_id, step, day_offset, due_at, expires_at, status, channel, next_attempt_at, sent_at, answered_at, created_at)
     SELECT t.clinic_id, t.id, t.patient_id, s, s, t.performed_at + make_interval(days => s), t.performed_at + make_interval(days => s + 2), 'answered', 'email',
            t.performed_at + make_interval(days => s), t.performed_at + make_interval(days => s), t.performed_at + make_interval(days => s, hours => 2), t.performed_at
       FROM treatments t CROSS JOIN generate_series(1, 7) s WHERE t.patient_id = $1`,
    [coursePatient],
  );
  await owner.query(
    `INSERT INTO messages (clinic_id, patient_id, check_in_id, direction, channel, transport, purpose, to_address, body, status, created_at, updated_at)
     SELECT c.clinic_id, c.patient_id, c.id, 'out', 'email', 'outbox', 'check_in', 'long-course@example.test', 'How are you?', 'sent', c.sent_at, c.sent_at
       FROM check_ins c WHERE c.patient_id = $1`,
    [coursePatient],
  );
  await owner.query(
    `INSERT INTO responses (clinic_id, patient_id, treatment_id, check_in_id, source, bruising, redness, itching, burning, pain, day_since_treatment, received_at, created_at)
     SELECT c.clinic_id, c.patient_id, c.treatment_id, c.id, 'form', 1, 1, 0, 0, 1, c.day_offset, c.answered_at, c.answered_at FROM check_ins c WHERE c.patient_id = $1`,
    [coursePatient],
  );
  await owner.query(
    `INSERT INTO flags (clinic_id, patient_id, treatment_id, rule_id, rule_version, priority, reason, status, resolved_at, resolved_by, outcome, created_at, updated_at)
     SELECT t.clinic_id, t.patient_id, t.id, 'worsening', 1, 'normal', 'Seeded by the bench', 'resolved', t.performed_at + interval '3 days', $2, 'advice_given', t.performed_at + interval '2 days', t.performed_at + interval '3 days'
       FROM treatments t WHERE t.patient_id = $1`,
    [coursePatient, practitionerId],
  );
  await owner.query(
    `INSERT INTO flag_events (flag_id, clinic_id, at, actor_type, actor_id, kind, data)
     SELECT f.id, f.clinic_id, f.created_at, 'system', NULL, 'raised', '{}'::jsonb FROM flags f WHERE f.patient_id = $1
     UNION ALL
     SELECT f.id, f.clinic_id, f.resolved_at, 'staff', $2, 'resolved', '{}'::jsonb FROM flags f WHERE f.patient_id = $1`,
    [coursePatient, practitionerId],
  );
  const t0 = performance.now();
  await owner.query(`VACUUM ANALYZE`);
  console.log(`  seed vacuum analyze: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { coursePatient };
}
