/**
 * Audit chain cost against history: the cost of one chained transaction (an audited read in a
 * transaction of its own, and a patient created with its event), of one check-in sent (the
 * dispatcher's tick, `CheckInDispatcher.tick(1)`, sending one due SMS check-in through the outbox
 * transport) and of one reply (`SmsRepliesService.handleInboundSms`, what the signed Twilio webhook
 * calls, answering that check-in: parse, store, rules, audit) with about 10k audit events in the
 * database, and again with BENCH_AUDIT_EVENTS (default 1M; 5M for the full figure) filled in SQL
 * (generate_series, a few statements, over BENCH_AUDIT_CLINICS filler clinics, every tenth event
 * with a payload row; not hash-chained: only the volume and the index sizes matter there). Then
 * EXPLAIN of every statement a check-in sent and a reply ran at the large size, and verification
 * speed over one clinic's chain of BENCH_VERIFY_EVENTS real, hash-chained events (default 200k).
 * Uses DATABASE_URL (its owner login), else an embedded PostgreSQL in a temp folder.
 *
 *   npm run bench:audit
 *   BENCH_AUDIT_EVENTS=5000000 npm run bench:audit
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_audit npm run bench:audit
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import { chainHash, payloadDigestOf } from '../src/audit/chain-hash';
import { ChainVerifier } from '../src/audit/chain-verifier.service';
import { CheckInDispatcher } from '../src/check-ins/dispatcher.service';
import { ClinicsService } from '../src/clinics/clinics.service';
import { CoursesService } from '../src/courses/courses.service';
import { SmsRepliesService } from '../src/responses/sms-replies.service';
import { TestClock } from '../test/support/test-clock';
import { PatientsService } from '../src/patients/patients.service';
import { benchConfig, benchDatabase } from './support/database';

const SMALL = Number(process.env.BENCH_AUDIT_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const VERIFY = Number(process.env.BENCH_VERIFY_EVENTS ?? 200_000);
const FILLER_CLINICS = Number(process.env.BENCH_AUDIT_CLINICS ?? 1000);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 300);
/** Check-ins sent (and replies) per size, one at a time. */
const SENDS = Number(process.env.BENCH_AUDIT_SENDS ?? 60);
const GENESIS = '0'.repeat(64);
/** BENCH_AUDIT_ONCE=1: no fill, no verification: the costs once at whatever size the (kept) database holds, to alternate runs on a small and a large database. */
const ONCE = process.env.BENCH_AUDIT_ONCE === '1';
/** Monday 2 March 2026, 09:00 in Madrid: treatments now, their day-1 check-ins the next day. */
const START = '2026-03-02T08:00:00Z';

const ms = (x: number) => x.toFixed(2);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** Records the SQL statements (with their parameters) every pg client of this process sends while on. */
function recordStatements(): { seen: Map<string, unknown[]>; on: boolean } {
  const state = { seen: new Map<string, unknown[]>(), on: false };
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (state.on) {
      const q = args[0];
      const text = typeof q === 'string' ? q : q && typeof q === 'object' && 'text' in q ? String((q as { text: unknown }).text) : '';
      const values = Array.isArray(args[1]) ? (args[1] as unknown[]) : q && typeof q === 'object' && 'values' in q ? ((q as { values: unknown[] }).values ?? []) : [];
      if (/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text) && !state.seen.has(text)) state.seen.set(text, values);
    }
    return original.apply(this, args);
  };
  return state;
}

/** One verification of the clinic's chain with `workers` (undefined: the verifier's default), timed in wall and process CPU (all threads). */
async function timedVerify(verifier: ChainVerifier, clinicId: string, workers: number | undefined) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await verifier.verify(clinicId, undefined, workers === undefined ? {} : { workers });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { workers, report, wallS, cpuS: (cpu.user + cpu.system) / 1e6, load: load() };
}
const verifyLine = (v: Awaited<ReturnType<typeof timedVerify>>) =>
  `verify (${v.workers === undefined ? 'default workers' : `${v.workers} workers`}): ${v.report.count} events in ${v.wallS.toFixed(2)} s = ${Math.round(v.report.count / v.wallS)} events/s wall, ` +
  `${Math.round(v.report.count / v.cpuS)} per second of Node CPU, all threads (${v.cpuS.toFixed(2)} s) (ok: ${v.report.ok}${v.report.reason ? `, ${v.report.reason}` : ''}); load average ${v.load}`;

