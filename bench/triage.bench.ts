/**
 * Triage at scale, over HTTP against the real app: a database seeded by SQL (generate_series, not
 * the API) with BENCH_TRIAGE_CLINICS clinics (500), BENCH_TRIAGE_ANSWERS responses (1M) and
 * BENCH_TRIAGE_OPEN open flags, one case each, in one busy clinic (50k); sizes times
 * BENCH_TRIAGE_SCALE (default 1; 0.1 for a quick run). Then p50/p95/p99 with 20 requests in
 * flight of the case queue (first page, and filtered), a long-course patient's timeline and the
 * patient search, beside references measured in the same run with the same client: `pgbench -N`
 * (or its transaction through pg when the binary is missing), a bare NestJS 11 hello world and
 * the service's own /health/live. Also the console's first-load JavaScript against its budget.
 *
 * Uses DATABASE_URL's server (its database, named aftercare_bench_…, is dropped and created again), else an
 * embedded PostgreSQL in a temp folder.
 *
 *   npm run bench:triage
 *   BENCH_TRIAGE_SCALE=0.1 npm run bench:triage
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_triage npm run bench:triage
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { execFileSync } from 'node:child_process';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { AppModule, configureApp } from '../src/app.module';
import { ClinicsService } from '../src/clinics/clinics.service';
import { TestClock } from '../test/support/test-clock';
import { ensureConsoleBuilt } from '../test/support/console-build';
import { benchConfig, benchDatabase, freshDatabase } from './support/database';
import { loadLine, startHello } from './support/hello-app';
import { httpLoad, Load } from './support/http-load';
import { pgbenchN } from './support/pgbench';
import { ANSWERS, CLINICS, COURSE_SESSIONS, NOW, OPEN, SCALE, seed } from './support/triage-seed';

const REQUESTS = Number(process.env.BENCH_TRIAGE_REQUESTS ?? 400);
const IN_FLIGHT = Number(process.env.BENCH_TRIAGE_IN_FLIGHT ?? 20);
const SECONDS = Number(process.env.BENCH_TRIAGE_SECONDS ?? 10);
/** BENCH_TRIAGE_REUSE=1 with DATABASE_URL: measure an earlier run's seeded database again (no drop, no seed). */
const REUSE = process.env.BENCH_TRIAGE_REUSE === '1';
/** BENCH_TRIAGE_ONLY=cases,timeline: measure only the routes whose name contains one of these words. */
const ONLY = (process.env.BENCH_TRIAGE_ONLY ?? '').split(',').filter(Boolean);

const f1 = (x: number) => x.toFixed(1);

/** `total` GETs of `paths` (cycled) with `inFlight` at once, through the shared load worker (bench/support/http-load.ts). */
function load(port: number, paths: string[] | string, headers: Record<string, string>, total = REQUESTS, inFlight = IN_FLIGHT): Promise<Load> {
  const requests = (Array.isArray(paths) ? paths : [paths]).map((path) => ({ path, headers }));
  return httpLoad({ port, requests, total, inFlight, warmup: inFlight });
}

const line = (name: string, r: Load) => loadLine(name, r, IN_FLIGHT);

