import { pgbenchN } from './support/pgbench';
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
 * /health/live. Also the SQL statements and transactions per reply (every query the app's pg
 * clients send while the replies run, counted in this process) and the process's RSS.
 *
 * RSS: the app runs in this process and the load generator in a worker thread of it, so the RSS
 * reported is the app's plus the worker's (a worker thread costs ~10–20 MB); sampled every 100 ms.
 *
 * Uses DATABASE_URL's server (its database, named aftercare_bench_…, is dropped and created
 * again), else an embedded PostgreSQL in a temp folder.
 *
 *   npm run bench:replies
 *   BENCH_REPLIES_N=300 npm run bench:replies
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_replies npm run bench:replies
 */
import 'reflect-metadata';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Client } from 'pg';
import twilio from 'twilio';
import { AppModule, configureApp } from '../src/app.module';
import { ClinicsService } from '../src/clinics/clinics.service';
import { TestClock } from '../test/support/test-clock';
import { TEST_ACCOUNT_SID, TwilioApiServer } from '../test/support/twilio-api';
import { benchConfig, benchDatabase, freshDatabase } from './support/database';

const CLINICS = Number(process.env.BENCH_REPLIES_CLINICS ?? 10);
const N = Number(process.env.BENCH_REPLIES_N ?? 600);
const IN_FLIGHT = Number(process.env.BENCH_REPLIES_IN_FLIGHT ?? 20);
const SECONDS = Number(process.env.BENCH_REPLIES_SECONDS ?? 10);
/** Requests for the hello world and /health/live (each is fast: more of them). */
const HTTP_REQUESTS = Number(process.env.BENCH_REPLIES_HTTP_REQUESTS ?? 4000);
const AUTH_TOKEN = 'bench-auth-token-0123456789';
const PUBLIC_BASE_URL = 'https://aftercare.bench';
const WEBHOOK = '/webhooks/twilio/sms';
/** Monday 2 March 2026, 09:00 in Madrid: treatments now, their day-1 check-ins the next day. */
const START = '2026-03-02T08:00:00Z';

const f1 = (x: number) => x.toFixed(1);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

interface Load {
  n: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Req {
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/**
 * The load generator, run in a worker thread (the client's work takes the other core instead of
 * queueing on the event loop of the app it measures): the first `inFlight` requests as a warm-up
 * (not timed), the rest with `inFlight` at once over keep-alive connections; fails on any non-2xx.
 */
const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData: { port, reqs, inFlight, warmup } } = require('node:worker_threads');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
(async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const send = (r) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: r.path, method: r.method, agent, headers: r.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(performance.now() - t0) : reject(new Error(r.method + ' ' + r.path + ': ' + res.statusCode + ' ' + text.slice(0, 300)))));
    });
    req.on('error', reject);
    req.end(r.body);
  });
  await Promise.all(reqs.slice(0, warmup).map(send));
  parentPort.postMessage({ started: true });
  const times = [];
  let next = warmup;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < reqs.length) times.push(await send(reqs[next++]));
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  parentPort.postMessage({ n: times.length, seconds, rps: times.length / seconds, p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99) });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;

/** Sends `reqs` (the first `warmup` untimed); `onStart` runs when the timed part begins. */
async function load(port: number, reqs: Req[], warmup: number, inFlight = IN_FLIGHT, onStart: () => void = () => undefined): Promise<Load> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { port, reqs, inFlight, warmup } });
  try {
    const r = await new Promise<Load & { error?: string }>((resolve, reject) => {
      worker.on('message', (m: Load & { error?: string; started?: boolean }) => (m.started ? onStart() : resolve(m)));
      worker.once('error', reject);
    });
    if (r.error) throw new Error(r.error);
    return r;
  } finally {
    await worker.terminate();
  }
}

