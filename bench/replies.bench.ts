/**
 * SMS replies over HTTP against the real app: BENCH_REPLIES_CLINICS clinics (10), each with
 * patients whose day-1 check-in went out by SMS and awaits an answer (seeded through the API,
 * then the check-ins marked sent by SQL), then BENCH_REPLIES_N signed Twilio inbound webhooks
 * (application/x-www-form-urlencoded, X-Twilio-Signature over PUBLIC_BASE_URL + path) with
 * BENCH_REPLIES_IN_FLIGHT (20) in flight from a worker thread, one reply per patient. The mix is
 * what patients send: scores ("2 1 0 3 1", "1,0,2,0,1", "b1 r0 i2 bu0 p1"), high scores that
 * raise a flag, warning signs in words (urgent: safety advice and staff alerts queued), partial
 * answers (the rest asked for) and words the parser cannot read (a clarification).
 *
 * Beside it, measured in the same run with the same client: `pgbench -N` (or its transaction
 * through pg when the binary is missing), a bare NestJS 11 hello world and the service's own
 * /health/live.
 *
 * The seed runs through an app in this process (ts-node); the timed replies go to one compiled
 * instance of the service as a child process (bench/support/service-instances.ts, real clock,
 * no timers of its own), so its RSS (idle, and peak under the replies from /proc VmRSS/VmHWM) is
 * one instance's as deployed. The SQL statements and transactions per reply are counted inside
 * that instance by a preloaded pg hook (bench/support/statement-counter.js; BENCH_REPLIES_TRACE=1
 * lists the statements; BENCH_REPLIES_PROFILE=dir writes the instance's CPU profile there).
 *
 * Uses DATABASE_URL's server (its database, named aftercare_bench_…, is dropped and created
 * again), else an embedded PostgreSQL in a temp folder.
 *
 *   npm run bench:replies
 *   BENCH_REPLIES_N=300 npm run bench:replies
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_replies npm run bench:replies
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import twilio from 'twilio';
import { AppModule, configureApp } from '../src/app.module';
import { ClinicsService } from '../src/clinics/clinics.service';
import { TestClock } from '../test/support/test-clock';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioApiServer } from '../test/support/twilio-api';
import { benchConfig, benchDatabase, freshDatabase } from './support/database';
import { loadLine, startHello } from './support/hello-app';
import { httpLoad, HttpRequest, Load } from './support/http-load';
import { pgbenchN } from './support/pgbench';
import { buildService, LOGS, processMemory, startInstance, stopInstance, waitReady } from './support/service-instances';

const CLINICS = Number(process.env.BENCH_REPLIES_CLINICS ?? 10);
const N = Number(process.env.BENCH_REPLIES_N ?? 600);
const IN_FLIGHT = Number(process.env.BENCH_REPLIES_IN_FLIGHT ?? 20);
const SECONDS = Number(process.env.BENCH_REPLIES_SECONDS ?? 10);
/** Requests for the hello world and /health/live (each is fast: more of them). */
const HTTP_REQUESTS = Number(process.env.BENCH_REPLIES_HTTP_REQUESTS ?? 4000);
const AUTH_TOKEN = TEST_AUTH_TOKEN;
const PUBLIC_BASE_URL = 'https://aftercare.bench';
const WEBHOOK = '/webhooks/twilio/sms';
/** The treatments were done 36 hours ago: their day-1 check-ins went out and await an answer now (the instance runs on the real clock). */
const START = new Date(Date.now() - 36 * 3600_000).toISOString();

const f1 = (x: number) => x.toFixed(1);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

const load = (port: number, requests: HttpRequest[], onStart?: () => void): Promise<Load> => httpLoad({ port, requests, inFlight: IN_FLIGHT, warmup: IN_FLIGHT, onStart });

const gets = (path: string, n: number): HttpRequest[] => Array.from({ length: n }, () => ({ path, method: 'GET' }));
const line = (name: string, r: Load) => loadLine(name, r, IN_FLIGHT);

/**
 * What patients text, by index: mostly scores in the formats people use, some high (a flag),
 * some warning signs in words (urgent), some partial (the rest is asked for), some unreadable.
 */
