/**
 * Dispatch throughput beside the references of issue 9, on one PostgreSQL server in one run:
 *
 *  1. Aftercare: BENCH_CLINICS clinics (200) × BENCH_PER_CLINIC check-ins (50) fall due at once,
 *     seeded by SQL (a patient, a treatment and its first check-in each, parked, then released
 *     together); BENCH_INSTANCES (2) service instances, child processes of the real service
 *     (compiled src/main.ts, DEV_OUTBOX: the outbox transport answers at once), send them all on
 *     their own dispatch interval (DISPATCH_INTERVAL_MS 200). Sent/s, from the release to the
 *     last check-in's sent_at; the first instance's RSS (VmRSS, peak during the run, and VmHWM)
 *     read from /proc and its heap from its /metrics, sampled while it sends.
 *  2. pg-boss (devDependency) doing the same sends: one job per check-in over the same clinics,
 *     BENCH_INSTANCES PgBoss instances fetching batches of 50, instant send, complete; then the
 *     same with one hash-chained audit row per job (bench/support/pgboss-dispatch.ts).
 *  3. `pgbench -N` with as many clients as the instances send at once (instances ×
 *     DISPATCH_CONCURRENCY), or its transaction through pg when the binary is missing.
 *  4. A course of sessions (in process, the service's own code on a test clock): each patient has
 *     a session every week, and each session merges its steps into the course's open check-ins
 *     (BENCH_COURSE_PATIENTS, 100; BENCH_COURSE_SESSIONS, 10; 0 patients skips it).
 * Then the ratios the issue sets: Aftercare ÷ pg-boss ≥ 1.5, Aftercare ÷ pgbench -N ≥ 0.8, RSS < 200 MB.
 *
 * Uses DATABASE_URL's server (its database, named aftercare_bench_…, is dropped and created
 * again), else an embedded PostgreSQL in a temp folder. Only the public interfaces of the service
 * are used (its start-up, its interval, the database), so the bench measures whatever dispatcher
 * the tree holds.
 *
 *   npm run bench                                          # 200 × 50, then the audit and triage benches
 *   node -r ts-node/register/transpile-only bench/dispatch.bench.ts       # this bench alone
 *   BENCH_CLINICS=50 BENCH_PER_CLINIC=20 BENCH_COURSE_PATIENTS=0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_dispatch node -r ts-node/register/transpile-only bench/dispatch.bench.ts
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import os from 'node:os';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { ClinicsService } from '../src/clinics/clinics.service';
import { CoursesService } from '../src/courses/courses.service';
import { PatientsService } from '../src/patients/patients.service';
import { TestClock } from '../test/support/test-clock';
import { benchConfig, benchDatabase, freshDatabase } from './support/database';
import { dispatchProgress, releaseParked, seedDueCheckIns } from './support/dispatch-seed';
import { pgbenchN } from './support/pgbench';
import { startWireCounter, WireCounter } from './support/pg-wire-counter';
import { pgBossDispatch, PgBossResult } from './support/pgboss-dispatch';
import { buildService, heapUsed, LOGS, processMemory, ServiceInstance, startInstance, stopInstance, waitReady } from './support/service-instances';

const CLINICS = Number(process.env.BENCH_CLINICS ?? 200);
const PER_CLINIC = Number(process.env.BENCH_PER_CLINIC ?? 50);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2);
const CONCURRENCY = Number(process.env.DISPATCH_CONCURRENCY ?? 8);
const INTERVAL_MS = Number(process.env.DISPATCH_INTERVAL_MS ?? 200);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 15);
const PGBENCH_CLIENTS = Number(process.env.BENCH_PGBENCH_CLIENTS ?? INSTANCES * CONCURRENCY);
const PGBOSS_WORKERS = Number(process.env.BENCH_PGBOSS_WORKERS ?? 2);
const PGBOSS_BATCH = Number(process.env.BENCH_PGBOSS_BATCH ?? 50);
const COURSE_PATIENTS = Number(process.env.BENCH_COURSE_PATIENTS ?? 100);
const COURSE_SESSIONS = Number(process.env.BENCH_COURSE_SESSIONS ?? 10);
/** Instances reach PostgreSQL through a counting proxy (bench/support/pg-wire-counter.ts): statements per check-in, at the cost of a hop. */
const COUNT_STATEMENTS = process.env.BENCH_COUNT_STATEMENTS === '1';
/** Longest the dispatch phase may take before the bench gives up (default: 10 minutes). */
const DISPATCH_TIMEOUT_MS = Number(process.env.BENCH_DISPATCH_TIMEOUT_MS ?? 600_000);

