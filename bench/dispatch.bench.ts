/**
 * Dispatcher throughput: plan N treatments, move the clock to the first check-in, and time
 * how fast one and two dispatchers send them (outbox transport, so the numbers are ours, not
 * an SMTP server's). Uses DATABASE_URL, else an embedded PostgreSQL in a temp folder.
 *
 *   npm run bench                               # N=2000
 *   BENCH_N=500 BENCH_LATENCY_MS=300 npm run bench   # a provider that takes 300 ms per message
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import os from 'node:os';
import { OutboxTransport } from '../src/messaging/outbox.transport';
import { EMAIL_TRANSPORT } from '../src/messaging/transports';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { CheckInDispatcher } from '../src/check-ins/dispatcher.service';
import { ClinicsService } from '../src/clinics/clinics.service';
import { TestClock } from '../test/support/test-clock';
import { loadConfig } from '../src/config/app-config';
import { PatientsService } from '../src/patients/patients.service';
import { CoursesService } from '../src/courses/courses.service';
import { benchDatabase } from './support/database';

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
/** Heap in use after a full collection (run with --expose-gc, as npm run bench does). */
const heapAfterGc = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};
const N = Number(process.env.BENCH_N ?? 2000);

async function main() {
  const { url, stop } = await benchDatabase('aftercare-bench-');

  const config = { ...loadConfig({ ...process.env, DATABASE_URL: url }), migrationsRun: false, dispatchIntervalMs: 0, bootstrapOnStart: false };
  const clock = new TestClock('2026-03-02T08:00:00Z');
  // The outbox answers at once; a real provider takes a while. BENCH_LATENCY_MS simulates that.
  const latency = Number(process.env.BENCH_LATENCY_MS ?? 0);
  const slowOutbox = {
    name: 'outbox' as const,
    send: async () => {
      if (latency) await new Promise((r) => setTimeout(r, latency));
      return new OutboxTransport().send();
    },
  };
  const open = async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, clock)] })
      .overrideProvider(EMAIL_TRANSPORT)
      .useValue(slowOutbox)
      .compile();
    moduleRef.useLogger(['error']);
    return moduleRef.init();
  };
  const a: INestApplicationContext = await open();
  const b: INestApplicationContext = await open();

  const rssOpen = process.memoryUsage().rss;
  const heapOpen = heapAfterGc();
  const { clinic } = await a.get(ClinicsService).createClinicWithAdmin({
    name: 'Bench clinic',
    timeZone: 'Europe/Madrid',
    adminEmail: `bench-${Date.now()}@example.test`,
    adminPassword: 'bench-password-123',
  });
  const actor = { type: 'integration' as const, id: 'bench' };
  const patients = a.get(PatientsService);
  const treatments = a.get(CoursesService);

  let t0 = performance.now();
  for (let i = 0; i < N; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, N - i) }, async (_, k) => {
        const p = await patients.create(clinic.id, actor, { givenName: 'B', familyName: String(i + k), email: `b${i + k}-${Date.now()}@example.test`, emailConsent: true, preferredChannel: 'email' });
        await treatments.create(clinic.id, actor, { patientId: p.id, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'P', performedAt: '2026-03-02T08:00:00Z', sendInstructions: false });
      }),
    );
  }
  const planMs = performance.now() - t0;
  const [{ n: checkInsEach }] = await a.get(DataSource).query(`SELECT (count(*) / $1)::int AS n FROM check_ins WHERE clinic_id = $2`, [N, clinic.id]);
  const rssPlanned = process.memoryUsage().rss;
  const heapPlanned = heapAfterGc();

  clock.set('2026-03-03T09:00:00Z');
  const rssBefore = process.memoryUsage().rss;
  t0 = performance.now();
  const [ra, rb] = await Promise.all([a.get(CheckInDispatcher).tick(50), b.get(CheckInDispatcher).tick(50)]);
  const dispatchMs = performance.now() - t0;
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = heapAfterGc();
  if (process.env.BENCH_MEM_DETAIL) console.log(process.memoryUsage());

  // A course of sessions: each patient has a session every week; every new session merges its
  // steps into the course's open check-ins (one a day) and supersedes the late steps before it.
  const coursePatients = Number(process.env.BENCH_COURSE_PATIENTS ?? 100);
  const sessions = Number(process.env.BENCH_COURSE_SESSIONS ?? 10);
  const courseIds: string[] = [];
  for (let i = 0; i < coursePatients; i++) {
    const p = await patients.create(clinic.id, actor, { givenName: 'C', familyName: String(i), email: `c${i}-${Date.now()}@example.test`, emailConsent: true, preferredChannel: 'email' });
    courseIds.push(p.id);
  }
  const courseStart = Date.parse('2026-04-06T08:00:00Z');
  t0 = performance.now();
  for (let k = 0; k < sessions; k++) {
    const performedAt = new Date(courseStart + k * 7 * 86_400_000).toISOString();
    clock.set(performedAt);
    for (let i = 0; i < courseIds.length; i += 20) {
      await Promise.all(
        courseIds.slice(i, i + 20).map((patientId) =>
          treatments.create(clinic.id, actor, { patientId, procedure: 'mesotherapy', indication: 'cellulite', bodyAreas: ['thighs'], product: 'P', performedAt, sendInstructions: false }),
        ),
      );
    }
  }
  const courseMs = performance.now() - t0;
  const [course] = await a.get(DataSource).query(
    `SELECT count(*)::int AS live, max(per_day)::int AS "maxPerDay" FROM (
       SELECT patient_id, (due_at AT TIME ZONE 'Europe/Madrid')::date AS day, count(*) AS per_day FROM check_ins
        WHERE patient_id = ANY($1) AND status <> 'superseded' GROUP BY 1, 2) d`,
    [courseIds],
  );

  const lines = [
    `N=${N} treatments (${checkInsEach} check-ins each), ${os.cpus().length} cores, Node ${process.version}, provider latency ${latency} ms, DISPATCH_CONCURRENCY=${config.dispatchConcurrency}`,
    `plan:     ${(N / (planMs / 1000)).toFixed(0)} treatments/s (patient + treatment + ${checkInsEach} check-ins + audit events, 20 in flight)`,
    `dispatch: ${((ra.sent + rb.sent) / (dispatchMs / 1000)).toFixed(0)} check-ins/s with two dispatchers (${ra.sent} + ${rb.sent} sent, ${(dispatchMs / 1000).toFixed(2)} s)`,
    `heap:     ${mib(heapOpen)} MiB live after GC with both instances open, ${mib(heapPlanned)} MiB after planning, ${mib(heapAfter)} MiB after dispatch`,
    `course:   ${((coursePatients * sessions) / (courseMs / 1000)).toFixed(0)} sessions/s for ${coursePatients} patients x ${sessions} weekly sessions (20 in flight); ${(course.live / coursePatients).toFixed(1)} live check-ins per patient, at most ${course.maxPerDay} a day`,
    `rss:      ${mib(rssOpen)} MiB with both instances open, ${mib(rssPlanned)} MiB after planning, ${mib(rssAfter)} MiB after dispatch (${mib(rssAfter - rssBefore)} MiB growth during it)`,
  ];
  console.log(lines.join('\n'));
  await a.close();
  await b.close();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
