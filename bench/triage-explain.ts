/**
 * The triage bench's statements, explained on a seeded database (`npm run bench:triage` with
 * DATABASE_URL leaves one): the timeline's record statement and the queue's page (first page and
 * the three filters), each as EXPLAIN (ANALYZE, BUFFERS) planned for its values, then as the app
 * runs it (a prepared statement after six executions: the plan PostgreSQL caches, and its
 * planning time), and the mean time of 200 runs unnamed vs prepared on one connection.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench_triage node -r ts-node/register/transpile-only bench/triage-explain.ts
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FlagsRepository } from '../src/flags/flags.repository';
import { PatientRecordRepository } from '../src/patient-record/patient-record.repository';
import { TIMELINE_FIELDS } from '../src/timeline/timeline.service';

(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL: the seeded bench database');
  const db = new DataSource({ type: 'postgres', url, entities: [__dirname + '/../src/**/*.entity.ts'] });
  await db.initialize();
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const [{ clinic, patient, staff }] = (
    await pg.query(
      `SELECT c.id AS clinic, (SELECT id FROM patients WHERE clinic_id = c.id AND email = 'long-course@example.test') AS patient,
              (SELECT id FROM staff_users WHERE clinic_id = c.id AND name = 'Dr Bench' ORDER BY created_at DESC LIMIT 1) AS staff
         FROM clinics c WHERE name = 'Busy clinic'`,
    )
  ).rows;
  const plan = async (sql: string, params: unknown[]) => (await pg.query(sql, params)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  const mean = async (q: () => Promise<unknown>, n = 200) => {
    for (let i = 0; i < 10; i++) await q();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await q();
    return ((performance.now() - t0) / n).toFixed(3);
  };
  let k = 0;
  const show = async (label: string, sql: string, params: unknown[]) => {
    const name = `explain_${k++}`;
    console.log(`\n=== ${label}: planned for its values\n${await plan(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)}`);
    // EXECUTE takes its arguments as literals (a utility statement has no bind parameters).
    const literals = params.map((p) => pg.escapeLiteral(String(p))).join(', ');
    await pg.query(`PREPARE ${name} AS ${sql}`);
    for (let i = 0; i < 6; i++) await pg.query(`EXECUTE ${name}(${literals})`);
    console.log(`--- ${label}: prepared, 7th execution\n${await plan(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE ${name}(${literals})`, [])}`);
    const unnamed = await mean(() => pg.query(sql, params));
    const prepared = await mean(() => pg.query({ name: `timed_${name}`, text: sql, values: params }));
    console.log(`--- ${label}: mean of 200 on one connection: unnamed ${unnamed} ms, prepared ${prepared} ms`);
  };
  const record = new PatientRecordRepository(db) as unknown as { statement(f: unknown, iso: boolean): { sql: string } };
  await show('timeline record statement (230 items, ISO timestamps)', record.statement(TIMELINE_FIELDS, true).sql, [clinic, patient]);
  const flags = new FlagsRepository();
  for (const [label, filter, countPart] of [
    ['queue first page', { statuses: ['open', 'acknowledged'] }, false],
    ['queue priority=high', { statuses: ['open', 'acknowledged'], priority: 'high' }, false],
    ['queue assignee=me', { statuses: ['open', 'acknowledged'], assigneeId: staff }, true],
    ['queue status=acknowledged&priority=urgent', { statuses: ['acknowledged'], priority: 'urgent' }, false],
  ] as const) {
    // The statement the repository would run, captured by a manager that records it (inside a "transaction": no prepared path).
    let got: [string, unknown[]] = ['', []];
    const capture = { queryRunner: {}, query: async (sql: string, params: unknown[]) => ((got = [sql, params]), []) };
    await flags.queueRows(capture as never, clinic, filter as never, countPart, 50, 0);
    await show(label, got[0], got[1]);
  }
  await pg.end();
  await db.destroy();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