const mib = (bytes: number | null | undefined) => (bytes == null || Number.isNaN(bytes) ? '?' : (bytes / 2 ** 20).toFixed(0));
const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 19);
const say = (...a: unknown[]) => console.log(`[dispatch ${stamp()}]`, ...a);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

interface AftercareResult {
  sent: number;
  byStatus: Record<string, number>;
  seconds: number;
  sentPerSecond: number;
  rssIdle: number;
  rssPeak: number;
  hwm: number;
  heapPeak: number | null;
  heapAfter: number | null;
  how: string;
  /** Commits on the bench database (pg_stat_database) from the release until the instances stopped, idle ticks included. */
  commits: number;
  /** Statements the instances sent from the release until the last check-in settled; null unless BENCH_COUNT_STATEMENTS=1. */
  statements: number | null;
}

/** Transactions committed on the current database so far (PostgreSQL reports backends' counts within a second or so, and at their exit). */
async function commitsSoFar(db: Client): Promise<number> {
  await db.query(`SELECT pg_stat_clear_snapshot()`);
  return Number((await db.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit);
}

/** Phase 1: the instances start on the seeded database, the check-ins are released, and the bench waits until every one is settled. */
async function aftercare(url: string, db: Client, total: number): Promise<AftercareResult> {
  const how = buildService();
  const counter: WireCounter | null = COUNT_STATEMENTS ? await startWireCounter(url) : null;
  const { privateKey } = generateKeyPairSync('ed25519');
  const env = {
    DATABASE_URL: counter?.url ?? url,
    DEV_OUTBOX: 'true',
    MIGRATIONS_RUN: 'false',
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    DISPATCH_INTERVAL_MS: String(INTERVAL_MS),
    DISPATCH_CONCURRENCY: String(CONCURRENCY),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  const instances: ServiceInstance[] = [];
  let commitsBefore = 0;
  try {
    for (let k = 0; k < INSTANCES; k++) instances.push(await startInstance(`dispatch-${k + 1}`, env));
    await Promise.all(instances.map((i) => waitReady(i)));
    const measured = instances[0];
    const pid = measured.child.pid!;
    await sleep(1000);
    const idle = processMemory(pid);
    say(`${INSTANCES} instances ready (${how}; logs in ${LOGS}); instance 1 idle: RSS ${mib(idle?.rss)} MiB, heap ${mib(await heapUsed(measured))} MiB`);

    let rssPeak = idle?.rss ?? NaN;
    let heapPeak: number | null = null;
    let sampling = true;
    const memory = (async () => {
      for (let n = 0; sampling; n++) {
        const m = processMemory(pid);
        if (m) rssPeak = Math.max(rssPeak, m.rss);
        if (n % 10 === 0) {
          const h = await heapUsed(measured);
          if (h != null) heapPeak = Math.max(heapPeak ?? 0, h);
        }
        await sleep(200);
      }
    })();

    commitsBefore = await commitsSoFar(db);
    const statementsBefore = counter?.statements() ?? 0;
    const t0 = Date.now();
    const released = await releaseParked(db);
    if (released !== total) throw new Error(`released ${released} check-ins, seeded ${total}`);
    let p = await dispatchProgress(db);
    for (let last = -1; ; ) {
      const open = (p.byStatus.scheduled ?? 0) + (p.byStatus.sending ?? 0);
      if (!open) break;
      if (Date.now() - t0 > DISPATCH_TIMEOUT_MS) throw new Error(`dispatch not finished after ${DISPATCH_TIMEOUT_MS} ms: ${JSON.stringify(p.byStatus)}`);
      const sent = p.byStatus.sent ?? 0;
      if (sent - last >= total / 10 || last < 0) {
        say(`  ${JSON.stringify(p.byStatus)} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        last = sent;
      }
      await sleep(250);
      p = await dispatchProgress(db);
    }
    const end = p.lastSentAt ? p.lastSentAt.getTime() : Date.now();
    const statements = counter ? counter.statements() - statementsBefore : null;
    sampling = false;
    await memory;
    const after = processMemory(pid);
    const heapAfter = await heapUsed(measured);
    const seconds = (end - t0) / 1000;
    const sent = p.byStatus.sent ?? 0;
    await Promise.all(instances.map((i) => stopInstance(i)));
    await sleep(1500);
    const commits = (await commitsSoFar(db)) - commitsBefore;
    return { sent, byStatus: p.byStatus, seconds, sentPerSecond: sent / seconds, rssIdle: idle?.rss ?? NaN, rssPeak, hwm: after?.hwm ?? NaN, heapPeak, heapAfter, how, commits, statements };
  } finally {
    await Promise.all(instances.map((i) => stopInstance(i)));
    await counter?.close();
  }
}

/** Phase 4: a course of weekly sessions for COURSE_PATIENTS patients, through the service's own code in this process. */
async function courseOfSessions(url: string): Promise<string> {
  const config = { ...benchConfig(url, { DEV_OUTBOX: 'true', JWT_SECRET: randomBytes(32).toString('hex') }), logStream: new Writable({ write: (_c, _e, done) => done() }) };
  const clock = new TestClock('2026-04-06T08:00:00Z');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  moduleRef.useLogger(['error']);
  const app: INestApplicationContext = await moduleRef.init();
  try {
    const { clinic } = await app.get(ClinicsService).createClinicWithAdmin({ name: 'Course clinic', timeZone: 'Europe/Madrid', adminEmail: `bench-${Date.now()}@example.test`, adminPassword: 'bench-password-123' });
    const actor = { type: 'integration' as const, id: 'bench' };
    const patients = app.get(PatientsService);
    const treatments = app.get(CoursesService);
    const ids: string[] = [];
    for (let i = 0; i < COURSE_PATIENTS; i++) {
      const p = await patients.create(clinic.id, actor, { givenName: 'C', familyName: String(i), email: `c${i}-${Date.now()}@example.test`, emailConsent: true, preferredChannel: 'email' });
      ids.push(p.id);
    }
    const start = Date.parse('2026-04-06T08:00:00Z');
    const t0 = performance.now();
    for (let k = 0; k < COURSE_SESSIONS; k++) {
      const performedAt = new Date(start + k * 7 * 86_400_000).toISOString();
      clock.set(performedAt);
      for (let i = 0; i < ids.length; i += 20) {
        await Promise.all(
          ids.slice(i, i + 20).map((patientId) =>
            treatments.create(clinic.id, actor, { patientId, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'P', performedAt, sendInstructions: false }),
          ),
        );
      }
    }
    const ms = performance.now() - t0;
    const [course] = (await app.get(DataSource).query(
      `SELECT count(*)::int AS live, max(per_day)::int AS "maxPerDay" FROM (
         SELECT patient_id, (due_at AT TIME ZONE 'Europe/Madrid')::date AS day, count(*) AS per_day FROM check_ins
          WHERE clinic_id = $2 AND patient_id = ANY($1) AND status <> 'superseded' GROUP BY 1, 2) d`,
      [ids, clinic.id],
    )) as Array<{ live: number; maxPerDay: number }>;
    return `${f0((COURSE_PATIENTS * COURSE_SESSIONS) / (ms / 1000))} sessions/s for ${COURSE_PATIENTS} patients x ${COURSE_SESSIONS} weekly sessions (20 in flight); ${(course.live / COURSE_PATIENTS).toFixed(1)} live check-ins per patient, at most ${course.maxPerDay} a day`;
  } finally {
    await app.close();
  }
}

async function main() {
  if (process.env.DATABASE_URL) await freshDatabase(process.env.DATABASE_URL);
  const { url, stop } = await benchDatabase('aftercare-bench-dispatch-');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const pgVersion = (await db.query(`SHOW server_version`)).rows[0].server_version as string;
    say(`PostgreSQL ${pgVersion} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}), Node ${process.version}, ${os.cpus().length} cores, load average ${load()}`);
    let t0 = performance.now();
    const { checkIns, zone } = await seedDueCheckIns(db, CLINICS, PER_CLINIC);
    say(`seeded ${checkIns} check-ins due at once over ${CLINICS} clinics (zone ${zone}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const ac = await aftercare(url, db, checkIns);
    say(`aftercare: ${f0(ac.sentPerSecond)} sent/s (${ac.sent} sent in ${ac.seconds.toFixed(1)} s; ${JSON.stringify(ac.byStatus)}); load average ${load()}`);

    const boss = async (audit: boolean): Promise<PgBossResult> => {
      const r = await pgBossDispatch(url, { jobs: checkIns, clinics: CLINICS, instances: INSTANCES, workers: PGBOSS_WORKERS, batchSize: PGBOSS_BATCH, audit, concurrency: CONCURRENCY });
      say(`pg-boss ${r.version}${audit ? ' + one hash-chained audit row per job' : ''}: ${f0(r.jobsPerSecond)} jobs/s (${r.processed} in ${r.seconds.toFixed(1)} s; enqueued at ${f0(r.enqueuePerSecond)}/s${audit ? `; ${r.auditRows} audit rows` : ''}); load average ${load()}`);
      return r;
    };
    const plain = await boss(false);
    const chained = await boss(true);

    const pg = await pgbenchN(url, PGBENCH_CLIENTS, PGBENCH_SECONDS);
    say(`${pg.how}: ${f0(pg.tps)} tps, latency average ${f2(pg.latencyMs)} ms; load average ${load()}`);

    let course = 'skipped (BENCH_COURSE_PATIENTS=0)';
    if (COURSE_PATIENTS > 0) {
      t0 = performance.now();
      course = await courseOfSessions(url);
    }

    const lines = [
      '',
      `dispatch bench, ${new Date().toISOString()}: ${CLINICS} clinics x ${PER_CLINIC} check-ins due at once, ${INSTANCES} instances (${ac.how}), DISPATCH_CONCURRENCY=${CONCURRENCY}, DISPATCH_INTERVAL_MS=${INTERVAL_MS}, outbox transport`,
      `  PostgreSQL ${pgVersion}, Node ${process.version}, ${os.cpus().length} cores, load average ${load()}`,
      `aftercare:         ${f0(ac.sentPerSecond)} sent/s (${ac.sent} in ${ac.seconds.toFixed(1)} s)`,
      `pg-boss:           ${f0(plain.jobsPerSecond)} jobs/s (${INSTANCES} instances x ${PGBOSS_WORKERS} fetch loops, batches of ${PGBOSS_BATCH}, instant send, complete)`,
      `pg-boss + audit:   ${f0(chained.jobsPerSecond)} jobs/s (the same, each job also appending one hash-chained row to its clinic's chain)`,
      `pgbench -N:        ${f0(pg.tps)} tps (${pg.how})`,
      `per check-in:      ${(ac.commits / checkIns).toFixed(2)} commits (pg_stat_database, release to shutdown, idle ticks and the bench's polling included)${ac.statements == null ? '' : `, ${(ac.statements / checkIns).toFixed(2)} statements (wire count, release to last settle${COUNT_STATEMENTS ? '; this run went through the counting proxy' : ''})`}`,
      `memory, instance 1: RSS ${mib(ac.rssIdle)} MiB idle, peak ${mib(ac.rssPeak)} MiB while sending (target < 200 MB: ${ac.rssPeak < 200e6 ? 'met' : 'NOT met'}), VmHWM ${mib(ac.hwm)} MiB since start; heap used ${mib(ac.heapPeak)} MiB at most (sampled), ${mib(ac.heapAfter)} MiB after`,
      `course:            ${course}`,
      `ratios: aftercare / pg-boss ${f2(ac.sentPerSecond / plain.jobsPerSecond)} (target >= 1.5); aftercare / pg-boss + audit ${f2(ac.sentPerSecond / chained.jobsPerSecond)}; aftercare / pgbench -N ${f2(ac.sentPerSecond / pg.tps)} (target >= 0.8); pg-boss / pgbench -N ${f2(plain.jobsPerSecond / pg.tps)}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await db.end();
    await stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