function replyText(i: number): { text: string; kind: string } {
  const k = i % 20;
  const d = (j: number) => (i * 7 + j * 3) % 3;
  if (k < 11) {
    const s = [d(0), d(1), d(2), d(3), d(4)];
    const formats = [s.join(' '), s.join(','), `b${s[0]} r${s[1]} i${s[2]} bu${s[3]} p${s[4]}`, s.join(''), `${s.join(' ')} all fine thanks`];
    return { text: formats[i % formats.length], kind: 'scores' };
  }
  if (k < 14) return { text: ['4 3 3 2 4', '3 4 2 1 3', 'bruising 4, redness 3, itching 1, burning 2, pain 4'][i % 3], kind: 'high scores (flag)' };
  if (k < 16) return { text: ['1 1 0 0 1 but I have a fever and it is oozing pus', 'my lip is swelling and I have hives'][i % 2], kind: 'warning signs (urgent)' };
  if (k < 18) return { text: ['bruising 2', 'itching 1 burning 0'][i % 2], kind: 'partial (asked for the rest)' };
  return { text: ['feeling ok thanks', 'who is this?'][i % 2], kind: 'words (clarification)' };
}


/** The instance's statement counts so far (cumulative; bench/support/statement-counter.js writes them on SIGUSR2). */
async function statementCounts(pid: number, file: string): Promise<Map<string, number>> {
  const before = existsSync(file) ? statSync(file).mtimeMs : 0;
  process.kill(pid, 'SIGUSR2');
  for (let t = 0; t < 100; t++) {
    if (existsSync(file) && statSync(file).mtimeMs !== before) return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>));
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the instance did not write its statement counts to ${file}`);
}

async function main() {
  if (process.env.DATABASE_URL) await freshDatabase(process.env.DATABASE_URL);
  const { url, stop } = await benchDatabase('aftercare-bench-replies-');
  const owner = new Client({ connectionString: url });
  await owner.connect();
  const pgVersion = (await owner.query(`SHOW server_version`)).rows[0].server_version;
  const how = buildService();

  // Urgent replies text the patient and the practitioner at once: through the twilio SDK to a local Twilio API.
  const twilioApi = await new TwilioApiServer().start();
  const { privateKey } = generateKeyPairSync('ed25519');
  const env = {
    DEV_OUTBOX: 'true',
    JWT_SECRET: 'bench-secret-bench-secret-bench-0123',
    AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_URL: twilioApi.url,
    // Twilio posts from many addresses; the bench from one. The guard still counts every request.
    RATE_LIMIT_WEBHOOK_PER_MINUTE: '1000000000',
  };

  // Seeding, through the API of an app in this process: clinics, a practitioner each, patients and their treatments (check-ins planned).
  const clock = new TestClock(START);
  const config = { ...benchConfig(url, env), logStream: new Writable({ write: (_c, _e, done) => done() }), accessTokenTtlSeconds: 30 * 86400 };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  const seeder = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(seeder);
  await seeder.init();
  await seeder.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(seeder.getHttpServer().address() as AddressInfo).port}`;
  const post = async (p: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const warmup = IN_FLIGHT;
  const total = N + warmup;
  const t0 = performance.now();
  const password = 'bench-password-123';
  const stamp = Date.now().toString(36);
  const clinics: Array<{ id: string; smsNumber: string; auth: Record<string, string>; practitionerId: string }> = [];
  for (let c = 0; c < CLINICS; c++) {
    const smsNumber = `+3491${String(1_000_000 + c).padStart(7, '0')}`;
    const { clinic, admin } = await seeder.get(ClinicsService).createClinicWithAdmin({
      name: `Bench clinic ${c}`,
      timeZone: 'Europe/Madrid',
      adminEmail: `bench-replies-${stamp}-${c}@example.test`,
      adminPassword: password,
      phone: '+34911234567',
      smsFrom: smsNumber,
    });
    const adminAuth = { Authorization: `Bearer ${(await post('/v1/auth/login', { email: admin.email, password })).accessToken as string}` };
    const email = `bench-replies-practitioner-${stamp}-${c}@example.test`;
    const practitioner = await post('/v1/staff', { email, name: `Dr Bench ${c}`, role: 'practitioner', password, phone: `+3461${String(2_000_000 + c).padStart(7, '0')}` }, adminAuth);
    const auth = { Authorization: `Bearer ${(await post('/v1/auth/login', { email, password })).accessToken as string}` };
    clinics.push({ id: clinic.id, smsNumber, auth, practitionerId: practitioner.id as string });
  }
  const patients: Array<{ phone: string; clinic: (typeof clinics)[number] }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) {
        const i = next++;
        const clinic = clinics[i % CLINICS];
        const phone = `+3466${String(1_000_000 + i).padStart(7, '0')}`;
        const patient = await post(
          '/v1/patients',
          { givenName: 'Ana', familyName: `Bench ${i}`, email: `bench-patient-${stamp}-${i}@example.test`, phone, timeZone: 'Europe/Madrid', preferredChannel: 'sms', smsConsent: true, emailConsent: true },
          clinic.auth,
        );
        await post(
          '/v1/treatments',
          {
            patientId: patient.id,
            practitionerId: clinic.practitionerId,
            procedure: 'mesotherapy',
            indication: 'cellulite',
            bodyAreas: ['thighs'],
            product: 'Lipolytic cocktail A',
            lotNumber: 'L2309A',
            performedAt: clock.now().toISOString(),
            sendInstructions: false,
          },
          clinic.auth,
        );
        patients[i] = { phone, clinic };
      }
    }),
  );
  await seeder.close();
  // Their day-1 check-ins went out by SMS and await an answer (the dispatcher's work, done by SQL here).
  const sent = await owner.query(
    `UPDATE check_ins SET status = 'sent', channel = 'sms', sent_at = due_at, attempts = 1
      WHERE step = 1 AND status = 'scheduled' AND due_at < now() RETURNING due_at`,
  );
  if (sent.rows.length !== total) throw new Error(`expected ${total} day-1 check-ins due by now to mark sent, found ${sent.rows.length}`);
  await owner.query(`VACUUM ANALYZE`);
  const seedSeconds = (performance.now() - t0) / 1000;

  // The webhooks, signed as Twilio signs them: over the public URL and the posted fields.
  const mix = new Map<string, number>();
  const reqs: HttpRequest[] = patients.map((p, i) => {
    const { text, kind } = replyText(i);
    if (i >= warmup) mix.set(kind, (mix.get(kind) ?? 0) + 1);
    const params = { ToCountry: 'ES', SmsMessageSid: '', NumMedia: '0', MessageSid: 'SM' + randomBytes(16).toString('hex'), From: p.phone, To: p.clinic.smsNumber, Body: text, AccountSid: TEST_ACCOUNT_SID, NumSegments: '1', ApiVersion: '2010-04-01' };
    params.SmsMessageSid = params.MessageSid;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + WEBHOOK, params);
    return { path: WEBHOOK, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() };
  });

  // One compiled instance of the service, no timers of its own (dispatch, escalation, checkpoints, signals).
  const statementsFile = path.join(LOGS, `replies-statements-${process.pid}.json`);
  const instance = await startInstance('replies', {
    ...env,
    DATABASE_URL: url,
    MIGRATIONS_RUN: 'false',
    DISPATCH_INTERVAL_MS: '0',
    ESCALATION_INTERVAL_MS: '0',
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    SIGNAL_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    BENCH_STATEMENTS_FILE: statementsFile,
    BENCH_STATEMENTS_TRACE: process.env.BENCH_REPLIES_TRACE ? '1' : '0',
    BENCH_STATEMENTS_PROFILE: process.env.BENCH_REPLIES_PROFILE ?? '',
    NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'statement-counter.js')}`,
  });
  const pid = instance.child.pid!;
  let rssPeak = 0;
  let idle: ReturnType<typeof processMemory> = null;
  let replies: Load;
  let live: Load;
  let perReply: Map<string, number>;
  try {
    await waitReady(instance);
    await new Promise((r) => setTimeout(r, 1000));
    idle = processMemory(pid);

    console.log(`\nPostgreSQL ${pgVersion}, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`seeded ${CLINICS} clinics, ${total} patients with an SMS check-in awaiting an answer in ${seedSeconds.toFixed(0)} s`);
    console.log(`instance: ${how}; log ${instance.log}; idle RSS ${mb(idle?.rss ?? NaN)} MB`);
    console.log(`mix of the ${N} timed replies: ${[...mix].map(([k, n]) => `${n} ${k}`).join(', ')}`);

    let counted: Promise<Map<string, number>> = Promise.resolve(new Map());
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, processMemory(pid)?.rss ?? 0)), 100);
    replies = await load(instance.port, reqs, () => (counted = statementCounts(pid, statementsFile)));
    clearInterval(sampler);
    const before = await counted;
    const after = await statementCounts(pid, statementsFile);
    rssPeak = Math.max(rssPeak, processMemory(pid)?.hwm ?? 0);
    perReply = new Map([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)] as [string, number]).filter(([, n]) => n > 0));
    console.log(line('POST /webhooks/twilio/sms', replies));
    live = await load(instance.port, gets('/health/live', HTTP_REQUESTS + IN_FLIGHT));
    console.log(line('GET /health/live (this service)', live));
  } finally {
    await stopInstance(instance);
    if (existsSync(statementsFile)) unlinkSync(statementsFile);
  }

  const statements = [...perReply.values()].reduce((a, b) => a + b, 0);
  const begins = [...perReply].filter(([k]) => /^(BEGIN|START)\b/i.test(k)).reduce((a, [, n]) => a + n, 0);
  if (process.env.BENCH_REPLIES_TRACE) for (const [q, n] of [...perReply].sort((a, b) => b[1] - a[1])) console.log(`${(n / N).toFixed(2).padStart(6)}  ${q}`);
  const byWord = new Map<string, number>();
  for (const [q, n] of perReply) byWord.set(q.split(' ')[0].toUpperCase(), (byWord.get(q.split(' ')[0].toUpperCase()) ?? 0) + n);
  console.log(`per reply: ${(statements / N).toFixed(1)} SQL statements, ${(begins / N).toFixed(2)} explicit transactions (${[...byWord].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w} ${(n / N).toFixed(2)}`).join(', ')})`);
  const [outcome] = (
    await owner.query(
      `SELECT (SELECT count(*) FROM responses)::int AS responses, (SELECT count(*) FROM flags)::int AS flags,
              (SELECT count(*) FROM messages WHERE direction = 'in')::int AS inbound, (SELECT count(*) FROM messages WHERE direction = 'out')::int AS outbound,
              (SELECT count(*) FROM audit_events)::int AS "auditEvents"`,
    )
  ).rows;
  console.log(`stored: ${JSON.stringify(outcome)}; texts that reached the local Twilio API: ${twilioApi.requests.length}`);
  if (outcome.inbound !== total) throw new Error(`expected ${total} inbound messages stored, found ${outcome.inbound}`);

  const hello = await startHello();
  const helloR = await load(hello.port, gets('/', HTTP_REQUESTS + IN_FLIGHT));
  console.log(line('GET / (bare NestJS 11 hello)', helloR));
  await hello.close();

  const pg = await pgbenchN(url, IN_FLIGHT, SECONDS);
  console.log(`${pg.how}: ${pg.tps.toFixed(0)} tps, latency average ${pg.latencyMs.toFixed(2)} ms`);

  console.log(`\nRSS of the instance: idle ${mb(idle?.rss ?? NaN)} MB, peak under the replies ${mb(rssPeak)} MB ${rssPeak < 200 * 1024 * 1024 ? '<' : '>='} 200 MB`);
  console.log(
    `targets: replies/s / pgbench -N tps ${(replies.rps / pg.tps).toFixed(3)} (>= 0.3), replies p99 ${f1(replies.p99)} ms (< 100); ` +
      `/health/live / bare Nest hello ${(live.rps / helloR.rps).toFixed(2)} (HTTP layer, >= 0.5); replies / hello ${(replies.rps / helloR.rps).toFixed(3)}`,
  );
  await owner.end();
  await twilioApi.stop();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