const gets = (path: string, n: number): Req[] => Array.from({ length: n }, () => ({ path, method: 'GET', headers: {} }));
const line = (name: string, r: Load) =>
  `${name.padEnd(34)} p50 ${f1(r.p50).padStart(6)}  p95 ${f1(r.p95).padStart(6)}  p99 ${f1(r.p99).padStart(6)} ms   ${r.rps.toFixed(0).padStart(5)} req/s  (${r.n} requests, ${IN_FLIGHT} in flight)`;

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }
}
@Module({ controllers: [HelloController] })
class HelloModule {}

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


/** Counts the statements every pg client of this process sends (the app's pool included), by their first word. */
function countQueries(): { counts: Map<string, number>; on: boolean } {
  const state = { counts: new Map<string, number>(), on: false };
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (state.on) {
      const q = args[0];
      const text = typeof q === 'string' ? q : q && typeof q === 'object' && 'text' in q ? String((q as { text: unknown }).text) : '';
      const word = process.env.BENCH_REPLIES_TRACE ? text.replace(/\s+/g, ' ').trim().slice(0, 160) : (text.trim().split(/\s+/)[0]?.toUpperCase() ?? '?');
      state.counts.set(word, (state.counts.get(word) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
  return state;
}

async function main() {
  if (process.env.DATABASE_URL) await freshDatabase(process.env.DATABASE_URL);
  const { url, stop } = await benchDatabase('aftercare-bench-replies-');
  const owner = new Client({ connectionString: url });
  await owner.connect();
  const pgVersion = (await owner.query(`SHOW server_version`)).rows[0].server_version;
  const queries = countQueries();

  // Urgent replies text the patient and the practitioner at once: through the twilio SDK to a local Twilio API.
  const twilioApi = await new TwilioApiServer().start();
  const config = {
    ...benchConfig(url, {
      DEV_OUTBOX: 'true',
      JWT_SECRET: 'bench-secret-bench-secret-bench-0123',
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_URL: twilioApi.url,
    }),
    logStream: new Writable({ write: (_c, _e, done) => done() }),
    accessTokenTtlSeconds: 30 * 86400,
    // Twilio posts from many addresses; the bench from one. The guard still counts every request.
    rateLimits: { formPerMinute: 1e9, webhookPerMinute: 1e9, loginPerMinute: 1e9 },
  };
  const clock = new TestClock(START);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app);
  await app.init();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const post = async (p: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };

  // Seeding, through the API: clinics, a practitioner each, patients and their treatments (check-ins planned).
  const warmup = IN_FLIGHT;
  const total = N + warmup;
  const t0 = performance.now();
  const password = 'bench-password-123';
  const stamp = Date.now().toString(36);
  const clinics: Array<{ id: string; smsNumber: string; auth: Record<string, string>; practitionerId: string }> = [];
  for (let c = 0; c < CLINICS; c++) {
    const smsNumber = `+3491${String(1_000_000 + c).padStart(7, '0')}`;
    const { clinic, admin } = await app.get(ClinicsService).createClinicWithAdmin({
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
  // Their day-1 check-ins went out by SMS and await an answer (the dispatcher's work, done by SQL here).
  const sent = await owner.query(
    `UPDATE check_ins SET status = 'sent', channel = 'sms', sent_at = due_at, attempts = 1
      WHERE step = 1 AND status = 'scheduled' RETURNING due_at`,
  );
  if (sent.rows.length !== total) throw new Error(`expected ${total} day-1 check-ins to mark sent, found ${sent.rows.length}`);
  const due = new Date(Math.max(...sent.rows.map((r: { due_at: Date }) => r.due_at.getTime())));
  clock.set(new Date(due.getTime() + 3600_000));
  await owner.query(`VACUUM ANALYZE`);
  const seedSeconds = (performance.now() - t0) / 1000;

  // The webhooks, signed as Twilio signs them: over the public URL and the posted fields.
  const mix = new Map<string, number>();
  const reqs: Req[] = patients.map((p, i) => {
    const { text, kind } = replyText(i);
    if (i >= warmup) mix.set(kind, (mix.get(kind) ?? 0) + 1);
    const params = { ToCountry: 'ES', SmsMessageSid: '', NumMedia: '0', MessageSid: 'SM' + randomBytes(16).toString('hex'), From: p.phone, To: p.clinic.smsNumber, Body: text, AccountSid: 'AC' + '0'.repeat(32), NumSegments: '1', ApiVersion: '2010-04-01' };
    params.SmsMessageSid = params.MessageSid;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + WEBHOOK, params);
    return { path: WEBHOOK, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() };
  });

  console.log(`\nPostgreSQL ${pgVersion}, Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`seeded ${CLINICS} clinics, ${total} patients with an SMS check-in awaiting an answer in ${seedSeconds.toFixed(0)} s`);
  console.log(`mix of the ${N} timed replies: ${[...mix].map(([k, n]) => `${n} ${k}`).join(', ')}`);

  global.gc?.();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 100);
  const rssBefore = process.memoryUsage().rss;
  // BENCH_REPLIES_PROFILE=file.cpuprofile: a CPU profile of this process (the app) while the timed replies run.
  const profiler = process.env.BENCH_REPLIES_PROFILE ? new Session() : null;
  profiler?.connect();
  await profiler?.post('Profiler.enable');
  const replies = await load(port, reqs, warmup, IN_FLIGHT, () => {
    queries.counts.clear();
    queries.on = true;
    void profiler?.post('Profiler.start');
  });
  queries.on = false;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_REPLIES_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  clearInterval(sampler);
  console.log(line('POST /webhooks/twilio/sms', replies));

  const statements = [...queries.counts.values()].reduce((a, b) => a + b, 0);
  const begins = (queries.counts.get('BEGIN') ?? 0) + (queries.counts.get('START') ?? 0);
  const byWord = [...queries.counts].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w} ${(n / N).toFixed(2)}`).join(', ');
  if (process.env.BENCH_REPLIES_TRACE) for (const [q, n] of [...queries.counts].sort((a, b) => b[1] - a[1])) console.log(`${(n / N).toFixed(2).padStart(6)}  ${q}`);
  console.log(`per reply: ${(statements / N).toFixed(1)} SQL statements, ${(begins / N).toFixed(2)} explicit transactions (${byWord})`);
  const [outcome] = (
    await owner.query(
      `SELECT (SELECT count(*) FROM responses)::int AS responses, (SELECT count(*) FROM flags)::int AS flags,
              (SELECT count(*) FROM messages WHERE direction = 'in')::int AS inbound, (SELECT count(*) FROM messages WHERE direction = 'out')::int AS outbound,
              (SELECT count(*) FROM audit_events)::int AS "auditEvents"`,
    )
  ).rows;
  console.log(`stored: ${JSON.stringify(outcome)}; texts that reached the local Twilio API: ${twilioApi.requests.length}`);
  if (outcome.inbound !== total) throw new Error(`expected ${total} inbound messages stored, found ${outcome.inbound}`);

  const live = await load(port, gets('/health/live', HTTP_REQUESTS + IN_FLIGHT), IN_FLIGHT);
  console.log(line('GET /health/live (this service)', live));
  await app.close();

  const hello = await NestFactory.create(HelloModule, { logger: false });
  await hello.listen(0, '127.0.0.1');
  const helloR = await load((hello.getHttpServer().address() as AddressInfo).port, gets('/', HTTP_REQUESTS + IN_FLIGHT), IN_FLIGHT);
  console.log(line('GET / (bare NestJS 11 hello)', helloR));
  await hello.close();

  const pg = await pgbenchN(url, IN_FLIGHT, SECONDS);
  console.log(`${pg.how}: ${pg.tps.toFixed(0)} tps, latency average ${pg.latencyMs.toFixed(2)} ms`);

  console.log(
    `\nRSS of this process (app + load worker thread) during the replies: max ${mb(rss)} MB (${mb(rssBefore)} MB before) ${rss < 200 * 1024 * 1024 ? '<' : '>='} 200 MB`,
  );
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