async function main() {
  if (REUSE && !process.env.DATABASE_URL) throw new Error('BENCH_TRIAGE_REUSE=1 needs DATABASE_URL (the database an earlier run seeded)');
  if (process.env.DATABASE_URL && !REUSE) await freshDatabase(process.env.DATABASE_URL);
  const { url, stop } = await benchDatabase('aftercare-bench-triage-');
  const owner = new Client({ connectionString: url });
  await owner.connect();
  const pgVersion = (await owner.query(`SHOW server_version`)).rows[0].server_version;

  const config = {
    ...benchConfig(url, { DEV_OUTBOX: 'true', JWT_SECRET: 'bench-secret-bench-secret-bench-0123', PUBLIC_BASE_URL: 'http://127.0.0.1' }),
    logStream: new Writable({ write: (_c, _e, done) => done() }),
    rateLimits: { formPerMinute: 1e9, webhookPerMinute: 1e9, loginPerMinute: 1e9 },
  };
  const clock = new TestClock(NOW);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app);
  await app.init();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;

  let clinicId: string;
  let coursePatient: string;
  let auth: Record<string, string>;
  let seedSeconds = 0;
  const password = 'bench-password-123';
  const post = async (p: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, string>>;
  };
  if (REUSE) {
    const [row] = (
      await owner.query(
        `SELECT c.id AS "clinicId", s.email, (SELECT id FROM patients WHERE clinic_id = c.id AND email = 'long-course@example.test') AS "coursePatient"
           FROM clinics c JOIN staff_users s ON s.clinic_id = c.id AND s.name = 'Dr Bench' WHERE c.name = 'Busy clinic' ORDER BY s.created_at DESC LIMIT 1`,
      )
    ).rows;
    if (!row) throw new Error('BENCH_TRIAGE_REUSE=1: no seeded busy clinic in this database');
    ({ clinicId, coursePatient } = row);
    auth = { Authorization: `Bearer ${(await post('/v1/auth/login', { email: row.email, password })).accessToken}` };
    console.log('reusing the seeded database');
  } else {
    // The busy clinic and its practitioner through the service (passwords hashed, roles right); the rest by SQL.
    const stamp = Date.now();
    const { clinic, admin } = await app.get(ClinicsService).createClinicWithAdmin({
      name: 'Busy clinic',
      timeZone: 'Europe/Madrid',
      adminEmail: `bench-triage-${stamp}@example.test`,
      adminPassword: password,
      phone: '+34911234567',
      smsFrom: '+34911000000',
    });
    const adminToken = (await post('/v1/auth/login', { email: admin.email, password })).accessToken;
    const practitionerEmail = `bench-practitioner-${stamp}@example.test`;
    const practitioner = await post('/v1/staff', { email: practitionerEmail, name: 'Dr Bench', role: 'practitioner', password }, { Authorization: `Bearer ${adminToken}` });
    const token = (await post('/v1/auth/login', { email: practitionerEmail, password })).accessToken;
    auth = { Authorization: `Bearer ${token}` };

    console.log(`seeding: ${CLINICS} clinics, ${ANSWERS} answers, ${OPEN} open cases in the busy clinic (BENCH_TRIAGE_SCALE=${SCALE})`);
    const t0 = performance.now();
    ({ coursePatient } = await seed(owner, clinic.id, practitioner.id));
    seedSeconds = (performance.now() - t0) / 1000;
    clinicId = clinic.id;
  }
  const [sizes] = (
    await owner.query(
      `SELECT (SELECT count(*) FROM clinics)::int AS clinics, (SELECT count(*) FROM patients)::int AS patients, (SELECT count(*) FROM responses)::int AS responses,
              (SELECT count(*) FROM check_ins)::int AS "checkIns", (SELECT count(*) FROM flags WHERE clinic_id = $1 AND status <> 'resolved')::int AS "openFlags",
              (SELECT count(*) FROM flag_cases WHERE clinic_id = $1 AND status <> 'resolved')::int AS "openCases"`,
      [clinicId],
    )
  ).rows;

  const results: Array<[string, Load]> = [];
  /** 20 in flight (the target), then one at a time (a request's own latency, without queueing behind the others). */
  const serial: Record<string, Load> = {};
  const skipped: Load = { n: 0, seconds: 0, rps: NaN, p50: NaN, p95: NaN, p99: NaN };
  const run = async (name: string, paths: string[] | string, headers: Record<string, string> = auth, on = port) => {
    if (ONLY.length && !ONLY.some((w) => name.includes(w))) {
      serial[name] = skipped;
      return skipped;
    }
    // The app's event loop: busy milliseconds per request (its own CPU work, less sensitive to a
    // noisy machine than latency; the warm-up round is in it).
    const first = Array.isArray(paths) ? paths[0] : paths;
    const bytes = (await (await fetch(`http://127.0.0.1:${on}${first}`, { headers })).arrayBuffer()).byteLength;
    const busy0 = performance.eventLoopUtilization();
    const r = await load(on, paths, headers);
    const busy = performance.eventLoopUtilization(busy0).active / (r.n + IN_FLIGHT);
    results.push([name, r]);
    console.log(`${line(name, r)}  event loop ${busy.toFixed(2)} ms/request, ${(bytes / 1024).toFixed(1)} KiB body`);
    const one = await load(on, paths, headers, Math.max(20, Math.round(REQUESTS / 4)), 1);
    serial[name] = one;
    console.log(line('  one at a time', one).replace(`${IN_FLIGHT} in flight`, '1 in flight'));
    return r;
  };
  console.log(`\nPostgreSQL ${pgVersion}, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`database: ${JSON.stringify(sizes)}; seeded in ${seedSeconds.toFixed(0)} s`);
  const queue = await run('GET /v1/cases (first page)', '/v1/cases');
  const filtered = await run('GET /v1/cases?priority=high', ['/v1/cases?priority=high', '/v1/cases?assignee=me', '/v1/cases?status=acknowledged&priority=urgent']);
  const timelineItems = ((await (await fetch(`http://127.0.0.1:${port}/v1/patients/${coursePatient}/timeline`, { headers: auth })).json()) as { items: unknown[] }).items.length;
  const timeline = await run(`GET /v1/patients/:id/timeline`, `/v1/patients/${coursePatient}/timeline`);
  await run('GET /v1/patients?q=', ['/v1/patients?q=ortega', '/v1/patients?q=luc%C3%ADa%20g', '/v1/patients?q=p12345', '/v1/patients?q=%2B34610012345']);
  const live = await run('GET /health/live (this service)', '/health/live', {});
  await app.close();

  const hello = await startHello();
  const helloR = await run('GET / (bare NestJS 11 hello)', '/', {}, hello.port);
  await hello.close();

  const pg = ONLY.length ? { tps: NaN, latencyMs: NaN, how: '' } : await pgbenchN(url, IN_FLIGHT, SECONDS);
  if (!ONLY.length) {
    console.log(`${pg.how}: ${pg.tps.toFixed(0)} tps, latency average ${pg.latencyMs.toFixed(2)} ms`);
    ensureConsoleBuilt();
    const web = execFileSync('node', [path.join(__dirname, '../scripts/web-size.mjs')], { encoding: 'utf8' }).trim();
    console.log(web);
  }

  console.log(`\ntimeline patient: ${COURSE_SESSIONS} sessions, ${timelineItems} items`);
  const q1 = serial['GET /v1/cases (first page)'];
  const t1 = serial['GET /v1/patients/:id/timeline'];
  console.log(`one at a time: queue p95 ${f1(q1.p95)} ms, timeline p95 ${f1(t1.p95)} ms; bare Nest hello p95 ${f1(serial['GET / (bare NestJS 11 hello)'].p95)} ms`);
  console.log(`targets: queue p95 ${f1(queue.p95)} ms ${queue.p95 < 20 ? '<' : '>='} 20 ms; filtered p95 ${f1(filtered.p95)} ms; timeline p95 ${f1(timeline.p95)} ms ${timeline.p95 < 20 ? '<' : '>='} 20 ms`);
  console.log(`ratios: cases p95 / pgbench -N mean latency ${(queue.p95 / pg.latencyMs).toFixed(2)}; timeline p95 / pgbench latency ${(timeline.p95 / pg.latencyMs).toFixed(2)}; ` +
    `cases req/s / pgbench tps ${(queue.rps / pg.tps).toFixed(2)}; /health/live / bare Nest hello ${(live.rps / helloR.rps).toFixed(2)} (HTTP layer); cases / bare Nest hello ${(queue.rps / helloR.rps).toFixed(3)}`);
  await owner.end();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