/**
 * BENCH_VERIFY_CLINIC=<id>: only verification, of that clinic's chain as a previous run left it
 * (the database kept), BENCH_VERIFY_REPEAT times (3) alternating serial and the default workers
 * (or BENCH_VERIFY_WORKERS, comma-separated counts).
 */
async function verifyOnly(clinicId: string) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('BENCH_VERIFY_CLINIC needs the DATABASE_URL of a kept bench database');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(benchConfig(url), new TestClock(START))] }).compile();
  moduleRef.useLogger(['error']);
  const app = await moduleRef.init();
  const verifier = app.get(ChainVerifier);
  const counts = (process.env.BENCH_VERIFY_WORKERS ?? '0,default').split(',').map((w) => (w === 'default' ? undefined : Number(w)));
  console.log(`verification only: ${os.cpus().length} cores, Node ${process.version}, load average ${load()}`);
  for (let i = 0; i < Number(process.env.BENCH_VERIFY_REPEAT ?? 3); i++) for (const w of counts) console.log(verifyLine(await timedVerify(verifier, clinicId, w)));
  await app.close();
}

async function main() {
  if (process.env.BENCH_VERIFY_CLINIC) return verifyOnly(process.env.BENCH_VERIFY_CLINIC);
  const { url, stop } = await benchDatabase('aftercare-bench-audit-');
  const statements = recordStatements();

  const owner = new Client({ connectionString: url });
  await owner.connect();
  const [{ v: pgVersion }] = (await owner.query(`SHOW server_version`)).rows.map((r) => ({ v: r.server_version }));
  const count = async () => Number((await owner.query(`SELECT count(*) AS n FROM audit_events`)).rows[0].n);

  const config = benchConfig(url, { DEV_OUTBOX: 'true' });
  const clock = new TestClock(START);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  moduleRef.useLogger(['error']);
  const app: INestApplicationContext = await moduleRef.init();
  const audit = app.get(AuditService);
  const patients = app.get(PatientsService);
  const dispatcher = app.get(CheckInDispatcher);
  const replies = app.get(SmsRepliesService);
  const courses = app.get(CoursesService);

  const stamp = Date.now();
  const smsFrom = `+3491${String(stamp % 10_000_000).padStart(7, '0')}`;
  const { clinic } = await app.get(ClinicsService).createClinicWithAdmin({
    name: 'Bench audit clinic',
    timeZone: 'Europe/Madrid',
    adminEmail: `bench-audit-${stamp}@example.test`,
    adminPassword: 'bench-password-123',
    phone: '+34911234567',
    smsFrom,
  });
  const actor = { type: 'integration' as const, id: 'bench' };
  const practitioner = await app.get(ClinicsService).createStaff(clinic.id, actor, {
    email: `bench-audit-practitioner-${stamp}@example.test`, name: 'Dr Bench', role: 'practitioner', password: 'bench-password-123', phone: '+34612000000',
  });

  // Filler clinics whose events make up the history (not hash-chained: only their volume and index sizes matter here).
  const fillers: string[] = ONCE ? [] : (
    await owner.query(`INSERT INTO clinics (name, time_zone) SELECT 'Bench filler ' || g, 'Europe/Madrid' FROM generate_series(1, $1::int) g RETURNING id`, [FILLER_CLINICS])
  ).rows.map((r) => r.id);
  let perFiller = 0;
  let fillSeconds = 0;
  /**
   * Grows audit_events to `total` rows: per filler clinic a run of events (clinic_seq counting
   * on), every tenth with a payload row (one data-modifying CTE), in statements of about a
   * million rows, foreign keys not checked (session_replication_role = replica: the clinics were
   * just made), the filler's chain heads moved to its last event.
   */
  async function growTo(total: number) {
    const now = await count();
    const want = Math.max(0, total - now);
    const add = Math.ceil(want / fillers.length);
    if (!add) return;
    const t0 = performance.now();
    await owner.query(`SET session_replication_role = replica`).catch(() => undefined);
    await owner.query(`SET synchronous_commit = off`);
    const slice = Math.max(1, Math.floor(1_000_000 / add));
    for (let i = 0; i < fillers.length; i += slice) {
      await owner.query(
        `WITH ev AS (
           INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, actor_id, action, entity_type, entity_id, data, prev_hash, hash, payload_digest)
           SELECT c.id, s, timestamptz '2025-01-01' + s * interval '1 minute', 'system', NULL, 'check_in.sent', 'check_in', md5(c.id::text || s),
                  jsonb_build_object('channel', 'sms', 'step', s % 7, 'messageId', md5(s::text || c.id::text)),
                  md5(c.id::text || (s - 1)) || md5((s - 1)::text), md5(c.id::text || s) || md5(s::text),
                  CASE WHEN s % 10 = 0 THEN md5('p' || c.id::text || s) || md5(s::text) END
             FROM unnest($1::uuid[]) AS c(id), generate_series($2::bigint, $3::bigint) AS s
           RETURNING seq, clinic_id, payload_digest)
         INSERT INTO audit_event_payloads (event_seq, clinic_id, digest, payload)
         SELECT seq, clinic_id, payload_digest, jsonb_build_object('changes', jsonb_build_object('phone', jsonb_build_object('from', NULL, 'to', '+3460' || seq)))
           FROM ev WHERE payload_digest IS NOT NULL`,
        [fillers.slice(i, i + slice), perFiller + 1, perFiller + add],
      );
    }
    perFiller += add;
    await owner.query(
      `INSERT INTO audit_chain_heads (chain_id, clinic_id, seq, hash)
       SELECT id, id, $2::bigint, md5(id::text || $2::bigint) || md5($2::text) FROM unnest($1::uuid[]) AS c(id)
       ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
      [fillers, perFiller],
    );
    await owner.query(`RESET session_replication_role`).catch(() => undefined);
    await owner.query(`RESET synchronous_commit`);
    await owner.query(`VACUUM ANALYZE audit_events`);
    await owner.query(`VACUUM ANALYZE audit_event_payloads`);
    fillSeconds += (performance.now() - t0) / 1000;
  }

  /** The old head lookup (before audit_chain_heads), timed once for reference. */
  async function oldLookupMs(): Promise<number> {
    const t0 = performance.now();
    await owner.query(`SELECT clinic_seq, hash FROM audit_events WHERE clinic_id IS NOT DISTINCT FROM $1 ORDER BY clinic_seq DESC LIMIT 1`, [clinic.id]);
    return performance.now() - t0;
  }

  /**
   * SENDS patients of the bench clinic with an SMS treatment course (planned through
   * CoursesService, as POST /v1/treatments does) performed now; returns their phones.
   */
  async function patientsWithCourses(label: string): Promise<string[]> {
    const phones: string[] = [];
    for (let i = 0; i < SENDS; i++) {
      const phone = `+3466${String((stamp + (label === 'small' ? 0 : 5000) + i) % 10_000_000).padStart(7, '0')}`;
      const p = await patients.create(clinic.id, actor, {
        givenName: 'Ana', familyName: `Bench ${label} ${i}`, email: `bench-sms-${label}-${i}-${stamp}@example.test`, phone,
        timeZone: 'Europe/Madrid', preferredChannel: 'sms', smsConsent: true, emailConsent: true,
      });
      await courses.create(clinic.id, actor, {
        patientId: p.id, practitionerId: practitioner.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'],
        product: 'Lipolytic cocktail A', lotNumber: 'L2309A', performedAt: clock.now().toISOString(), sendInstructions: false,
      });
      phones.push(phone);
    }
    return phones;
  }

  async function measure(label: string) {
    const events = await count();
    // The fill's writes flushed first: a checkpoint writing a gigabyte while commits wait on the same disk is the fill's cost, not the append's.
    await owner.query(`CHECKPOINT`).catch(() => undefined);
    for (let i = 0; i < 100; i++) await audit.recordAccess({ clinicId: clinic.id, actor, action: 'bench.warmup', entityType: 'bench' });
    const reads: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await audit.recordAccess({ clinicId: clinic.id, actor, action: 'bench.read', entityType: 'bench', entityId: null });
      reads.push(performance.now() - t0);
    }
    const creates: number[] = [];
    for (let i = 0; i < ROUNDS / 3; i++) {
      const t0 = performance.now();
      await patients.create(clinic.id, actor, { givenName: 'A', familyName: `${label}-${i}`, email: `a-${label}-${i}-${stamp}@example.test`, emailConsent: true, preferredChannel: 'email' });
      creates.push(performance.now() - t0);
    }

    // A check-in sent: each phase starts from the same clock (treatments performed at START,
    // day-1 check-ins due the next day), so both sizes send the same check-ins at the same hour.
    clock.set(START);
    const phones = await patientsWithCourses(label);
    // All fall due at the same local hour; spread a minute apart (by SQL, the bench's setup) so
    // that each tick finds exactly one due and its time is the cost of one check-in sent.
    const due = (
      await owner.query(
        `UPDATE check_ins c SET due_at = c.due_at + (o.n - 1) * interval '1 minute', next_attempt_at = c.next_attempt_at + (o.n - 1) * interval '1 minute'
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM check_ins WHERE clinic_id = $1 AND status = 'scheduled' AND step = 1) o
          WHERE c.clinic_id = $1 AND c.id = o.id RETURNING c.due_at`,
        [clinic.id],
      )
    ).rows.map((r: { due_at: Date }) => r.due_at.getTime()).sort((a: number, b: number) => a - b);
    if (due.length !== SENDS) throw new Error(`expected ${SENDS} day-1 check-ins due, found ${due.length}`);
    await owner.query(`ANALYZE check_ins`);
    const sends: number[] = [];
    statements.on = label === 'large';
    for (let i = 0; i < SENDS; i++) {
      clock.set(new Date(due[i] + 1000));
      const t0 = performance.now();
      const r = await dispatcher.tick(1);
      sends.push(performance.now() - t0);
      if (r.sent !== 1) throw new Error(`tick ${i} (${label}) did not send one check-in: ${JSON.stringify(r)}`);
    }
    // A reply to each (the scores the day-1 check-in asks for).
    clock.advance(3600_000);
    const answers: number[] = [];
    for (let i = 0; i < SENDS; i++) {
      const t0 = performance.now();
      const outcome = await replies.handleInboundSms({ messageSid: `SM${stamp}${label}${String(i).padStart(8, '0')}`, from: phones[i], to: smsFrom, body: '1 0 2 0 1' });
      answers.push(performance.now() - t0);
      if (outcome !== 'answered') throw new Error(`reply ${i} (${label}): ${outcome}`);
    }
    statements.on = false;
    const old = await oldLookupMs();
    return { label, events, reads, creates, sends, answers, old };
  }

  const stat = (xs: number[]) => `${ms(mean(xs))} ms (p50 ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))})`;
  const line = (r: Awaited<ReturnType<typeof measure>>) =>
    `${String(r.events).padStart(9)} events: chained read ${stat(r.reads)}; patient created ${stat(r.creates)}; check-in sent ${stat(r.sends)}; reply ${stat(r.answers)}; old head lookup ${ms(r.old)} ms`;
  if (ONCE) {
    const r = await measure('once');
    console.log(`audit bench (once): ${os.cpus().length} cores, Node ${process.version}, load average ${load()}\n${line(r)}`);
    await app.close();
    await owner.end();
    await stop();
    return;
  }
  await growTo(SMALL);
  const small = await measure('small');
  const loadSmall = load();
  await growTo(LARGE);
  const loadFilled = load();
  const large = await measure('large');
  const loadLarge = load();

  // Hot-path plans, as the service ran them: every statement of a check-in sent and a reply at the large size.
  const plan = async (sql: string, params: unknown[]) => (await owner.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join(' / ');
  const headPlan = await plan(`SELECT seq, hash FROM audit_chain_heads WHERE chain_id = $1 FOR NO KEY UPDATE`, [clinic.id]);
  const plans: string[] = [];
  let scans = 0;
  await owner.query(`BEGIN`);
  for (const [sql, values] of statements.seen) {
    await owner.query(`SAVEPOINT p`);
    try {
      const lines = (await owner.query(`EXPLAIN ${sql}`, values)).rows.map((r) => String(r['QUERY PLAN']));
      const nodes = lines.map((l) => l.trim().replace(/^->\s*/, '').replace(/\s+\(cost=.*$/, '')).filter((l) => /Scan|Insert|Update|Delete|LockRows|Result/.test(l));
      const bad = nodes.filter((n) => /Seq Scan on audit_/.test(n));
      scans += bad.length;
      plans.push(`  ${sql.replace(/\s+/g, ' ').trim().slice(0, 110)}\n      ${nodes.join(' | ')}`);
    } catch (err) {
      plans.push(`  ${sql.replace(/\s+/g, ' ').trim().slice(0, 110)}\n      (not explained: ${(err as Error).message})`);
    }
    await owner.query(`ROLLBACK TO SAVEPOINT p`);
  }
  await owner.query(`ROLLBACK`);

  // Verification: one clinic's chain of VERIFY real events (every tenth with a payload), built
  // here with the service's own hash function, verified before any ANALYZE of the new rows.
  const { clinic: vc } = await app.get(ClinicsService).createClinicWithAdmin({
    name: 'Bench verify clinic',
    timeZone: 'Europe/Madrid',
    adminEmail: `bench-verify-${stamp}@example.test`,
    adminPassword: 'bench-password-123',
  });
  const [vh] = (await owner.query(`SELECT seq, hash FROM audit_chain_heads WHERE chain_id = $1`, [vc.id])).rows;
  let prev: string = vh?.hash ?? GENESIS;
  let seq = BigInt(vh?.seq ?? 0);
  const t0Seed = performance.now();
  for (let done = 0; done < VERIFY; ) {
    const n = Math.min(2000, VERIFY - done);
    const values: unknown[] = [];
    const rows: string[] = [];
    const payloads: Array<{ clinicSeq: string; digest: string; payload: unknown }> = [];
    for (let i = 0; i < n; i++) {
      seq += 1n;
      const occurredAt = new Date(Date.parse('2026-03-02T08:00:00Z') + Number(seq) * 1000).toISOString();
      const payload = Number(seq) % 10 === 0 ? { changes: { phone: { from: null, to: `+3460000${seq}` } } } : null;
      const payloadDigest = payload ? payloadDigestOf(payload) : null;
      const data = { n: Number(seq) };
      const hash = chainHash(prev, {
        clinicId: vc.id, clinicSeq: String(seq), occurredAt, actorType: 'system', actorId: null, action: 'bench.event', entityType: 'bench', entityId: null, data,
        ...(payloadDigest ? { payloadDigest } : {}),
      });
      const b = values.length;
      rows.push(`(${Array.from({ length: 11 }, (_, k) => `$${b + k + 1}`).join(', ')})`);
      values.push(vc.id, String(seq), occurredAt, 'system', 'bench.event', 'bench', JSON.stringify(data), prev, hash, payloadDigest, null);
      if (payload) payloads.push({ clinicSeq: String(seq), digest: payloadDigest!, payload });
      prev = hash;
    }
    const inserted = (
      await owner.query(
        `INSERT INTO audit_events (clinic_id, clinic_seq, occurred_at, actor_type, action, entity_type, data, prev_hash, hash, payload_digest, actor_id) VALUES ${rows.join(', ')} RETURNING seq, clinic_seq`,
        values,
      )
    ).rows;
    if (payloads.length) {
      const bySeq = new Map(inserted.map((r) => [String(r.clinic_seq), r.seq]));
      const pv: unknown[] = [];
      const pr = payloads.map((p, k) => {
        pv.push(bySeq.get(p.clinicSeq), vc.id, p.digest, JSON.stringify(p.payload));
        return `($${4 * k + 1}, $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`;
      });
      await owner.query(`INSERT INTO audit_event_payloads (event_seq, clinic_id, digest, payload) VALUES ${pr.join(', ')}`, pv);
    }
    done += n;
  }
  await owner.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain_id = $1`, [vc.id, String(seq), prev]);
  const seedS = (performance.now() - t0Seed) / 1000;
  // Serial (workers: 0) and with the default worker threads, one after the other, both before any ANALYZE of the new rows.
  const verifier = app.get(ChainVerifier);
  const verifications = [await timedVerify(verifier, vc.id, 0), await timedVerify(verifier, vc.id, undefined)];

  const ratio = (k: 'reads' | 'creates' | 'sends' | 'answers') => `${(mean(large[k]) / mean(small[k])).toFixed(2)} (p50 ${(pct(large[k], 50) / pct(small[k], 50)).toFixed(2)})`;
  console.log(
    [
      `audit bench: PostgreSQL ${pgVersion} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}), ${os.cpus().length} cores, Node ${process.version}, ${FILLER_CLINICS} filler clinics, ${ROUNDS} chained reads, ${Math.floor(ROUNDS / 3)} patients, ${SENDS} check-ins sent and ${SENDS} replies per size, one at a time`,
      `load average: small phase ${loadSmall}; after the fill ${loadFilled}; large phase ${loadLarge}`,
      `filled ${(LARGE - SMALL).toLocaleString('en')} events (${FILLER_CLINICS} clinics, a payload row every tenth) in ${fillSeconds.toFixed(1)} s`,
      line(small),
      line(large),
      `ratio large/small (mean, p50): chained read ${ratio('reads')}, patient created ${ratio('creates')}, check-in sent ${ratio('sends')}, reply ${ratio('answers')} (old head lookup alone ${(large.old / small.old).toFixed(1)}x)`,
      `head lock plan: ${headPlan}`,
      `plans of the ${statements.seen.size} statements a check-in sent and a reply ran at ${large.events} events (${scans} sequential scans of an audit table):`,
      ...plans,
      ...verifications.map((v) => verifyLine(v)),
      `chain of ${VERIFY} events (clinic ${vc.id}, for BENCH_VERIFY_CLINIC) seeded in ${seedS.toFixed(1)} s; load average ${load()}`,
    ].join('\n'),
  );
  await app.close();
  await owner.end();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
